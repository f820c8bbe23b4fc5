"""The partner-wide admin-relationships list: filters, what leaves the default view, keyset pages, query counts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from adminrelationships.models import AdminRelationship
from tests.adminrelationships.access_targets import admin_relationship_b
from tests.adminrelationships.helpers import DIRECTORY_READERS, GLOBAL_ADMIN, request_for, token_of
from tests.factories import make_customer

LIST = "adminrelationships:adminrelationship_list"


def approve(relationship: AdminRelationship) -> AdminRelationship:
    url = reverse("adminrelationships:adminrelationship_approve", kwargs={"token": token_of(relationship)})
    Client().post(url, {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    relationship.refresh_from_db()
    return relationship


def names(response) -> set[str]:
    return {r.name for r in response.context["admin_relationships"]}


@pytest.mark.parametrize("count", [1, 40])
def test_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_num_queries, count):
    agent = world.users["admin_agent"]
    for i in range(count):
        relationship = request_for(world.customer_in, agent, name=f"Rel {i}")
        if i % 2:
            approve(relationship)
    client = client_for(world.users["helpdesk_agent"])
    client.get(reverse(LIST))  # warm the session and permission caches
    # Session, user, the page of rows; no count query: the list fits on its first page, whose rows are the count.
    with django_assert_num_queries(3):
        response = client.get(reverse(LIST))
    assert len(response.context["admin_relationships"]) == min(count, settings.PORTAL_PAGE_SIZE)


def test_filters_status_customer_role_and_expiring(world, client_for):
    agent = world.users["admin_agent"]
    other = make_customer(world.partner_a, actor=world.users["global_admin"])
    pending = request_for(world.customer_in, agent, name="Pending")
    soon = approve(request_for(world.customer_in, agent, name="Soon", duration_days=10))
    later = approve(request_for(other, agent, name="Later", duration_days=400, roles=[GLOBAL_ADMIN]))
    client = client_for(world.users["sales_agent"])
    assert names(client.get(reverse(LIST))) == {pending.name, soon.name, later.name}
    assert names(client.get(reverse(LIST), {"status": "active"})) == {soon.name, later.name}
    assert names(client.get(reverse(LIST), {"status": "approval_pending"})) == {pending.name}
    assert names(client.get(reverse(LIST), {"customer_id": str(other.pk)})) == {later.name}
    assert names(client.get(reverse(LIST), {"role": GLOBAL_ADMIN})) == {later.name}
    assert names(client.get(reverse(LIST), {"role": DIRECTORY_READERS})) == {pending.name, soon.name}
    assert names(client.get(reverse(LIST), {"expiring": "30"})) == {soon.name}
    # A bad filter value is ignored, not refused.
    assert client.get(reverse(LIST), {"expiring": "soon"}).status_code == 200


def test_old_requests_and_relationships_ended_long_ago_leave_the_default_view_but_stay_filterable(world, client_for):
    agent = world.users["admin_agent"]
    now = timezone.now()
    unanswered = request_for(world.customer_in, agent, name="Unanswered")
    AdminRelationship.objects.filter(pk=unanswered.pk).update(requested_at=now - timedelta(days=91))
    long_ago = approve(request_for(world.customer_in, agent, name="Long ago", duration_days=30))
    AdminRelationship.objects.filter(pk=long_ago.pk).update(
        starts_at=now - timedelta(days=400), ends_at=now - timedelta(days=370)
    )
    recent = approve(request_for(world.customer_in, agent, name="Recently ended", duration_days=30))
    AdminRelationship.objects.filter(pk=recent.pk).update(
        starts_at=now - timedelta(days=40), ends_at=now - timedelta(days=10)
    )
    client = client_for(agent)
    assert names(client.get(reverse(LIST))) == {recent.name}
    assert names(client.get(reverse(LIST), {"status": "expired"})) == {unanswered.name, long_ago.name, recent.name}


def test_the_list_shows_the_request_emails_delivery_state(world, client_for):
    request_for(world.customer_in, world.users["admin_agent"], name="Waiting")
    html = client_for(world.users["admin_agent"]).get(reverse(LIST)).content.decode()
    assert "Waiting to be sent" in html


def test_another_partners_relationships_are_not_listed(world, client_for):
    admin_relationship_b(world)
    response = client_for(world.users["admin_agent"]).get(reverse(LIST))
    assert names(response) == set()


def test_nav_shows_admin_relationships_to_every_staff_role(roles_seeing):
    assert roles_seeing(reverse("customers:customer_list"), reverse(LIST)) == {
        "global_admin",
        "admin_agent",
        "sales_agent",
        "helpdesk_agent",
    }


EXPORT = "adminrelationships:adminrelationship_export"
# The session, the user, the rows (customer and requester joined, the request email by subquery): no query per row.
EXPORT_QUERIES = 3


def _export_rows(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(reverse(EXPORT) + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_lists_the_partners_relationships_under_the_lists_filters(world, client_for):
    agent = world.users["admin_agent"]
    pending = request_for(world.customer_in, agent, name="Pending one")
    active = approve(request_for(world.customer_in, agent, name="Active one", roles=[GLOBAL_ADMIN]))
    admin_relationship_b(world)  # partner B's: never in A's export
    client = client_for(world.users["helpdesk_agent"])

    rows = _export_rows(client)
    assert [row["Name"] for row in rows] == ["Active one", "Pending one"]  # newest request first
    by_name = {row["Name"]: row for row in rows}
    assert by_name["Active one"]["Status"] == "active"
    assert by_name["Active one"]["Roles"] == GLOBAL_ADMIN
    assert by_name["Active one"]["Role names"] == "Global Administrator"
    assert by_name["Active one"]["Approved by"] == "Ana Kim"
    assert by_name["Active one"]["Ends (UTC)"] == active.ends_at.astimezone(UTC).isoformat()
    assert by_name["Pending one"]["Status"] == "approval_pending"
    assert by_name["Pending one"]["Customer ID"] == str(pending.customer_id)

    assert [row["Name"] for row in _export_rows(client, "?status=active")] == ["Active one"]
    assert [row["Name"] for row in _export_rows(client, f"?role={DIRECTORY_READERS}")] == ["Pending one"]


def test_export_neutralises_formulas_in_customer_names(world, client_for):
    customer = make_customer(
        world.partner_a, actor=world.users["global_admin"], data={"company_name": "=HYPERLINK(1) Ltd"}
    )
    request_for(customer, world.users["admin_agent"], name="Formula check")
    rows = _export_rows(client_for(world.users["admin_agent"]))
    assert [row["Customer"] for row in rows if row["Name"] == "Formula check"] == ["'=HYPERLINK(1) Ltd"]


def test_the_list_links_to_the_export_with_its_filters(world, client_for):
    client = client_for(world.users["admin_agent"])
    response = client.get(reverse(LIST) + "?status=active&after=x")
    assert f'href="{reverse(EXPORT)}?status=active"' in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_export_query_count_does_not_grow_with_rows(world, client_for, django_assert_num_queries, count):
    for i in range(count):
        request_for(world.customer_in, world.users["admin_agent"], name=f"Rel {i}")
    client = client_for(world.users["helpdesk_agent"])
    _export_rows(client)  # warm the session and permission caches
    with django_assert_num_queries(EXPORT_QUERIES):
        assert len(_export_rows(client)) == count
