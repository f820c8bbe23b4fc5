"""Relationships through the API: a customer's list, the end preflight and the end, the ended list and restore.

Through the pages' forms and services: the same messages, the same blockers, the same activity entries.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from customers.models import Subscription
from relationships.models import Invitation, Relationship
from relationships.services.lifecycle import relationship_end
from tests.api.helpers import ApiClient, token_for
from tests.factories import make_customer

pytestmark = pytest.mark.usefixtures("shared_world")

END_BODY = {"reason": "no_longer_transacting", "confirm": True}


def _url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def test_a_customers_relationships_are_listed_as_the_detail_page_shows_them(world):
    api = ApiClient(token_for(world.users["helpdesk_agent"]))
    body = api.get(_url("customer_relationships", world.customer_in.pk)).json()
    assert body["next"] is None
    [row] = body["results"]
    assert row["customer"] == str(world.customer_in.pk)
    assert row["status"] == "active" and row["partner_name"] == world.partner_a.name
    assert api.get(_url("customer_relationships", world.customer_out.pk)).status_code == 404


def test_preflight_names_the_blocking_subscriptions_and_the_end_is_refused_with_the_services_message(world):
    api = ApiClient(token_for(world.users["admin_agent"]))
    Subscription.objects.create(customer=world.customer_in, partner=world.partner_a, offer_name="Microsoft 365 E3")
    preflight = api.get(_url("relationship_end_preflight", world.customer_in.pk)).json()
    assert preflight["can_end"] is False
    assert [b["offer_name"] for b in preflight["blockers"]] == ["Microsoft 365 E3"]
    assert "other" in preflight["reasons"]
    response = api.post(_url("relationship_end", world.customer_in.pk), END_BODY)
    assert response.status_code == 422, response.content
    assert "Suspend or cancel" in response.json()["errors"]["non_field_errors"][0]
    assert world.customer_in.relationships.get(partner=world.partner_a).status == "active"


def test_ending_needs_the_statement_and_details_for_other_with_the_forms_messages(world):
    api = ApiClient(token_for(world.users["global_admin"]), **{"Accept-Language": "ko"})
    url = _url("relationship_end", world.customer_in.pk)
    response = api.post(url, {"reason": "other"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"confirm", "details"}
    assert errors["confirm"] == ["관계를 종료하려면 확인 문구에 동의하세요."]  # the form's message, in Korean
    bad = api.post(url, {"reason": "other", "confirm": "yes"})
    assert bad.status_code == 400 and bad.json()["errors"]["confirm"] == ["true 또는 false여야 합니다."]
    assert world.customer_in.relationships.get(partner=world.partner_a).status == "active"


def test_ending_then_listing_and_restoring(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    response = api.post(_url("relationship_end", world.customer_in.pk), END_BODY, headers={"Idempotency-Key": "e-1"})
    assert response.status_code == 200, response.content
    ended = response.json()
    assert ended["status"] == "ended" and ended["end_reason"] == "no_longer_transacting"
    assert ActivityEntry.objects.filter(action=Actions.RELATIONSHIP_END, actor=world.users["global_admin"]).count() == 1
    # The same key again: the first answer, nothing ended twice.
    again = api.post(_url("relationship_end", world.customer_in.pk), END_BODY, headers={"Idempotency-Key": "e-1"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    # Ended again without the key: the service's "already ended" (the customer is no longer reachable: 404).
    assert api.post(_url("relationship_end", world.customer_in.pk), END_BODY).status_code in (404, 422)

    listed = api.get(_url("relationship_ended_list")).json()
    assert [r["id"] for r in listed["results"]] == [ended["id"]]
    assert listed["results"][0]["restore_pending"] is False

    restore = api.post(_url("relationship_restore", ended["id"]), {"email": "admin@customer.example"})
    assert restore.status_code == 201, restore.content
    invitation = Invitation.objects.get(pk=restore.json()["id"])
    assert invitation.restores_id == ended["id"] and invitation.status == "pending"
    assert world.partner_a.name in invitation.message  # the page's default message
    assert "token" not in restore.json() and "link" not in restore.json()
    assert api.get(_url("relationship_ended_list")).json()["results"][0]["restore_pending"] is True


def test_restore_refuses_a_bad_address_with_the_forms_message_and_another_partners_relationship_is_404(world):
    mine = relationship_end(actor=world.users["global_admin"], customer=world.customer_in, reason="other", details="x")
    theirs = relationship_end(actor=world.user_b, customer=world.customer_out, reason="other", details="x")
    api = ApiClient(token_for(world.users["global_admin"]))
    bad = api.post(_url("relationship_restore", mine.pk), {"email": "not an address"})
    assert bad.status_code == 422 and "email" in bad.json()["errors"]
    assert api.post(_url("relationship_restore", theirs.pk), {"email": "a@b.example"}).status_code == 404
    assert not Invitation.objects.filter(restores__in=[mine, theirs]).exists()


def test_roles_without_the_action_get_403(world):
    api = ApiClient(token_for(world.users["sales_agent"]))
    assert api.get(_url("relationship_end_preflight", world.customer_in.pk)).status_code == 403
    assert api.post(_url("relationship_end", world.customer_in.pk), END_BODY).status_code == 403
    assert api.get(_url("relationship_ended_list")).status_code == 403


def _queries(api: ApiClient, url: str) -> int:
    api.get(url)  # warm-up: the token's first use is stamped, the rate-limit window opened
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    # Leave out the periodic writes (the last-use stamp, the old windows' cleanup), as the customer list's test does.
    return len([q for q in ctx.captured_queries if not q["sql"].startswith(('UPDATE "api_apitoken"', "DELETE"))])


def test_the_ended_list_costs_the_same_queries_with_one_row_or_twenty(world):
    admin = world.users["global_admin"]
    api = ApiClient(token_for(admin))
    url = _url("relationship_ended_list")
    relationship_end(actor=admin, customer=world.customer_in, reason="other", details="x")
    one = _queries(api, url)
    for _n in range(20):
        relationship_end(actor=admin, customer=make_customer(world.partner_a, actor=admin), reason="other", details="x")
    assert len(api.get(url).json()["results"]) == 21
    assert _queries(api, url) == one
    assert Relationship.objects.filter(partner=world.partner_a, status="ended").count() == 21
