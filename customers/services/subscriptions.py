"""Writes of subscriptions: add one, and move it between active, suspended and cancelled.

Kept apart from customers/services.py (customer add/edit) so the two can change independently.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer, Subscription
from partnerportal.models import User
from relationships.models import Relationship

Status = Subscription.Status

# action -> (statuses it may start from, the status it leads to). Cancelled is final.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "suspend": (frozenset({Status.ACTIVE}), Status.SUSPENDED),
    "reactivate": (frozenset({Status.SUSPENDED}), Status.ACTIVE),
    "cancel": (frozenset({Status.ACTIVE, Status.SUSPENDED}), Status.CANCELLED),
}

NO_RELATIONSHIP = _(
    "You no longer have an active relationship with this customer, so its subscriptions can't be added or reactivated."
)
UNKNOWN_ACTION = _("Choose suspend, reactivate or cancel.")
IS_CANCELLED = _("“%(offer)s” is cancelled; a cancelled subscription can't be changed.")
ALREADY_SUSPENDED = _("“%(offer)s” is already suspended.")
ALREADY_ACTIVE = _("“%(offer)s” is already active.")


def _relationship_lock(*, partner_id: int, customer_id: uuid.UUID) -> Relationship:
    """Lock the partner's active relationship with the customer (ValidationError when there is none).

    Ending a relationship locks the same row and then looks for active subscriptions, so a subscription can't
    be added or reactivated while the relationship is being ended: one waits for the other and sees its result.
    """
    relationship = (
        Relationship.objects.select_for_update()
        .filter(partner_id=partner_id, customer_id=customer_id, status=Relationship.Status.ACTIVE)
        .first()
    )
    if relationship is None:
        raise ValidationError(NO_RELATIONSHIP)
    return relationship


@transaction.atomic
def subscription_create(
    *, actor: User, customer: Customer, offer_name: str, quantity: int, is_azure_plan: bool = False
) -> Subscription:
    """Add a subscription the actor's partner sells to the customer (only while their relationship is active)."""
    assert actor.partner_id is not None  # partner staff only: the policy gives users without a partner no actions
    _relationship_lock(partner_id=actor.partner_id, customer_id=customer.pk)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    subscription = Subscription(
        customer=customer,
        partner_id=actor.partner_id,
        offer_name=" ".join(offer_name.split()),
        quantity=quantity,
        is_azure_plan=is_azure_plan,
    )
    subscription.full_clean(exclude=["customer", "partner"])
    subscription.save()
    activity_record(
        action=Actions.SUBSCRIPTION_CREATE,
        actor=actor,
        customer=customer,
        after={
            "subscription": subscription.pk,
            "offer_name": subscription.offer_name,
            "quantity": subscription.quantity,
            "is_azure_plan": subscription.is_azure_plan,
            "status": subscription.status,
        },
    )
    return subscription


@transaction.atomic
def subscription_status_change(*, actor: User, subscription: Subscription, action: str) -> Subscription:
    """Suspend, reactivate or cancel a subscription of the actor's partner; an invalid move changes nothing."""
    assert actor.partner_id is not None  # partner staff only: the policy gives users without a partner no actions
    if action not in TRANSITIONS:
        raise ValidationError({"action": [UNKNOWN_ACTION]})
    if TRANSITIONS[action][1] == Status.ACTIVE:
        _relationship_lock(partner_id=actor.partner_id, customer_id=subscription.customer_id)
    # Lock the row and read its status afresh: a double submit or two agents at once see the first change.
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=subscription.pk, partner_id=actor.partner_id)
    )
    allowed_from, target = TRANSITIONS[action]
    if subscription.status not in allowed_from:
        if subscription.status == Status.CANCELLED:
            message = IS_CANCELLED
        elif subscription.status == Status.SUSPENDED:
            message = ALREADY_SUSPENDED
        else:
            message = ALREADY_ACTIVE
        raise ValidationError({"action": [ValidationError(message, params={"offer": subscription.offer_name})]})
    before = subscription.status
    subscription.status = target
    subscription.full_clean(exclude=["customer", "partner"])
    subscription.save(update_fields=["status"])
    activity_record(
        action=Actions.SUBSCRIPTION_STATUS,
        actor=actor,
        customer=subscription.customer,
        before={"subscription": subscription.pk, "offer_name": subscription.offer_name, "status": before},
        after={"subscription": subscription.pk, "offer_name": subscription.offer_name, "status": target},
    )
    return subscription
