"""`seed_demo --customers N` into fresh tables: the indexes, constraints and foreign keys are built once afterwards,
and the schema ends as it began (a transactional test: the rebuild commits, as the tables' owner)."""

from __future__ import annotations

import io
import random

import pytest

from activity.models import ActivityEntry
from customers.models import Customer, CustomerGroupObjectPermission
from partnerportal.models import Partner
from partnerportal.seeding import bulk
from partnerportal.seeding.bulk import bulk_seed, schema_of
from relationships.models import Relationship
from tests.factories import make_partner, make_user


def bulk_customers():
    return Customer.objects.filter(primary_domain__startswith="bk")


def active_ids(partner: Partner) -> set:
    return set(
        Relationship.objects.filter(
            partner=partner, status=Relationship.Status.ACTIVE, customer__primary_domain__startswith="bk"
        ).values_list("customer_id", flat=True)
    )


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
