"""Helpdesk lookup: exact hits first (ID, domain or its prefix, contact email), then contains matches."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from customers.models import Customer
from tests.customers.list_helpers import customer_named, names_in, query_count
from tests.factories import make_customer

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

LOOKUP = reverse("customers:customer_lookup")


@pytest.fixture
def helpdesk(world):
    return world.users["helpdesk_agent"]


def _matches(response) -> list[tuple[str, str]]:
    """(company name, match kind) of each result row, in order."""
    body = response.content.decode().split('id="lookup-results"', 1)[1].split("</table>", 1)[0]
    kinds = re.findall(r'data-match="(\w+)"', body)
    return list(zip(names_in(response.content, "lookup-results"), kinds, strict=True))


@pytest.fixture
def acme(world, helpdesk):
    admin = world.users["global_admin"]
    # "Acme" appears in all of these names, so a contains search alone would list them all.
    exact = make_customer(
        world.partner_a,
        actor=admin,
        prefix="acme",
        data={"company_name": "Zeta Acme Holdings", "contact_email": "It.Admin@Acme-Corp.example"},
    )
    customer_named(world.partner_a, admin, "Acme Anvils", contact_email="sales@anvils.example")
    customer_named(world.partner_a, admin, "Best Acme Rockets", contact_email="boss@rockets.example")
    return exact


def test_the_lookup_page_is_in_the_navigation_of_every_role_that_views_customers(world, client_for):
    for role in ("global_admin", "admin_agent", "sales_agent", "helpdesk_agent"):
        assert (
            f'href="{LOOKUP}"' in client_for(world.users[role]).get(reverse("customers:customer_list")).content.decode()
        )
    assert f'href="{LOOKUP}"' not in client_for(world.users["no_role"]).get(reverse("home")).content.decode()


def test_an_empty_box_shows_no_results_table(world, helpdesk, client_for):
    response = client_for(helpdesk).get(LOOKUP)
    assert response.status_code == 200
    assert 'id="lookup-results"' not in response.content.decode()
    assert 'id="lookup-results"' not in client_for(helpdesk).get(LOOKUP, {"q": "   "}).content.decode()


def test_a_domain_prefix_is_an_exact_hit_listed_before_the_name_matches(acme, helpdesk, client_for):
    response = client_for(helpdesk).get(LOOKUP, {"q": "ACME"})
    assert _matches(response) == [
        ("Zeta Acme Holdings", "domain"),
        ("Acme Anvils", "contains"),
        ("Best Acme Rockets", "contains"),
    ]


def test_the_full_domain_is_an_exact_hit(acme, helpdesk, client_for):
    response = client_for(helpdesk).get(LOOKUP, {"q": " Acme.onmicrosoft.com "})
    assert _matches(response)[0] == ("Zeta Acme Holdings", "domain")


def test_the_contact_email_is_an_exact_hit_whatever_its_case(acme, helpdesk, client_for):
    response = client_for(helpdesk).get(LOOKUP, {"q": "it.admin@acme-corp.EXAMPLE"})
    assert _matches(response) == [("Zeta Acme Holdings", "email")]


def test_the_customer_id_is_an_exact_hit(acme, helpdesk, client_for):
    response = client_for(helpdesk).get(LOOKUP, {"q": str(acme.pk).upper()})
    assert _matches(response) == [("Zeta Acme Holdings", "id")]


def test_results_link_to_the_customer_page_and_are_read_only(acme, helpdesk, client_for):
    html = client_for(helpdesk).get(LOOKUP, {"q": "acme"}).content.decode()
    assert f'href="{acme.get_absolute_url()}"' in html
    results = html.split('id="lookup-results"', 1)[1].split("</table>", 1)[0]
    assert "<form" not in results and "<button" not in results


def test_the_lookup_never_finds_another_partners_customers(world, helpdesk, client_for):
    other = world.customer_out
    client = client_for(helpdesk)
    for q in (str(other.pk), other.primary_domain, other.domain_prefix, other.contact_email, other.company_name):
        response = client.get(LOOKUP, {"q": q})
        assert _matches(response) == [], q
        assert "No customer matches." in response.content.decode()


def test_an_assigned_scope_agent_finds_only_assigned_customers(world, client_for):
    from tests.factories import make_user

    agent = make_user(world.partner_a, "helpdesk_agent", scope="assigned")
    response = client_for(agent).get(LOOKUP, {"q": world.customer_in.primary_domain})
    assert _matches(response) == []


def test_the_lookup_shows_at_most_50_results(world, helpdesk, client_for):
    admin = world.users["global_admin"]
    for i in range(52):
        customer_named(world.partner_a, admin, f"Many Match {i:02d} Co")
    response = client_for(helpdesk).get(LOOKUP, {"q": "many match"})
    assert len(_matches(response)) == 50
    assert "Showing the first 50 matches" in response.content.decode()


def test_the_exact_lookup_uses_the_indexes(acme, helpdesk):
    exact = Customer.objects.alias(contact_email_ci=Lower("contact_email")).filter(
        Q(pk=acme.pk)
        | Q(primary_domain__in=["acme", "acme.onmicrosoft.com"])
        | Q(contact_email_ci="it.admin@acme-corp.example")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = exact.order_by().values("pk").explain()
    assert "Seq Scan" not in plan, plan
    index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    # each of the three exact matches is answered from an index (which one serves `id =` is the planner's pick)
    assert any(f"id = '{acme.pk}'" in line for line in index_conditions), plan
    assert any("primary_domain" in line for line in index_conditions), plan
    assert "customer_contact_email_ci" in plan, plan


def test_the_lookup_runs_the_same_queries_at_1_and_at_50_results(
    world, helpdesk, client_for, django_assert_num_queries
):
    admin = world.users["global_admin"]
    make_customer(world.partner_a, actor=admin, prefix="bulk", data={"company_name": "Bulk Exact"})
    client = client_for(helpdesk)
    assert len(_matches(client.get(LOOKUP, {"q": "bulk"}))) == 1
    count = query_count(lambda: client.get(LOOKUP, {"q": "bulk"}))
    for i in range(49):
        customer_named(world.partner_a, admin, f"Bulk Contains {i:02d}")
    with django_assert_num_queries(count):
        response = client.get(LOOKUP, {"q": "bulk"})
    assert len(_matches(response)) == 50
    assert _matches(response)[0] == ("Bulk Exact", "domain")
