"""Customer purchase permissions (PRODUCT.md §6): allow or stop a customer buying one product itself."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer, Subscription
from partnerportal.models import Partner, User
from partnerportal.webhooks.events import event_emit
from partnerportal.webhooks.models import EventType
from permissions.models import PurchasePermission


def purchase_permission_blocker(
    *, partner: Partner | None, customer: Customer, has_azure_plan: bool | None = None
) -> str | None:
    """Why the partner cannot turn a customer's purchase permissions on, or None when it can.

    `has_azure_plan` is for a caller that has just read the partner's subscriptions for the customer (the
    customer page); without it the database is asked.
    """
    if has_azure_plan is None:
        has_azure_plan = Subscription.objects.filter(
            customer=customer, partner=partner, is_azure_plan=True, status=Subscription.Status.ACTIVE
        ).exists()
    if has_azure_plan:
        return None
    return str(
        _(
            "The customer has no active Azure plan subscription with your organisation. Buy an Azure plan "
            "for the customer before you allow them to purchase."
        )
    )


def _purchase_terms(permission: PurchasePermission) -> dict:
    return {
        "product": permission.product,
        "expires_on": permission.expires_on.isoformat() if permission.expires_on else None,
        "note": permission.note,
    }


@transaction.atomic
def purchase_permission_set(
    *,
    actor: User,
    customer: Customer,
    product: str,
    allowed: bool,
    expires_on: date | None = None,
    note: str = "",
) -> PurchasePermission | None:
    """Allow or stop a customer buying one product itself; one activity entry per change, none when unchanged.

    Allowing needs an active Azure-plan subscription with the actor's partner. Stopping is always possible, so a
    partner can withdraw its liability even after the subscription has lapsed. Changing the expiry or note of an
    allowed permission replaces it and is logged as a new "Create" (Partner Center knows only create and delete).
    """
    partner = actor.partner
    assert partner is not None  # partner staff only: the policy gives users without a partner no actions
    if product not in PurchasePermission.Product.values:
        raise ValidationError({"product": [_("Choose a product.")]})
    note = (note or "").strip()
    today = timezone.localdate()
    # Lock the customer row: serialises concurrent changes even when no permission row exists yet to lock.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    current = (
        PurchasePermission.objects.select_for_update()
        .filter(partner=partner, customer=customer, product=product)
        .first()
    )
    if not allowed:
        if current is None:
            return None
        before: dict | None = _purchase_terms(current)
        current.delete()
        activity_record(
            action=Actions.PURCHASE_PERMISSION_DELETE, actor=actor, partner=partner, customer=customer, before=before
        )
        # The deleted instance keeps its fields (and no pk): the payload says the product is no longer allowed.
        event_emit(EventType.PURCHASE_PERMISSION_CHANGED, partner=partner, resource=current)
        return None
    if expires_on is not None and expires_on < today:
        raise ValidationError({"expires_on": [_("The expiry date cannot be in the past.")]})
    unchanged = current is not None and (current.expires_on, current.note) == (expires_on, note)
    if unchanged and current is not None and current.is_effective(today):
        return current
    blocker = purchase_permission_blocker(partner=partner, customer=customer)
    if blocker:
        raise ValidationError(blocker)
    before = _purchase_terms(current) if current is not None else None
    if current is None:
        current = PurchasePermission(partner=partner, customer=customer, product=product)
    current.expires_on, current.note = expires_on, note
    current.created_at, current.created_by = timezone.now(), actor
    current.full_clean(validate_constraints=False)
    current.save()
    activity_record(
        action=Actions.PURCHASE_PERMISSION_CREATE,
        actor=actor,
        partner=partner,
        customer=customer,
        before=before,
        after=_purchase_terms(current),
    )
    event_emit(EventType.PURCHASE_PERMISSION_CHANGED, partner=partner, resource=current)
    return current
