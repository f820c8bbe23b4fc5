"""`seed_demo --customers N`: the bulk seeder writes what real use writes, and partners stay isolated."""

from __future__ import annotations

import io
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from activity.models import ActivityEntry
from adminrelationships.models import AdminRelationship
from customers.models import Customer, CustomerGroupObjectPermission, CustomerTag, Subscription
from partnerportal.infrastructure.dbroles import has_separate_owner
from partnerportal.models import Partner, User
from partnerportal.seeding.admin_relationships import PLANS
from partnerportal.seeding.bulk import bulk_seed
from relationships.models import Relationship
from tests.conftest import module_data
from tests.factories import make_customer

N = 300


@pytest.fixture(scope="module")
def seed_output(django_db_setup, django_db_blocker):
    """`seed_demo --customers 300` once for the module; each test runs in a savepoint of it (see module_data)."""

    def build() -> str:
        out = io.StringIO()
        call_command("seed_demo", customers=N, stdout=out)
        return out.getvalue()

    with module_data(django_db_blocker, build) as output:
        yield output


@pytest.fixture
def seeded(seed_output, db):
    assert "Bulk seeded 300 customers in" in seed_output, "the seeder reports how long it took"
    assert "rebuilt" not in seed_output, "inside a transaction, as the portal's role, the indexes stay in place"
    if has_separate_owner():
        # As the portal's role (the suite's), the inserts work; only ANALYZE is the owner's.
        assert "left to autovacuum" in seed_output
    return {p.partner_id: p for p in Partner.objects.all()}


def bulk_customers():
    return Customer.objects.filter(primary_domain__startswith="bk")


def active_ids(partner: Partner) -> set:
    return set(
        Relationship.objects.filter(
            partner=partner, status=Relationship.Status.ACTIVE, customer__primary_domain__startswith="bk"
        ).values_list("customer_id", flat=True)
    )


def list_ids(client, **params) -> set:
    """Every customer ID the list view shows, following its next-page links to the end."""
    seen: set = set()
    url = reverse("customers:customer_list")
    query = dict(params)
    for _ in range(100):
        response = client.get(url, query)
        assert response.status_code == 200
        seen |= {c.pk for c in response.context["customers"]}
        cursor = response.context["page"].next_cursor
        if not cursor:
            return seen
        query = {**params, "after": cursor}
    raise AssertionError("the list never reached its last page")


def grant_signature(customer) -> Counter:
    """The (group, permission) pairs held on a customer, by group name and codename."""
    return Counter(
        CustomerGroupObjectPermission.objects.filter(content_object=customer).values_list(
            "group__name", "permission__codename"
        )
    )


def test_most_seeded_customers_belong_to_contoso_and_some_relationships_ended(seeded):
    contoso = seeded["CONTOSO-001"]
    assert bulk_customers().count() == N
    assert len(active_ids(contoso)) >= 0.8 * N
    assert Relationship.objects.filter(status=Relationship.Status.ENDED, customer__in=bulk_customers()).exists()
    chain = Relationship.objects.filter(kind=Relationship.Kind.INDIRECT, customer__in=bulk_customers())
    assert set(chain.values_list("partner__partner_id", flat=True)) == {"FABRIKAM-001", "NORTHWIND-001"}
    assert ActivityEntry.objects.filter(customer_id__in=bulk_customers().values("pk")).count() == N


def test_every_seeded_customer_holds_the_rows_of_one_plan(seeded):
    """Each customer is direct with one partner, in the chain (both partners' rows), or ended; tags, subscriptions
    and access only where the relationship is active, and only of that partner; the activity entry as real use."""
    relationships: dict = {}
    for customer_id, partner_id, kind, status in Relationship.objects.filter(customer__in=bulk_customers()).values_list(
        "customer_id", "partner__partner_id", "kind", "status"
    ):
        relationships.setdefault(customer_id, set()).add((partner_id, kind, status))
    plans = Counter(frozenset(rows) for rows in relationships.values())
    assert set(plans) <= {
        frozenset({("CONTOSO-001", "direct", "active")}),
        frozenset({("FABRIKAM-001", "direct", "active")}),
        frozenset({("NORTHWIND-001", "indirect", "active"), ("FABRIKAM-001", "indirect", "active")}),
        frozenset({("CONTOSO-001", "direct", "ended")}),
        frozenset({("FABRIKAM-001", "direct", "ended")}),
    }
    assert len(relationships) == N
    assert plans[frozenset({("CONTOSO-001", "direct", "active")})] >= 0.75 * N

    active = {
        (customer_id, partner)
        for customer_id, rows in relationships.items()
        for partner, _kind, status in rows
        if status == "active"
    }
    tags = Counter(
        CustomerTag.objects.filter(customer__in=bulk_customers()).values_list("customer_id", "tag__partner__partner_id")
    )
    assert set(tags) <= active, "tags only of a partner with an active relationship"
    assert max(tags.values()) <= 4 and sum(tags.values()) >= N
    subscriptions = Counter(
        Subscription.objects.filter(customer__in=bulk_customers()).values_list("customer_id", "partner__partner_id")
    )
    assert set(subscriptions) <= active and max(subscriptions.values()) <= 2
    assert Subscription.objects.filter(customer__in=bulk_customers(), quantity__lt=1).count() == 0

    by_service = make_customer(seeded["CONTOSO-001"])
    logged = ActivityEntry.objects.get(customer_id=by_service.pk)
    seeded_entry = ActivityEntry.objects.filter(customer_id__in=bulk_customers().values("pk")).first()
    assert seeded_entry.action == logged.action
    assert seeded_entry.details.keys() == logged.details.keys()
    assert seeded_entry.details["after"].keys() == logged.details["after"].keys()
    customer = Customer.objects.get(pk=seeded_entry.customer_id)
    assert seeded_entry.details["after"]["primary_domain"] == customer.primary_domain
    assert seeded_entry.customer_name == customer.company_name
    assert (
        customer.search_text
        == " ".join([customer.company_name, customer.primary_domain, customer.contact_email, str(customer.pk)]).lower()
    )


def test_contoso_sales_agent_sees_exactly_contosos_seeded_customers_in_the_list(seeded, client):
    contoso = seeded["CONTOSO-001"]
    client.force_login(User.objects.get(email="sales.agent@contoso.example"))

    shown = list_ids(client, q=".onmicrosoft.com", sort="-created") & set(bulk_customers().values_list("pk", flat=True))

    assert shown == active_ids(contoso)


def test_partners_never_see_each_others_seeded_customers(seeded, client):
    contoso, fabrikam, northwind = (seeded[p] for p in ("CONTOSO-001", "FABRIKAM-001", "NORTHWIND-001"))
    client.force_login(User.objects.get(email="sales.agent@fabrikam.example"))

    shown = list_ids(client, q="bk1n")

    assert shown == active_ids(fabrikam)
    assert not shown & active_ids(contoso)
    assert active_ids(northwind) <= shown, "the indirect chain's customers are the provider's too"
    ended = Relationship.objects.filter(partner=contoso, status=Relationship.Status.ENDED).first()
    response = client.get(reverse("customers:customer_detail", args=[next(iter(active_ids(contoso)))]))
    assert response.status_code == 404
    client.force_login(User.objects.get(email="sales.agent@contoso.example"))
    assert client.get(reverse("customers:customer_detail", args=[ended.customer_id])).status_code == 404


def test_guardian_rows_match_what_customer_access_grant_writes(seeded):
    contoso, fabrikam, northwind = (seeded[p] for p in ("CONTOSO-001", "FABRIKAM-001", "NORTHWIND-001"))
    by_service = make_customer(contoso)
    seeded_direct = Customer.objects.get(pk=next(iter(active_ids(contoso))))
    assert grant_signature(seeded_direct) == grant_signature(by_service)
    assert grant_signature(by_service) == Counter({(f"partner-{contoso.pk}", "view_customer"): 1}), (
        "one reach row per customer and partner, on the partner's staff group"
    )

    chain_by_service = make_customer(northwind, provider=fabrikam)
    seeded_chain = Customer.objects.get(pk=next(iter(active_ids(northwind))))
    assert grant_signature(seeded_chain) == grant_signature(chain_by_service)
    assert sum(grant_signature(chain_by_service).values()) == 2, "the reseller's row and its provider's row"

    ended = Relationship.objects.filter(status=Relationship.Status.ENDED, customer__in=bulk_customers()).first()
    assert not grant_signature(ended.customer), "an ended relationship leaves no access behind"


def test_running_the_seeder_again_adds_customers_with_new_domains(seeded):
    bulk_seed(count=20, rng=random.Random(2026), stdout=io.StringIO())

    assert bulk_customers().count() == N + 20
    assert Customer.objects.filter(primary_domain__startswith="bk2n").count() == 20


def test_the_bulk_customers_carry_no_demo_admin_relationships(seeded):
    """The handful of demo admin relationships stays a handful at any --customers (none on the bulk rows)."""
    assert AdminRelationship.objects.count() == 3 * len(PLANS)
    assert not AdminRelationship.objects.filter(customer__in=bulk_customers()).exists()
