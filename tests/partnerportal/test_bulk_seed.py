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
from customers.models import Customer, CustomerGroupObjectPermission
from partnerportal.infrastructure.dbroles import has_separate_owner
from partnerportal.models import Partner, User
from partnerportal.seeding import bulk
from partnerportal.seeding.admin_relationships import PLANS
from partnerportal.seeding.bulk import bulk_seed, schema_of
from relationships.models import Relationship
from tests.factories import make_customer, make_partner, make_user

N = 300


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", customers=N, stdout=out)
    assert "Bulk seeded 300 customers in" in out.getvalue(), "the seeder reports how long it took"
    if has_separate_owner():
        # As the portal's role (the suite's), COPY and the inserts work; only ANALYZE is the owner's.
        assert "left to autovacuum" in out.getvalue()
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


def bulk_tables() -> list[str]:
    return [model._meta.db_table for model in bulk.COLUMNS]


@pytest.mark.django_db(transaction=True)
def test_a_large_first_run_rebuilds_the_indexes_and_leaves_the_schema_as_it_was(monkeypatch):
    """Into fresh tables the seeder drops the indexes, constraints and foreign keys, writes and creates them again
    (committed, as the owner); a second run writes with every index in place. Either way the schema is unchanged."""
    for name, partner_id in (("Contoso", "CONTOSO-001"), ("Fabrikam", "FABRIKAM-001"), ("Northwind", "NORTHWIND-001")):
        partner = make_partner(name=name)
        Partner.objects.filter(pk=partner.pk).update(partner_id=partner_id)
        make_user(partner, "global_admin")
    before = schema_of(bulk_tables())
    assert len(before["indexes"]) > 20 and len(before["constraints"]) > 20
    monkeypatch.setattr(bulk, "REBUILD_MIN", 40)

    first = io.StringIO()
    bulk_seed(count=60, rng=random.Random(2026), stdout=first)
    assert "indexes rebuilt afterwards" in first.getvalue()
    assert schema_of(bulk_tables()) == before
    second = io.StringIO()
    bulk_seed(count=60, rng=random.Random(2026), stdout=second)
    assert "rebuilt" not in second.getvalue(), "a run into tables that hold bulk customers keeps the indexes"
    assert schema_of(bulk_tables()) == before

    assert bulk_customers().count() == 120
    contoso = Partner.objects.get(partner_id="CONTOSO-001")
    reached = set(
        CustomerGroupObjectPermission.objects.filter(group__partner_group__partner=contoso).values_list(
            "content_object_id", flat=True
        )
    )
    assert reached == active_ids(contoso)
    assert ActivityEntry.objects.filter(customer_id__in=bulk_customers().values("pk")).count() == 120
