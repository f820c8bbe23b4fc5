"""Onboarding: `customer_create` creates only the customer; `customer_onboard` adds the relationship and access."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from activity.models import ActivityEntry
from activity.services import Actions
from customers.models import Customer
from customers.services import customer_create
from permissions import policy
from permissions.roles import Action
from relationships.models import Relationship
from relationships.services import customer_onboard
from tests.factories import customer_data, make_partner, make_user


def test_customer_create_creates_the_customer_and_nothing_else(world):
    admin = world.users["global_admin"]
    customer = customer_create(actor=admin, data=customer_data(), domain_prefix="onlycustomer")

    assert Customer.objects.filter(pk=customer.pk).exists()
    assert not Relationship.objects.filter(customer=customer).exists()
    assert not policy.can(admin, Action.VIEW_CUSTOMER, customer)
    assert list(ActivityEntry.objects.filter(customer=customer).values_list("action", flat=True)) == [
        Actions.CUSTOMER_CREATE
    ]


def test_customer_onboard_begins_the_relationship_grants_access_and_logs_once(world):
    admin = world.users["global_admin"]
    customer = customer_onboard(actor=admin, data=customer_data(), domain_prefix="onboarded")

    relationship = Relationship.objects.get(customer=customer)
    assert (relationship.partner, relationship.status, relationship.kind) == (
        world.partner_a,
        Relationship.Status.ACTIVE,
        Relationship.Kind.DIRECT,
    )
    assert policy.can(admin, Action.VIEW_CUSTOMER, customer)
    assert not policy.can(world.user_b, Action.VIEW_CUSTOMER, customer)
    assert ActivityEntry.objects.filter(customer=customer).count() == 1


def test_an_indirect_onboarding_without_an_active_partnership_changes_nothing(db):
    provider = make_partner(type="indirect_provider")
    reseller = make_partner(type="indirect_reseller")
    admin = make_user(provider, "global_admin")
    customers, entries = Customer.objects.count(), ActivityEntry.objects.count()

    with pytest.raises(ValidationError) as caught:
        customer_onboard(actor=admin, data=customer_data(), domain_prefix="nopartnership", reseller=reseller)

    assert "reseller" in caught.value.message_dict
    assert (Customer.objects.count(), ActivityEntry.objects.count()) == (customers, entries)
