"""The only code that grants or revokes object permissions (guardian's direct foreign-key tables).

Partner-wide scope: each (partner, role) has an auth group that holds that role's per-customer permissions on
every customer the partner has an active relationship with; staff with scope "partner" are members of the
groups of their roles. Assigned scope: the user holds the same permissions directly, on assigned customers only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from customers.models import Customer, CustomerGroupObjectPermission, CustomerUserObjectPermission
from partnerportal.models import Partner, PartnerRoleGroup, User
from permissions.models import CustomerAssignment
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
