"""Reads of staff users: the staff list (one home for the page and the API), every one from `policy.restrict`."""

from __future__ import annotations

from django.db.models import Case, CharField, QuerySet, Value, When
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

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
