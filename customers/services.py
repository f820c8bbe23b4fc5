"""Writes of customers. Every function here validates, changes, logs activity and grants access atomically."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer
from partnerportal.models import Partner
from relationships.models import Relationship
from relationships.services import relationship_begin

DOMAIN_TAKEN = _("This domain name is already in use. Choose another one.")


def primary_domain_for(prefix: str) -> str:
    """The full primary domain for a prefix: lower-case prefix + the deployment's fixed suffix."""
    return prefix.strip().lower() + settings.PORTAL_DOMAIN_SUFFIX


def domain_available(prefix: str) -> bool:
    """True when no customer uses the domain (the database constraint still decides under concurrency)."""
    return not Customer.objects.filter(primary_domain=primary_domain_for(prefix)).exists()


@transaction.atomic
def customer_create(
    *,
    actor,
    data: dict[str, Any],
    domain_prefix: str,
    partner: Partner | None = None,
    reseller: Partner | None = None,
    provider: Partner | None = None,
    source: str = Relationship.Source.CREATED,
    log: bool = True,
) -> Customer:
    """Create a customer and the partner's active relationship with it.

    Indirect when a provider adds it for one of its resellers (`reseller`) or a reseller adds it through one of
    its providers (`provider`): both partners then hold the relationship.
    """
    partner = partner or actor.partner
    customer = Customer(primary_domain=primary_domain_for(domain_prefix), **data)
    customer.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            customer.save(force_insert=True)
    except IntegrityError as exc:
        if "primary_domain" in str(exc):
            raise ValidationError({"domain_prefix": [DOMAIN_TAKEN]}) from exc
        raise
    relationship_begin(partner=partner, customer=customer, source=source, reseller=reseller, provider=provider)
    if log:
        activity_record(
            action=Actions.CUSTOMER_CREATE if source != Relationship.Source.IMPORT else Actions.CUSTOMER_IMPORT,
            actor=actor,
            partner=partner,
            customer=customer,
            after={"company_name": customer.company_name, "primary_domain": customer.primary_domain},
        )
    return customer
