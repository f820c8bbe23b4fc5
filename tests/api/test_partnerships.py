"""Provider↔reseller partnerships through the API: the list from either side, a provider's request, a reseller's
authorization with the emailed link's token, removal — with the pages' rules and messages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy

from activity.models import ActivityEntry
from activity.services import Actions
from partnerportal.models import OutboundEmail, Partner
from relationships.forms.lifecycle import PartnershipAuthorizeForm
from relationships.models import Partnership
from relationships.services.partnerships import LINK_USED, partnership_request
from tests.api.helpers import ApiClient, token_for
from tests.api.queries import PERIODIC, list_queries
from tests.api.test_customer_agreement import in_korean
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.usefixtures("shared_world")
LIST = "/api/v1/partnerships/"
AUTHORIZE = "/api/v1/partnerships/authorize/"


@pytest.fixture
def chain(db):
    provider = make_partner(type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
    return {
        "provider": provider,
        "reseller": reseller,
        "provider_agent": make_user(provider, "sales_agent"),
        "reseller_agent": make_user(reseller, "admin_agent"),
    }


def remove_url(partnership) -> str:
    return reverse("api:partnership_remove", args=[partnership.pk])


def test_a_provider_requests_and_the_link_goes_by_email_only(chain):
    api = ApiClient(token_for(chain["provider_agent"]))
    body = {"email": "Admin@Reseller.example"}
    response = api.post(LIST, body, headers={"Idempotency-Key": "ask-1"})
    assert response.status_code == 201, response.content
    shown = response.json()
    assert shown["status"] == "invited" and shown["email"] == "admin@reseller.example"
    assert shown["reseller_id"] is None and shown["provider_id"] == chain["provider"].pk
    assert not {"token", "link", "message"} & set(shown)
    partnership = Partnership.objects.get(pk=shown["id"])
    # Without a message, the page's default text is sent.
    assert chain["provider"].name in partnership.message
    assert OutboundEmail.objects.filter(to="admin@reseller.example").count() == 1
    again = api.post(LIST, body, headers={"Idempotency-Key": "ask-1"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == shown
    assert Partnership.objects.filter(provider=chain["provider"]).count() == 1
    assert [row["id"] for row in api.get(LIST).json()["results"]] == [shown["id"]]


def test_the_reseller_authorizes_once_and_both_sides_list_it(chain):
    _partnership, token = partnership_request(
        actor=make_user(chain["provider"]), email="admin@reseller.example", message="Hello"
    )
    api = ApiClient(token_for(chain["reseller_agent"]))
    response = api.post(AUTHORIZE, {"token": token, "confirm": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active" and response.json()["reseller_id"] == chain["reseller"].pk
    entries = ActivityEntry.objects.filter(action=Actions.PARTNERSHIP_AUTHORIZE)
    assert {e.partner_id for e in entries} == {chain["provider"].pk, chain["reseller"].pk}
    for user in (chain["reseller_agent"], chain["provider_agent"]):
        [row] = ApiClient(token_for(user)).get(LIST).json()["results"]
        assert row["id"] == response.json()["id"] and row["status"] == "active"
    used = api.post(AUTHORIZE, {"token": token, "confirm": True})
    assert used.status_code == 422 and used.json()["errors"] == {"non_field_errors": [str(LINK_USED)]}


def test_authorizing_needs_the_statement_and_a_real_link_in_korean(chain):
    _partnership, token = partnership_request(
        actor=make_user(chain["provider"]), email="admin@reseller.example", message="Hello"
    )
    api = ApiClient(token_for(chain["reseller_agent"]), **{"Accept-Language": "ko"})
    response = api.post(AUTHORIZE, {"token": token})
    assert response.status_code == 422
    required = PartnershipAuthorizeForm.base_fields["confirm"].error_messages["required"]
    assert response.json()["errors"] == {"confirm": [in_korean(required)]}
    unknown = api.post(AUTHORIZE, {"token": "not-a-link", "confirm": True})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"token": [in_korean(gettext_lazy("This partnership link is not valid."))]}
    assert Partnership.objects.get(token_hash__isnull=False, provider=chain["provider"]).status == "invited"


def test_each_side_is_refused_the_others_part_as_on_the_pages(chain, world):
    _partnership, token = partnership_request(
        actor=make_user(chain["provider"]), email="admin@reseller.example", message="Hello"
    )
    provider = ApiClient(token_for(chain["provider_agent"]))
    reseller = ApiClient(token_for(chain["reseller_agent"]))
    assert provider.post(AUTHORIZE, {"token": token, "confirm": True}).status_code == 403
    assert reseller.post(LIST, {"email": "admin@other.example"}).status_code == 403
    direct = ApiClient(token_for(world.users["global_admin"]))
    assert direct.get(LIST).json() == {"results": [], "next": None}
    assert direct.post(LIST, {"email": "admin@other.example"}).status_code == 403
    assert ApiClient(token_for(make_user(chain["provider"], "helpdesk_agent"))).get(LIST).status_code == 403
    assert Partnership.objects.get(provider=chain["provider"]).status == "invited"


def test_the_us_government_cloud_has_no_partnerships(chain, settings):
    settings.PORTAL_CLOUD = "us_gov"
    api = ApiClient(token_for(chain["provider_agent"]))
    assert api.get(LIST).status_code == 404
    assert api.post(LIST, {"email": "admin@reseller.example"}).status_code == 404
    assert not Partnership.objects.exists()


def test_the_provider_removes_and_the_reseller_finds_nothing_to_remove(chain):
    partnership = Partnership.objects.create(provider=chain["provider"], reseller=chain["reseller"], status="active")
    assert ApiClient(token_for(chain["reseller_agent"])).post(remove_url(partnership)).status_code == 404
    api = ApiClient(token_for(chain["provider_agent"]))
    response = api.post(remove_url(partnership), headers={"Idempotency-Key": "rm-1"})
    assert response.status_code == 200 and response.json()["status"] == "removed"
    assert api.post(remove_url(partnership), headers={"Idempotency-Key": "rm-1"})["Idempotent-Replayed"] == "true"
    again = api.post(remove_url(partnership))
    assert again.status_code == 422 and "already been removed" in again.json()["errors"]["non_field_errors"][0]
    assert ActivityEntry.objects.filter(action=Actions.PARTNERSHIP_REMOVE).count() == 1


def test_the_list_costs_the_same_queries_at_1_and_at_50_partnerships(chain, django_assert_max_num_queries):
    api = ApiClient(token_for(chain["provider_agent"]))
    Partnership.objects.create(provider=chain["provider"], reseller=chain["reseller"], status="active")
    one = list_queries(api, LIST)
    Partnership.objects.bulk_create(
        Partnership(provider=chain["provider"], reseller=make_partner(type="indirect_reseller"), status="active")
        for _ in range(49)
    )
    many = list_queries(api, LIST)
    assert len(one) == len(many), (one, many)
    with django_assert_max_num_queries(len(one) + len(PERIODIC)):
        assert len(api.get(LIST, {"limit": 200}).json()["results"]) == 50
