"""Writes of a customer's profile: create, update, attest the customer agreement. Each validates (through
`customers.services.validation`), changes, and logs activity atomically; who holds the customer is the onboarding
service's business (`relationships.services.onboarding`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from activity.services import Actions, activity_record
from customers.models import Customer
from customers.services.validation import (
    AGREEMENT_FIELDS,
    DOMAIN_TAKEN,
    PROFILE_FIELDS,
    agreement_clean,
    customer_clean,
    primary_domain_for,
    rule_error,
)
from partnerportal.models import Partner, User
from partnerportal.webhooks.events import event_emit
from partnerportal.webhooks.models import EventType
from relationships.models import Relationship


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    data: dict[str, Any],
    domain_prefix: str,
    partner: Partner | None = None,
    action: Actions = Actions.CUSTOMER_CREATE,
    details: dict[str, Any] | None = None,
    log: bool = True,
) -> Customer:
    """Create a customer, and nothing else: validate the profile, save it, log "customer created".

    Who holds the customer is not this function's business: `relationships.services.customer_onboard` creates
    the customer through it and begins the partner's relationship. `details` add to the activity entry.
    """
    partner = partner or (actor.partner if actor is not None else None)
    cleaned = customer_clean(data=data, domain_prefix=domain_prefix, partner=partner)
    customer = Customer(primary_domain=primary_domain_for(domain_prefix), **cleaned)
    customer.full_clean(validate_unique=False)
    try:
        # A savepoint: when a concurrent request took the domain first, the unique index refuses this row
        # and the caller gets the same message as the pre-check would have given.
        with transaction.atomic():
            customer.save(force_insert=True)
    except IntegrityError as exc:
        if "primary_domain" in str(exc):
            raise ValidationError({"domain_prefix": [ValidationError(DOMAIN_TAKEN, code="unique")]}) from exc
        raise
    if log:
        after = {
            "company_name": customer.company_name,
            "primary_domain": customer.primary_domain,
            "agreement_status": customer.agreement_status,
            **(details or {}),
        }
        activity_record(action=action, actor=actor, partner=partner, customer=customer, after=after)
    return customer


def _updated_emit(customer: Customer) -> None:
    """`customer.updated` to every partner holding the customer (each sees its own relationship and tags)."""
    holders = Relationship.objects.filter(customer=customer, status=Relationship.Status.ACTIVE).values_list(
        "partner_id", flat=True
    )
    for partner_id in holders:
        event_emit(EventType.CUSTOMER_UPDATED, partner=partner_id, resource=customer)


def _jsonable(value: Any) -> Any:
    """Activity details are JSON: dates as ISO strings."""
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, data: dict[str, Any]) -> Customer:
    """Change a customer's profile (never its domain) and log the changed fields, before and after.

    Fields missing from `data` keep their values. The row is locked, so two editors saving at once apply one
    after the other and each log entry shows what that save really changed.
    """
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    current = {field: getattr(locked, field) for field in PROFILE_FIELDS}
    submitted = {field: data[field] for field in PROFILE_FIELDS if field in data}
    cleaned = customer_clean(data={**current, **submitted}, domain_prefix=None, partner=actor.partner, customer=locked)
    changed = [field for field in (*PROFILE_FIELDS, "language") if getattr(locked, field) != cleaned[field]]
    if not changed:
        return locked
    before = {field: _jsonable(getattr(locked, field)) for field in changed}
    for field in changed:
        setattr(locked, field, cleaned[field])
    locked.full_clean(validate_unique=False)
    locked.save(update_fields=changed)
    activity_record(
        action=Actions.CUSTOMER_UPDATE,
        actor=actor,
        customer=locked,
        before=before,
        after={field: _jsonable(getattr(locked, field)) for field in changed},
    )
    _updated_emit(locked)
    return locked


@transaction.atomic
def customer_agreement_attest(*, actor: User, customer: Customer, name: str, email: str, date: date | None) -> Customer:
    """Record the partner's attestation that the customer accepted the customer agreement (name, email, date)."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.agreement_status == Customer.Agreement.ACCEPTED_BY_CUSTOMER:
        raise ValidationError(rule_error("agreement_already_accepted"))
    cleaned = agreement_clean(
        {
            "agreement_status": Customer.Agreement.ATTESTED_BY_PARTNER,
            "agreement_name": name,
            "agreement_email": email,
            "agreement_date": date,
        },
        actor.partner,
    )
    before = {field: _jsonable(getattr(locked, field)) for field in AGREEMENT_FIELDS}
    for field, value in cleaned.items():
        setattr(locked, field, value)
    locked.full_clean(validate_unique=False)
    locked.save(update_fields=list(AGREEMENT_FIELDS))
    activity_record(
        action=Actions.CUSTOMER_AGREEMENT_ATTEST,
        actor=actor,
        customer=locked,
        before=before,
        after={field: _jsonable(getattr(locked, field)) for field in AGREEMENT_FIELDS},
    )
    _updated_emit(locked)
    return locked
