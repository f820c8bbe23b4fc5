"""The only code that grants or revokes object permissions (guardian's direct foreign-key tables).

Guardian stores one permission per reachable customer, the reach (customers.view_customer): on the partner's
staff group (one per partner, every whole-partner staff user a member) for each customer the partner has an
active relationship with, and on the user for each customer assigned to an assigned-scope user. What the user
may do on a reachable customer comes from the role table (see `policy`), so it is not stored here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import models, transaction

from partnerportal.models import Partner, User
from permissions import policy
from permissions.models import CustomerAssignment, PartnerGroup
from permissions.roles import REACH, Action


def reach_permission() -> Permission:
    """The one permission guardian stores per object: reaching the customer."""
    return Permission.objects.get(content_type__app_label=REACH.app_label, codename=REACH.codename)


def partner_group(partner: Partner) -> Group:
    """Return the partner's staff group, creating it when missing."""
    existing = PartnerGroup.objects.filter(partner=partner).select_related("group").first()
    if existing is not None:
        return existing.group
    group = Group.objects.create(name=f"partner-{partner.pk}")
    PartnerGroup.objects.create(partner=partner, group=group)
    return group


def customer_access_grant(*, partner: Partner, customers: Iterable[models.Model]) -> None:
    """Let the partner's whole-partner staff reach the customers: one row per customer (idempotent)."""
    customers = list(customers)
    if not customers:
        return
    _user_table, group_table = policy.object_permission_models()
    group, permission = partner_group(partner), reach_permission()
    rows = [group_table(group=group, permission=permission, content_object=customer) for customer in customers]
    group_table.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)


def customer_access_revoke(*, partner: Partner, customer: models.Model) -> None:
    """Take the partner's staff's reach on the customer, and drop their assignments to it."""
    user_table, group_table = policy.object_permission_models()
    group_table.objects.filter(content_object=customer, group__partner_group__partner=partner).delete()
    user_table.objects.filter(content_object=customer, user__partner=partner).delete()
    CustomerAssignment.objects.filter(customer_id=customer.pk, user__partner=partner).delete()


@transaction.atomic
def user_access_sync(*, user: User) -> None:
    """Bring a user's group membership and direct reach in line with their roles, scope and assignments."""
    user_table, _group_table = policy.object_permission_models()
    user_table.objects.filter(user=user).delete()
    # The user's actions, read fresh: roles, scope or activity may just have changed.
    user.__dict__.pop("_portal_actions", None)
    actions = policy.user_actions(user)
    if not actions or user.partner is None:
        user.groups.clear()
        return
    if Action.SEE_WHOLE_PARTNER in actions:
        user.groups.set([partner_group(user.partner)])
        return
    user.groups.clear()
    permission = reach_permission()
    # Assigned customers the partner still has an active relationship with.
    assigned = CustomerAssignment.objects.filter(
        user=user,
        customer__relationships__partner=user.partner,
        customer__relationships__status="active",
    ).values_list("customer_id", flat=True)
    rows = [user_table(user=user, permission=permission, content_object_id=pk) for pk in assigned]
    user_table.objects.bulk_create(rows, ignore_conflicts=True)
