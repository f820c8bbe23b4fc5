"""Reads of staff users: the staff list (one home for the page and the API), every one from `policy.restrict`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Case, CharField, QuerySet, Value, When
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from customers.selectors import customer_search
from partnerportal.models import User
from permissions import policy
from permissions.roles import Action, AdminRole, AgentRole

ACTIVE, INVITATION_PENDING, DEACTIVATED = "active", "invitation_pending", "deactivated"
STAFF_STATUSES = [
    (ACTIVE, _("Active")),
    (INVITATION_PENDING, _("Invitation pending")),
    (DEACTIVATED, _("Deactivated")),
]
# The list's role filter: any admin or agent role (not "no role").
STAFF_ROLE_FILTERS = [(v, label) for v, label in AdminRole.choices if v] + [
    (v, label) for v, label in AgentRole.choices if v
]


def staff_status_code(user: User) -> str:
    """Deactivated, waiting for them to choose a password, or active."""
    if not user.is_active:
        return DEACTIVATED
    if not user.has_usable_password():
        return INVITATION_PENDING
    return ACTIVE


def staff_user_list(*, user: User, role: str = "") -> QuerySet:
    """The partner's staff users the user may manage (unordered: `list_key` sorts active users first, then by
    email), optionally only those holding `role` (an admin or agent role)."""
    # restrict() narrows partner-owned rows to the user's partner: staff of other partners never show.
    qs = policy.restrict(User.objects.all(), user, Action.MANAGE_STAFF).annotate(
        list_key=Concat(
            Case(When(is_active=True, then=Value("0")), default=Value("1"), output_field=CharField()),
            "email",
            output_field=CharField(),
        )
    )
    if role and role in AdminRole.values:
        qs = qs.filter(admin_role=role)
    elif role and role in AgentRole.values:
        qs = qs.filter(agent_role=role)
    return qs


# How many matches the assigned-customers picker shows for one search (type more to narrow).
ASSIGNABLE_SEARCH_LIMIT = 20


def assignable_customers(*, actor: User) -> QuerySet[Customer]:
    """The customers `actor` may assign to their partner's staff: the partner's customers the actor reaches."""
    return policy.restrict(Customer.objects.all(), actor, Action.VIEW_CUSTOMER).order_by("company_name", "id")


def assignable_customers_chosen(*, actor: User, pks: Iterable[str]) -> list[Customer]:
    """The chosen customers (by ID, as a form posts them) among those `actor` may assign; other IDs are dropped."""
    wanted = set()
    for pk in pks:
        try:
            wanted.add(uuid.UUID(str(pk)))
        except ValueError:
            continue
    if not wanted:
        return []
    return list(assignable_customers(actor=actor).filter(pk__in=wanted))


def assignable_customer_search(
    *, actor: User, q: str, exclude: Iterable = (), limit: int = ASSIGNABLE_SEARCH_LIMIT
) -> list[Customer]:
    """At most `limit` assignable customers whose name, domain, contact email or customer ID contains `q`."""
    # The search runs before the form validates (it re-shows the form); a NUL is nothing any customer holds.
    q = q.replace("\x00", "")
    if not q.strip():
        return []
    found = customer_search(assignable_customers(actor=actor), q).exclude(pk__in=list(exclude))
    return list(found[:limit])
