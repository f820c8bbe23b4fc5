"""Scope "assigned customers only", end to end: a helpdesk agent reaches exactly the customers a global admin
assigned to them, in every list and page, from the moment of the assignment."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import NoReverseMatch, reverse

from customers.models import CustomerUserObjectPermission
from permissions.models import CustomerAssignment
from permissions.services import customer_access_revoke
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module


@pytest.fixture
def scoped(world):
    """An assigned-scope helpdesk agent of partner A, and two more customers of A (none assigned yet)."""
    agent = make_user(world.partner_a, "helpdesk_agent", scope="assigned", email="scoped.agent@contoso.example")
    ga = world.users["global_admin"]
    alpha = make_customer(world.partner_a, actor=ga, prefix="alphascope", data={"company_name": "Alpha Scope Ltd"})
    beta = make_customer(world.partner_a, actor=ga, prefix="betascope", data={"company_name": "Beta Scope Ltd"})
    return agent, alpha, beta


def assign(client, agent, customers, scope="assigned"):
    response = client.post(
        reverse("staff:user_update", args=[agent.pk]),
        {
            "first_name": agent.first_name,
            "last_name": agent.last_name,
            "admin_role": agent.admin_role,
            "agent_role": agent.agent_role,
            "scope": scope,
            "customers": [str(c.pk) for c in customers],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def names_everywhere(client) -> dict[str, set[str]]:
    """The customer names the user meets in the list, the lookup and the export (those that exist)."""
    seen: dict[str, set[str]] = {}
    html = client.get(reverse("customers:customer_list")).content.decode()
    seen["list"] = {n for n in ("Alpha Scope Ltd", "Beta Scope Ltd") if n in html}
    try:
        lookup = reverse("customers:customer_lookup")
    except NoReverseMatch:
        lookup = None
    if lookup:
        html = client.get(lookup, {"q": "scope"}).content.decode()
        seen["lookup"] = {n for n in ("Alpha Scope Ltd", "Beta Scope Ltd") if n in html}
    try:
        export = reverse("customers:customer_export")
    except NoReverseMatch:
        export = None
    if export:
        response = client.get(export)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        seen["export"] = {row[1] for row in rows[1:]} & {"Alpha Scope Ltd", "Beta Scope Ltd"}
    return seen


def test_an_assigned_agent_sees_nothing_until_a_customer_is_assigned(world, client_for, scoped):
    agent, alpha, beta = scoped
    client = client_for(agent)
    assert all(found == set() for found in names_everywhere(client).values())
    assert world.customer_in.company_name not in client.get(reverse("customers:customer_list")).content.decode()
    for customer in (alpha, beta, world.customer_in):
        assert client.get(customer.get_absolute_url()).status_code == 404


def test_assigning_and_unassigning_takes_effect_at_once(world, client_for, scoped):
    from django.test import Client

    agent, alpha, beta = scoped
    agent_client = Client()
    agent_client.force_login(agent)
    admin = client_for(world.users["global_admin"])

    assign(admin, agent, [alpha])

    found = names_everywhere(agent_client)
    assert set(found) >= {"list", "lookup", "export"}
    assert all(names == {"Alpha Scope Ltd"} for names in found.values()), found
    assert agent_client.get(alpha.get_absolute_url()).status_code == 200
    assert agent_client.get(beta.get_absolute_url()).status_code == 404
    assert agent_client.get(world.customer_in.get_absolute_url()).status_code == 404
    # The agent's role still bounds what they may do on an assigned customer: helpdesk reads and edits only.
    assert agent_client.get(reverse("customers:purchase_permissions", args=[alpha.pk])).status_code == 200

    assign(admin, agent, [beta])

    found = names_everywhere(agent_client)
    assert all(names == {"Beta Scope Ltd"} for names in found.values()), found
    assert agent_client.get(alpha.get_absolute_url()).status_code == 404
    assert agent_client.get(beta.get_absolute_url()).status_code == 200


def test_switching_to_partner_scope_reaches_every_customer_and_back(world, client_for, scoped):
    from django.test import Client

    agent, alpha, _ = scoped
    agent_client = Client()
    agent_client.force_login(agent)
    admin = client_for(world.users["global_admin"])
    assign(admin, agent, [alpha], scope="partner")
    # A scope change ends the agent's sessions: the old cookie is sent to sign in; a new sign-in gets the new scope.
    assert agent_client.get(world.customer_in.get_absolute_url()).status_code == 302
    agent_client.force_login(agent)
    assert all(names == {"Alpha Scope Ltd", "Beta Scope Ltd"} for names in names_everywhere(agent_client).values())
    assert agent_client.get(world.customer_in.get_absolute_url()).status_code == 200
    agent.refresh_from_db()
    assign(admin, agent, [alpha], scope="assigned")
    assert agent_client.get(alpha.get_absolute_url()).status_code == 302
    agent_client.force_login(agent)
    assert all(names == {"Alpha Scope Ltd"} for names in names_everywhere(agent_client).values())
    assert agent_client.get(world.customer_in.get_absolute_url()).status_code == 404


def test_only_the_partner_s_own_customers_can_be_assigned(world, client_for, scoped):
    agent, alpha, _ = scoped
    response = client_for(world.users["global_admin"]).post(
        reverse("staff:user_update", args=[agent.pk]),
        {"agent_role": "helpdesk_agent", "scope": "assigned", "customers": [str(world.customer_out.pk)]},
    )
    assert response.status_code == 200
    assert not CustomerAssignment.objects.filter(user=agent).exists()
    # The form's customer search finds only partner A's customers.
    assert world.customer_out.company_name not in response.content.decode()
    client = client_for(world.users["global_admin"])
    for q, found in ((alpha.company_name, True), (world.customer_out.company_name, False)):
        html = client.post(
            reverse("staff:user_update", args=[agent.pk]),
            {"agent_role": "helpdesk_agent", "scope": "assigned", "customer_q": q, "find_customers": "1"},
        ).content.decode()
        assert (q in html.split('id="customer-choices"', 1)[1].split("</div>\n  <label", 1)[0]) is found


def test_ending_the_relationship_drops_the_assignment(world, client_for, scoped):
    agent, alpha, _ = scoped
    admin = client_for(world.users["global_admin"])
    assign(admin, agent, [alpha])
    assert CustomerAssignment.objects.filter(user=agent, customer=alpha).exists()

    customer_access_revoke(partner=world.partner_a, customer=alpha)

    assert not CustomerAssignment.objects.filter(user=agent, customer=alpha).exists()
    assert client_for(agent).get(alpha.get_absolute_url()).status_code == 404


def test_a_deactivated_assigned_agent_loses_access_and_regains_it_on_reactivation(world, client_for, scoped):
    from partnerportal.staff import services

    agent, alpha, _ = scoped
    admin = client_for(world.users["global_admin"])
    assign(admin, agent, [alpha])
    services.staff_user_deactivate(actor=world.users["global_admin"], user=agent)
    assert not CustomerUserObjectPermission.objects.filter(user=agent).exists()
    assert CustomerAssignment.objects.filter(user=agent, customer=alpha).exists(), "kept for reactivation"
    services.staff_user_reactivate(actor=world.users["global_admin"], user=agent)
    agent.refresh_from_db()
    assert client_for(agent).get(alpha.get_absolute_url()).status_code == 200
