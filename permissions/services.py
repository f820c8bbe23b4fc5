"""The only code that grants or revokes object permissions (guardian's direct foreign-key tables).

Partner-wide scope: each (partner, role) has an auth group that holds that role's per-customer permissions on
every customer the partner has an active relationship with; staff with scope "partner" are members of the
groups of their roles. Assigned scope: the user holds the same permissions directly, on assigned customers only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, CustomerGroupObjectPermission, CustomerUserObjectPermission
from partnerportal.models import Partner, PartnerRoleGroup, User
from permissions.models import CustomerAssignment, PurchasePermission
from permissions.roles import OBJECT_ACTIONS, Role, Scope, object_codenames


def _permissions_by_codename() -> dict[str, Permission]:
    codenames = [action.split(".", 1)[1] for action in OBJECT_ACTIONS]
    return {
        p.codename: p for p in Permission.objects.filter(content_type__app_label="customers", codename__in=codenames)
    }


def role_groups(partner: Partner) -> dict[Role, Group]:
    """Return the partner's group for every role, creating missing ones."""
    existing = {prg.role: prg.group for prg in PartnerRoleGroup.objects.filter(partner=partner).select_related("group")}
    for role in Role:
        if role not in existing:
            group = Group.objects.create(name=f"partner-{partner.pk}-{role.value}")
            PartnerRoleGroup.objects.create(partner=partner, role=role, group=group)
            existing[role] = group
    return {Role(role): group for role, group in existing.items()}


def customer_access_grant(*, partner: Partner, customers: Iterable[Customer]) -> None:
    """Give the partner's role groups their roles' permissions on the customers (idempotent)."""
    customers = list(customers)
    if not customers:
        return
    perms = _permissions_by_codename()
    rows = [
        CustomerGroupObjectPermission(group=group, permission=perms[codename], content_object=customer)
        for role, group in role_groups(partner).items()
        for codename in object_codenames(role)
        for customer in customers
    ]
    CustomerGroupObjectPermission.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)


def customer_access_revoke(*, partner: Partner, customer: Customer) -> None:
    """Take every permission the partner's staff hold on the customer, and drop their assignments to it."""
    CustomerGroupObjectPermission.objects.filter(content_object=customer, group__partner_role__partner=partner).delete()
    CustomerUserObjectPermission.objects.filter(content_object=customer, user__partner=partner).delete()
    CustomerAssignment.objects.filter(customer=customer, user__partner=partner).delete()


@transaction.atomic
def user_access_sync(*, user: User) -> None:
    """Bring a user's group memberships and direct permissions in line with their roles, scope and assignments."""
    CustomerUserObjectPermission.objects.filter(user=user).delete()
    if user.partner_id is None:
        user.groups.clear()
        return
    groups = role_groups(user.partner)
    wanted = [groups[role] for role in user.roles] if user.is_active and user.scope == Scope.PARTNER else []
    user.groups.set(wanted)
    if not user.is_active or user.scope != Scope.ASSIGNED:
        return
    perms = _permissions_by_codename()
    customers = list(
        Customer.objects.filter(
            assignments__user=user,
            relationships__partner_id=user.partner_id,
            relationships__status="active",
        )
    )
    rows = [
        CustomerUserObjectPermission(user=user, permission=perms[codename], content_object=customer)
        for role in user.roles
        for codename in object_codenames(role)
        for customer in customers
    ]
    CustomerUserObjectPermission.objects.bulk_create(rows, ignore_conflicts=True)


# --- Customer purchase permissions (PRODUCT.md §6) -----------------------------------------------------------


def purchase_permission_blocker(
    *, partner: Partner, customer: Customer, has_azure_plan: bool | None = None
) -> str | None:
    """Why the partner cannot turn a customer's purchase permissions on, or None when it can.

    `has_azure_plan` is for a caller that has just read the partner's subscriptions for the customer (the
    customer page); without it the database is asked.
    """
    from customers.models import Subscription

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


def _purchase_terms(permission) -> dict:
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
):
    """Allow or stop a customer buying one product itself; one activity entry per change, none when unchanged.

    Allowing needs an active Azure-plan subscription with the actor's partner. Stopping is always possible, so a
    partner can withdraw its liability even after the subscription has lapsed. Changing the expiry or note of an
    allowed permission replaces it and is logged as a new "Create" (Partner Center knows only create and delete).
    """
    from activity.services import Actions, activity_record

    partner = actor.partner
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
        before = _purchase_terms(current)
        current.delete()
        activity_record(
            action=Actions.PURCHASE_PERMISSION_DELETE, actor=actor, partner=partner, customer=customer, before=before
        )
        return None
    if expires_on is not None and expires_on < today:
        raise ValidationError({"expires_on": [_("The expiry date cannot be in the past.")]})
    unchanged = current is not None and (current.expires_on, current.note) == (expires_on, note)
    if unchanged and current.is_effective(today):
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
    return current
