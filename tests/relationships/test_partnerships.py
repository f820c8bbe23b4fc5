"""Provider ↔ reseller partnerships: request by email, authorize signed in, remove; partner types; US Gov."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions
from partnerportal.infrastructure.tokens import token_hash
from partnerportal.models import OutboundEmail, Partner
from relationships.models import Partnership, Relationship
from relationships.services.partnerships import partnership_request
from tests.factories import make_customer, make_partner, make_user

LIST = "relationships:partnership_list"
CREATE = "relationships:partnership_create"


def authorize_url(token: str) -> str:
    return reverse("relationships:partnership_authorize", kwargs={"token": token})


@pytest.fixture
def chain(db):
    """An indirect provider and an indirect reseller (not yet partnered), each with one user per role."""
    provider = make_partner(name="Fabrikam Distribution", type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(name="Northwind Traders", type=Partner.Type.INDIRECT_RESELLER)
    roles = ["global_admin", "admin_agent", "sales_agent", "helpdesk_agent"]
    return {
        "provider": provider,
        "reseller": reseller,
        "p": {role: make_user(provider, role) for role in roles},
        "r": {role: make_user(reseller, role) for role in roles},
    }


def request_link(chain) -> tuple[Partnership, str]:
    return partnership_request(actor=chain["p"]["global_admin"], email="admin@northwind.example", message="Hi")


def test_provider_requests_a_partnership_and_the_link_is_emailed_and_shown(chain, client_for):
    client = client_for(chain["p"]["sales_agent"])
    form = client.get(reverse(CREATE))
    assert "Fabrikam Distribution" in form.context["form"].initial["message"]

    response = client.post(reverse(CREATE), {"email": "Admin@Northwind.example", "message": "Work with us"})

    assert response.status_code == 200
    link = re.search(r'id="partnership-link"[^>]*value="([^"]+)"', response.content.decode()).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    partnership = Partnership.objects.get(provider=chain["provider"])
    assert partnership.status == "invited" and partnership.reseller is None
    assert partnership.email == "admin@northwind.example"
    assert partnership.token_hash == token_hash(token) and token not in partnership.token_hash
    mail = OutboundEmail.objects.get(to="admin@northwind.example")
    assert link in mail.delivered_body() and "Work with us" in mail.body
    assert ActivityEntry.objects.filter(action=Actions.PARTNERSHIP_REQUEST, partner=chain["provider"]).exists()
    assert "admin@northwind.example" in client.get(reverse(LIST)).content.decode()


def test_request_form_refuses_a_bad_email(chain, client_for):
    response = client_for(chain["p"]["global_admin"]).post(reverse(CREATE), {"email": "nope", "message": "x"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Partnership.objects.exists()


@pytest.mark.parametrize("kind", ["direct", "reseller"])
def test_only_providers_may_request(chain, world, client_for, kind):
    user = world.users["global_admin"] if kind == "direct" else chain["r"]["global_admin"]
    client = client_for(user)
    assert client.get(reverse(CREATE)).status_code == 403
    assert client.post(reverse(CREATE), {"email": "a@b.example", "message": "x"}).status_code == 403
    assert not Partnership.objects.exists()


def test_reseller_authorizes_and_both_lists_show_the_partnership(chain, client_for):
    partnership, token = request_link(chain)
    user = chain["r"]["admin_agent"]
    client = client_for(user)

    page = client.get(authorize_url(token))
    assert page.status_code == 200
    assert "Fabrikam Distribution" in page.content.decode()
    partnership.refresh_from_db()
    assert partnership.status == "invited", "opening the link changes nothing"

    unticked = client.post(authorize_url(token), {})
    assert "Tick the box" in unticked.content.decode()
    partnership.refresh_from_db()
    assert partnership.status == "invited"

    response = client.post(authorize_url(token), {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse(LIST)
    partnership.refresh_from_db()
    assert partnership.status == "active"
    assert partnership.reseller == chain["reseller"] and partnership.authorized_by == user
    assert partnership.activated_at is not None
    assert "Fabrikam Distribution" in client.get(reverse(LIST)).content.decode()
    provider_list = client_for(chain["p"]["global_admin"]).get(reverse(LIST)).content.decode()
    assert "Northwind Traders" in provider_list
    assert ActivityEntry.objects.filter(action=Actions.PARTNERSHIP_AUTHORIZE).count() == 2
    assert OutboundEmail.objects.filter(to=chain["p"]["global_admin"].email).exists(), "the provider is told"

    again = client.post(authorize_url(token), {"confirm": "on"})
    assert "already been used" in again.content.decode()


def test_the_provider_can_then_add_a_customer_for_the_reseller(chain):
    _partnership, token = request_link(chain)
    from relationships.services.partnerships import partnership_authorize

    partnership_authorize(actor=chain["r"]["global_admin"], token=token)
    customer = make_customer(chain["provider"], actor=chain["p"]["global_admin"], reseller=chain["reseller"])
    assert Relationship.objects.filter(customer=customer, status="active").count() == 2


def test_expired_link_says_so_and_changes_nothing(chain, client_for):
    partnership, token = request_link(chain)
    Partnership.objects.filter(pk=partnership.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = client_for(chain["r"]["global_admin"])
    assert "expired" in client.get(authorize_url(token)).content.decode()
    assert "expired" in client.post(authorize_url(token), {"confirm": "on"}).content.decode()
    partnership.refresh_from_db()
    assert partnership.status == "invited" and partnership.reseller is None


def test_unknown_link_is_not_found(chain, client_for):
    response = client_for(chain["r"]["global_admin"]).get(authorize_url("not-a-real-token"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


@pytest.mark.parametrize("who", ["direct", "provider"])
def test_wrong_partner_type_cannot_authorize(chain, world, client_for, who):
    partnership, token = request_link(chain)
    user = world.users["global_admin"] if who == "direct" else chain["p"]["admin_agent"]
    client = client_for(user)
    page = client.get(authorize_url(token))
    assert page.status_code == 403
    assert "Only an indirect reseller" in page.content.decode()
    assert client.post(authorize_url(token), {"confirm": "on"}).status_code == 403
    partnership.refresh_from_db()
    assert partnership.status == "invited"


def test_helpdesk_agents_cannot_authorize(chain, client_for):
    _partnership, token = request_link(chain)
    assert client_for(chain["r"]["helpdesk_agent"]).post(authorize_url(token), {"confirm": "on"}).status_code == 403


def test_a_second_provider_link_for_existing_partners_says_so(chain, client_for):
    _first, token = request_link(chain)
    _second, token2 = request_link(chain)
    client = client_for(chain["r"]["global_admin"])
    client.post(authorize_url(token), {"confirm": "on"})
    assert "already partnered" in client.get(authorize_url(token2)).content.decode()
    assert Partnership.objects.filter(status="active").count() == 1


def test_remove_partnership_keeps_customer_relationships(chain, client_for):
    partnership, token = request_link(chain)
    client_for(chain["r"]["global_admin"]).post(authorize_url(token), {"confirm": "on"})
    customer = make_customer(chain["provider"], actor=chain["p"]["global_admin"], reseller=chain["reseller"])
    remove = reverse("relationships:partnership_remove", args=[partnership.pk])

    assert client_for(chain["r"]["global_admin"]).post(remove).status_code == 404, "only the provider removes it"
    response = client_for(chain["p"]["sales_agent"]).post(remove)

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == "removed" and partnership.removed_at is not None
    assert Relationship.objects.filter(customer=customer, status="active").count() == 2
    assert ActivityEntry.objects.filter(action=Actions.PARTNERSHIP_REMOVE).exists()
    assert "already been removed" in client_for(chain["p"]["sales_agent"]).post(remove, follow=True).content.decode()


def test_withdrawn_request_link_says_so(chain, client_for):
    partnership, token = request_link(chain)
    client_for(chain["p"]["global_admin"]).post(reverse("relationships:partnership_remove", args=[partnership.pk]))
    page = client_for(chain["r"]["global_admin"]).get(authorize_url(token))
    assert "withdrawn" in page.content.decode()


def test_direct_bill_partner_sees_an_explanation(world, client_for):
    html = client_for(world.users["sales_agent"]).get(reverse(LIST)).content.decode()
    assert 'id="direct-bill-note"' in html


def test_partnerships_are_absent_in_the_us_government_cloud(chain, client_for, settings):
    """Every partnership page answers 404 there to everyone (signed in or not, whatever the role); no menu entry."""
    partnership, token = request_link(chain)  # made while the deployment was commercial
    settings.PORTAL_CLOUD = "us_gov"
    remove = reverse("relationships:partnership_remove", args=[partnership.pk])
    for user in (None, chain["p"]["global_admin"], chain["p"]["helpdesk_agent"], chain["r"]["sales_agent"]):
        client = client_for(user)
        assert client.get(reverse(LIST)).status_code == 404
        assert client.get(reverse(CREATE)).status_code == 404
        assert client.post(reverse(CREATE), {"email": "x@y.example", "message": "Hi"}).status_code == 404
        assert client.post(remove).status_code == 404
        assert client.get(authorize_url(token)).status_code == 404
        assert client.post(authorize_url(token), {"confirm": "on"}).status_code == 404
    assert Partnership.objects.get().status == partnership.status
    html = client_for(chain["p"]["global_admin"]).get(reverse("customers:customer_list")).content.decode()
    assert reverse(LIST) not in html
    settings.PORTAL_CLOUD = "commercial"
    assert (
        reverse(LIST) in client_for(chain["p"]["global_admin"]).get(reverse("customers:customer_list")).content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_authorizations_activate_once(chain):
    _partnership, token = request_link(chain)
    users = list(chain["r"].values())[:3] * 2
    barrier = threading.Barrier(len(users))
    statuses: list[int] = []

    def submit(user):
        try:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            barrier.wait()
            statuses.append(client.post(authorize_url(token), {"confirm": "on"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {200, 302}, statuses
    assert ActivityEntry.objects.filter(action=Actions.PARTNERSHIP_AUTHORIZE).count() == 2


@pytest.mark.parametrize("count", [1, 50])
def test_partnership_list_query_count_does_not_grow_with_rows(chain, client_for, django_assert_num_queries, count):
    for _ in range(count):
        reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
        Partnership.objects.create(
            provider=chain["provider"], reseller=reseller, status="active", invited_by=chain["p"]["global_admin"]
        )
    client = client_for(chain["p"]["global_admin"])
    client.get(reverse(LIST))
    # Session, user, the page of rows; no count query: the list fits on its first page, whose rows are the count.
    with django_assert_num_queries(3):
        response = client.get(reverse(LIST))
    assert len(response.context["partnerships"]) == count
