"""Invitations through the API: the list and its state filter, a new one (the page's rules), resend and revoke."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships.models import InvitationRequest, RoleTemplate
from relationships.models import Invitation
from relationships.services import invitation_create
from tests.adminrelationships.dap_targets import role_template_in
from tests.api.helpers import ApiClient, token_for

pytestmark = pytest.mark.usefixtures("shared_world")

LIST = reverse("api:invitation_list")


def _invite(actor, email="admin@invited.example.net"):
    return invitation_create(actor=actor, email=email, message="Please accept.", dap=False)[0]


def test_create_sends_the_pages_default_message_without_dap_and_shows_no_link(world):
    api = ApiClient(token_for(world.users["sales_agent"]))
    response = api.post(LIST, {"email": "admin@adatum.example"}, headers={"Idempotency-Key": "inv-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.dap is False and body["dap"] is False and body["status"] == "pending"
    assert world.partner_a.name in invitation.message
    assert not [v for v in body.values() if isinstance(v, str) and "/invite/" in v]
    again = api.post(LIST, {"email": "admin@adatum.example"}, headers={"Idempotency-Key": "inv-1"})
    assert again.json() == body and Invitation.objects.count() == 1


def test_dap_is_refused_outside_the_us_government_cloud(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    response = api.post(LIST, {"email": "a@b.example.net", "dap": 1})
    assert response.status_code == 400 and "dap" in response.json()["errors"]
    # Likewise a field the page does not offer this partner (no role templates: no admin relationship to ask for).
    response = api.post(LIST, {"email": "a@b.example.net", "admin_template": "1"})
    assert response.status_code == 400 and "admin_template" in response.json()["errors"]
    assert not Invitation.objects.exists()


@override_settings(PORTAL_CLOUD="us_gov")
def test_dap_is_forced_on_in_the_us_government_cloud(world):
    api = ApiClient(token_for(world.users["sales_agent"]))
    assert api.post(LIST, {"email": "a@b.example.net", "message": "Hi"}).status_code == 201
    assert Invitation.objects.get().dap is True


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "a@b.example.net", "message": "   "}, "message", "This field is required."),
    ],
)
def test_bad_input_gets_the_forms_messages(world, data, field, message):
    api = ApiClient(token_for(world.users["admin_agent"]))
    response = api.post(LIST, data)
    assert response.status_code == 422, response.content
    assert message in " ".join(response.json()["errors"][field])
    assert not Invitation.objects.exists()


def test_another_partners_customer_is_not_found(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    assert api.post(LIST, {"email": "a@b.example.net", "customer": str(world.customer_out.pk)}).status_code == 404
    ok = api.post(LIST, {"email": "a@b.example.net", "customer": str(world.customer_in.pk)})
    assert ok.status_code == 201 and ok.json()["customer"] == str(world.customer_in.pk)


def test_list_filters_by_state_and_resend_and_revoke_go_through_the_services(world):
    admin = world.users["global_admin"]
    first, second = _invite(admin), _invite(admin, "other@invited.example.net")
    api = ApiClient(token_for(admin))
    assert [r["id"] for r in api.get(LIST).json()["results"]] == [second.pk, first.pk]
    revoked = api.post(reverse("api:invitation_revoke", args=[first.pk]))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert [r["id"] for r in api.get(LIST, {"status": "revoked"}).json()["results"]] == [first.pk]
    assert api.post(reverse("api:invitation_revoke", args=[first.pk])).status_code == 422  # already revoked
    resent = api.post(reverse("api:invitation_resend", args=[second.pk]))
    assert resent.status_code == 200, resent.content
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_RESEND).count() == 1
    assert api.get(LIST, {"status": "nonsense"}).status_code == 400


def test_another_partners_invitation_is_not_found(world):
    theirs = _invite(world.user_b)
    api = ApiClient(token_for(world.users["global_admin"]))
    for name in ("api:invitation_resend", "api:invitation_revoke"):
        assert api.post(reverse(name, args=[theirs.pk])).status_code == 404
    assert Invitation.objects.get(pk=theirs.pk).status == "pending"
    assert theirs.pk not in [r["id"] for r in api.get(LIST).json()["results"]]


def _queries(api: ApiClient) -> int:
    api.get(LIST)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(LIST).status_code == 200
    return len([q for q in ctx.captured_queries if not q["sql"].startswith(('UPDATE "api_apitoken"', "DELETE"))])


def test_the_list_costs_the_same_queries_with_one_invitation_or_twenty(world):
    admin = world.users["global_admin"]
    api = ApiClient(token_for(admin))
    _invite(admin)
    one = _queries(api)
    for n in range(19):
        _invite(admin, f"admin{n}@invited.example.net")
    assert len(api.get(LIST).json()["results"]) == 20
    assert _queries(api) == one


def test_an_admin_relationship_template_is_requested_with_the_invitation_as_the_page_offers(world):
    template = RoleTemplate.objects.get(pk=role_template_in(world)["pk"])
    api = ApiClient(token_for(world.users["admin_agent"]))
    response = api.post(LIST, {"email": "a@b.example.net", "admin_template": str(template.pk)})
    assert response.status_code == 201, response.content
    assert InvitationRequest.objects.filter(invitation_id=response.json()["id"]).exists()
