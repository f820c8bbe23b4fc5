"""Who may do what: `has_action` (the role table folded with partner type and cloud), `restrict` (which rows) and
`can` (one object).

Every read of partner data starts from `restrict`, so an object outside the user's scope simply is not in
the queryset: detail views answer 404 and never reveal that it exists. How each model is narrowed is declared
in a registry (`register`) by the app that owns the model, so this module imports no domain app.

Guardian stores one object permission per reachable customer (`REACH`, customers.view_customer): on the partner's
staff group for whole-partner staff, on the user for assigned-scope staff. What a user may do on a reachable
customer is the role table's business (`user_actions`), so a role-table change needs no data migration.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.db.models.signals import post_migrate

from permissions.roles import (
    OBJECT_ACTIONS,
    REACH,
    ROLE_ACTIONS,
    Action,
    Role,
    Scope,
    actions_for_roles,
    cloud_withholds,
    context_actions,
)

if TYPE_CHECKING:
    from partnerportal.models import Partner, User


class By(Enum):
    """How a model's rows are narrowed to a user."""

    CUSTOMER = "customer"  # rows about reachable customers
    PARTNER = "partner"  # rows that belong to the user's partner
    PARTNER_AND_CUSTOMER = "partner_and_customer"  # rows two partners may hold on one customer


Narrow = Callable[[QuerySet, "User", Action], QuerySet]


@dataclass(frozen=True)
class ScopeRule:
    """How one model is scoped: by customer, partner or both, through which fields, and any extra per-model rule.

    `partner_fields` are alternatives (a partnership belongs to its provider and to its reseller); for
    `partner_wide_actions` only the partner filter applies (ended relationships: their customers are out of reach
    by design); `narrow` runs after the partner and customer filters.
    """

    by: By
    customer_field: str = "customer"
    partner_fields: tuple[str, ...] = ("partner",)
    partner_wide_actions: frozenset[str] = frozenset()
    narrow: Narrow | None = None


_REGISTRY: dict[type[Model], ScopeRule] = {}


@dataclass(frozen=True)
class _GateModels:
    user: type[Model]
    group: type[Model]


_gate: list[_GateModels] = []


def register(
    model: type[Model],
    by: By,
    *,
    customer_field: str = "customer",
    partner_fields: tuple[str, ...] = ("partner",),
    partner_wide_actions: frozenset[str] = frozenset(),
    narrow: Narrow | None = None,
) -> None:
    """Declare how `restrict` narrows the model's rows (called by the app that owns the model)."""
    _REGISTRY[model] = ScopeRule(
        by=by,
        customer_field=customer_field,
        partner_fields=partner_fields,
        partner_wide_actions=partner_wide_actions,
        narrow=narrow,
    )


def register_object_permission_models(*, user_model: type[Model], group_model: type[Model]) -> None:
    """Hand the policy guardian's direct foreign-key tables on customers (called by the customers app)."""
    _gate[:] = [_GateModels(user=user_model, group=group_model)]


def object_permission_models() -> tuple[Any, Any]:
    """The (user, group) guardian tables of customer object permissions, as registered."""
    if not _gate:
        raise ImproperlyConfigured("No object-permission models registered with permissions.policy")
    return _gate[0].user, _gate[0].group


def registered_models() -> frozenset[type[Model]]:
    """Every model with a declared scope."""
    return frozenset(_REGISTRY)


def scope_rule(model: type[Model]) -> ScopeRule:
    """The registered scope rule of a model; raises for a model holding no declared scope."""
    try:
        return _REGISTRY[model]
    except KeyError:
        raise ImproperlyConfigured(
            f"{model._meta.label} is not registered with permissions.policy: declare how it is scoped"
        ) from None


def user_actions(user: User | AnonymousUser) -> frozenset[Action]:
    """Every action the user holds: their roles' actions folded with the partner type, the cloud and the scope.

    Empty for anonymous, inactive, operator or role-less users.
    """
    if not user.is_authenticated or not user.is_active or user.partner_id is None:
        return frozenset()
    # Cached on the user object for the request; keyed by the cloud so a settings override is never stale.
    cloud = settings.PORTAL_CLOUD
    cached = getattr(user, "_portal_actions", None)
    if cached is None or cached[0] != cloud:
        actions = actions_for_roles(user.roles)
        if actions:
            assert user.partner is not None  # partner_id is set (checked above)
            actions = context_actions(actions, partner_type=user.partner.type, cloud=cloud)
            if user.scope == Scope.PARTNER:
                actions |= {Action.SEE_WHOLE_PARTNER}
        cached = (cloud, frozenset(actions))
        user._portal_actions = cached
    return cached[1]


def cloud_offers(action: str) -> bool:
    """False when this deployment's cloud has no such feature: its pages, public ones included, answer 404."""
    return not cloud_withholds(action, cloud=settings.PORTAL_CLOUD)


def has_action(user: User | AnonymousUser, action: str) -> bool:
    """True when the user holds the action somewhere (used to answer 403)."""
    return action in user_actions(user)


def staff_holding(partner: Partner, action: str) -> QuerySet[User]:
    """The partner's active staff whose roles grant `action` (with the partner type and the cloud), by email.

    The one answer to "who at the partner gets this notice": the same table `user_actions` folds, asked once for
    the whole staff instead of user by user, so a role-table change moves every notice with it. Per-customer
    actions are held partner-wide here (an assigned-scope holder counts); the scope's own capability
    (SEE_WHOLE_PARTNER) is no role's, so it matches nobody.
    """
    cloud = settings.PORTAL_CLOUD
    granting = [
        role.value
        for role in Role
        if action in context_actions(ROLE_ACTIONS[role], partner_type=partner.type, cloud=cloud)
    ]
    staff = get_user_model().objects.filter(partner=partner, is_active=True)
    return staff.filter(Q(admin_role__in=granting) | Q(agent_role__in=granting)).order_by("email")


@cache
def _reach_permission_id() -> int:
    return Permission.objects.values_list("pk", flat=True).get(
        content_type__app_label=REACH.app_label, codename=REACH.codename
    )


def _clear_permission_cache(**kwargs: Any) -> None:
    # A flushed test database recreates permission rows with new keys.
    _reach_permission_id.cache_clear()


post_migrate.connect(_clear_permission_cache, dispatch_uid="permissions.policy.clear_cache")


def _user_group_ids(user: User) -> QuerySet:
    """The user's groups, as a subquery straight on the membership table (no join through auth_group)."""
    return get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")


def reachable_customer_ids(user: User) -> QuerySet:
    """A subquery of the ids of the customers the user may reach (guardian's reach permission).

    Built once per user object (one request: the sign-in middleware loads the user anew for each) and handed out as
    a fresh clone: a page narrows several models by it (the customer page five), and building it was a third of
    each `restrict`. Keyed like `user_actions`' own cache, so it follows the same changes.
    """
    actions = user_actions(user)
    key = (actions, _reach_permission_id() if actions else None)
    cached = getattr(user, "_portal_reach", None)
    if cached is None or cached[0] != key:
        cached = (key, _reachable_customer_ids(user, actions))
        user._portal_reach = cached
    return cached[1].all()


def _reachable_customer_ids(user: User, actions: frozenset[Action]) -> QuerySet:
    user_table, group_table = object_permission_models()
    if not actions:
        return user_table.objects.none().values("content_object_id")
    if Action.SEE_WHOLE_PARTNER in actions:
        return group_table.objects.filter(
            group_id__in=_user_group_ids(user), permission_id=_reach_permission_id()
        ).values("content_object_id")
    return user_table.objects.filter(user_id=user.pk, permission_id=_reach_permission_id()).values("content_object_id")


def customer_ids(user: User, action: str) -> QuerySet:
    """A subquery of the ids of the customers on which the user may take a per-customer action."""
    if action not in OBJECT_ACTIONS:
        raise ValueError(f"{action} is not a per-customer action")
    if not has_action(user, action):
        return object_permission_models()[0].objects.none().values("content_object_id")
    return reachable_customer_ids(user)


def restrict(queryset: QuerySet, user: User, action: str) -> QuerySet:
    """Narrow a queryset to the rows the user may act on; empty when the user lacks the action.

    The model's registered rule decides: reachable customers, the user's partner, or both. A model that is not
    registered raises, so no read of partner data can forget its scope.
    """
    rule = scope_rule(queryset.model)
    if not has_action(user, action):
        return queryset.none()
    if rule.by in (By.PARTNER, By.PARTNER_AND_CUSTOMER):
        match = Q()
        for field in rule.partner_fields:
            match |= Q(**{f"{field}_id": user.partner_id})
        queryset = queryset.filter(match)
    # Partner-wide actions reach rows outside the reachable customers (ended relationships), so only staff who see
    # the whole partner hold them partner-wide; for assigned-scope staff the customer filter still applies.
    partner_wide = action in rule.partner_wide_actions and Action.SEE_WHOLE_PARTNER in user_actions(user)
    by_customer = rule.by is By.CUSTOMER or (rule.by is By.PARTNER_AND_CUSTOMER and not partner_wide)
    if by_customer:
        path = "pk" if rule.customer_field == "pk" else f"{rule.customer_field}_id"
        queryset = queryset.filter(**{f"{path}__in": reachable_customer_ids(user)})
    if rule.narrow is not None:
        queryset = rule.narrow(queryset, user, Action(action))
    return queryset


def can(user: User, action: str, obj: Model | None = None) -> bool:
    """True when the user may take the action (on the customer, when one is given)."""
    if not has_action(user, action):
        return False
    if obj is None or action not in OBJECT_ACTIONS:
        return True
    return action in object_actions(user, [obj.pk]).get(obj.pk, frozenset())


def reached_customer_actions(user: User) -> set:
    """The per-customer actions the user holds on a customer already read through `restrict` (no query).

    Guardian stores one fact per customer, that the user reaches it; a customer that `restrict` returned is
    reached, so the actions on it are the user's per-customer actions, exactly what `object_actions` answers for
    it. For a page about one customer it has just loaded in scope.
    """
    return set(user_actions(user) & OBJECT_ACTIONS)


def object_actions(user: User, customer_pks: Iterable) -> dict:
    """Map each reachable customer pk to the per-customer actions the user holds on it, in one query.

    Used by lists and pages that show per-row buttons, so templates never test permissions row by row.
    """
    pks = list(customer_pks)
    result: dict = defaultdict(set)
    actions = user_actions(user) & OBJECT_ACTIONS
    if not pks or not actions:
        return result
    reachable = (
        reachable_customer_ids(user).filter(content_object_id__in=pks).values_list("content_object_id", flat=True)
    )
    for pk in reachable:
        result[pk] = set(actions)
    return result
