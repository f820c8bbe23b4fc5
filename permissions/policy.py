"""Who may do what: `has_action` (the role table), `restrict` (which rows) and `can` (one object).

Every read of partner data starts from `restrict`, so an object outside the user's scope simply is not in
the queryset: detail views answer 404 and never reveal that it exists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from django.contrib.auth.models import Permission
from django.db.models import Model, Q, QuerySet
from django.db.models.signals import post_migrate

from permissions.roles import OBJECT_ACTIONS, Scope, actions_for_roles


def user_actions(user) -> frozenset[str]:
    """Every action the user's roles grant (empty for anonymous, inactive, operator or role-less users)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.partner_id is None:
        return frozenset()
    cached = getattr(user, "_portal_actions", None)
    if cached is None:
        cached = actions_for_roles(user.roles)
        user._portal_actions = cached
    return cached


def has_action(user, action: str) -> bool:
    """True when one of the user's roles grants the action somewhere (used to answer 403)."""
    return action in user_actions(user)


@cache
def _permission_id(action: str) -> int:
    app_label, codename = action.split(".", 1)
    return Permission.objects.values_list("pk", flat=True).get(content_type__app_label=app_label, codename=codename)


@cache
def _object_actions_by_permission_id() -> dict[int, str]:
    """Every per-customer action keyed by its permission's key (one query per process)."""
    match = Q()
    for action in OBJECT_ACTIONS:
        app_label, codename = action.split(".", 1)
        match |= Q(content_type__app_label=app_label, codename=codename)
    rows = Permission.objects.filter(match).values_list("pk", "content_type__app_label", "codename")
    return {pk: f"{app_label}.{codename}" for pk, app_label, codename in rows}


def _clear_permission_cache(**kwargs) -> None:
    # A flushed test database recreates permission rows with new keys.
    _permission_id.cache_clear()
    _object_actions_by_permission_id.cache_clear()


post_migrate.connect(_clear_permission_cache, dispatch_uid="permissions.policy.clear_cache")


def customer_ids(user, action: str) -> QuerySet:
    """A subquery of the ids of the customers on which the user may take a per-customer action."""
    from customers.models import CustomerGroupObjectPermission, CustomerUserObjectPermission

    if action not in OBJECT_ACTIONS:
        raise ValueError(f"{action} is not a per-customer action")
    permission_id = _permission_id(action)
    if user.scope == Scope.ASSIGNED:
        return CustomerUserObjectPermission.objects.filter(user_id=user.pk, permission_id=permission_id).values(
            "content_object_id"
        )
    return CustomerGroupObjectPermission.objects.filter(
        group_id__in=_user_group_ids(user), permission_id=permission_id
    ).values("content_object_id")


def _user_group_ids(user) -> QuerySet:
    """The user's role groups, as a subquery straight on the membership table (no join through auth_group)."""
    from django.contrib.auth import get_user_model

    return get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")


def restrict(queryset: QuerySet, user, action: str) -> QuerySet:
    """Narrow a queryset to the rows the user may act on; empty when the user's roles lack the action.

    Customers (and anything with a `customer` foreign key) are narrowed by guardian object permissions;
    partner-owned records (anything with a `partner` foreign key) by the user's partner.
    """
    if not has_action(user, action):
        return queryset.none()
    model = queryset.model
    from customers.models import Customer

    if action in OBJECT_ACTIONS:
        ids = customer_ids(user, action)
        if model is Customer:
            return queryset.filter(pk__in=ids)
        return queryset.filter(customer_id__in=ids)
    if model is Customer:
        # A partner-wide action on customers still only reaches customers the user can see.
        from permissions.roles import Action

        return queryset.filter(pk__in=customer_ids(user, Action.VIEW_CUSTOMER))
    return queryset.filter(partner_id=user.partner_id)


def can(user, action: str, obj: Model | None = None) -> bool:
    """True when the user may take the action (on the object, when one is given)."""
    if not has_action(user, action):
        return False
    if obj is None or action not in OBJECT_ACTIONS:
        return True
    return action in object_actions(user, [obj.pk]).get(obj.pk, frozenset())


def object_actions(user, customer_pks: Iterable) -> dict:
    """Map each customer pk to the set of per-customer actions the user holds on it, in one query.

    Used by lists and pages that show per-row buttons, so templates never test permissions row by row.
    """
    from customers.models import CustomerGroupObjectPermission, CustomerUserObjectPermission

    pks = list(customer_pks)
    result: dict = defaultdict(set)
    if not pks or not user_actions(user):
        return result
    if user.scope == Scope.ASSIGNED:
        rows = CustomerUserObjectPermission.objects.filter(user_id=user.pk, content_object_id__in=pks)
    else:
        rows = CustomerGroupObjectPermission.objects.filter(
            group_id__in=_user_group_ids(user), content_object_id__in=pks
        )
    # Permission rows name their permission by key; only actions the user's roles grant count.
    by_permission_id = _object_actions_by_permission_id()
    granted = user_actions(user)
    for pk, permission_id in rows.values_list("content_object_id", "permission_id"):
        action = by_permission_id.get(permission_id)
        if action in granted:
            result[pk].add(action)
    return result
