"""Reads of leads: the policy's narrowing for assigned-scope staff, the list, the export and one lead."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db.models import Exists, OuterRef, Q, QuerySet

from leads.models import Lead, LeadFavourite, LeadQuerySet, expiry_cutoff
from partnerportal.models import User
from permissions import policy
from permissions.roles import Action

if TYPE_CHECKING:
    from datetime import datetime

SORTS: dict[str, tuple[str, bool]] = {
    "-received": ("received_at", True),
    "received": ("received_at", False),
    "company": ("company_name", False),
    "-company": ("company_name", True),
}


def lead_narrow(queryset: QuerySet, user: User, action: Action) -> QuerySet:
    """The policy's extra rule for leads: staff limited to assigned customers see the leads whose team they are on,
    and those they are the lead contact of (a received lead has no team yet: its contact is who answers it)."""
    if policy.has_action(user, Action.SEE_WHOLE_PARTNER):
        return queryset
    teams = Lead.team_members.through.objects.filter(user_id=user.pk).values("lead_id")
    return queryset.filter(Q(pk__in=teams) | Q(lead_contact_id=user.pk))


def lead_queryset(*, user: User) -> LeadQuerySet:
    """The leads the user may see and work on (empty for roles without leads)."""
    return cast(LeadQuerySet, policy.restrict(Lead.objects.all(), user, Action.WORK_LEADS))


def _search(queryset: LeadQuerySet, q: str, now: datetime | None) -> LeadQuerySet:
    """Company, contact or email contains the text (one trigram index); an expired lead matches by company only,
    so its hidden contact details cannot be probed through the search box."""
    needle = " ".join(q.split()).lower()
    if not needle:
        return queryset
    expired = Q(status=Lead.Status.RECEIVED, received_at__lte=expiry_cutoff(now))
    return queryset.filter(search_text__contains=needle).filter(~expired | Q(company_name__icontains=needle))


def lead_list(
    *,
    user: User,
    q: str = "",
    status: str = "",
    source: str = "",
    country: str = "",
    favourite: bool = False,
    now: datetime | None = None,
) -> LeadQuerySet:
    """The user's leads as searched and filtered, with their derived state and the user's favourite mark."""
    queryset = _search(lead_queryset(user=user), q, now)
    if status:
        queryset = queryset.in_state(status, now)
    if source:
        queryset = queryset.filter(source=source)
    if country:
        queryset = queryset.filter(country=country)
    queryset = queryset.with_status(now).annotate(
        is_favourite=Exists(LeadFavourite.objects.filter(lead_id=OuterRef("pk"), user_id=user.pk))
    )
    if favourite:
        queryset = queryset.filter(is_favourite=True)
    return queryset


def lead_countries(*, user: User) -> list[str]:
    """The countries the user's leads come from (the country filter's choices)."""
    return list(lead_queryset(user=user).order_by("country").values_list("country", flat=True).distinct())


def lead_detail(*, user: User, pk: int) -> Lead | None:
    """One lead in the user's scope with its state, team and favourite mark (None: not theirs)."""
    return (
        lead_list(user=user)
        .select_related("customer", "invitation", "lead_contact")
        .prefetch_related("team_members")
        .filter(pk=pk)
        .first()
    )


def lead_staff(*, user: User) -> QuerySet:
    """Who may be on a lead's team: the active staff of the user's partner."""
    if user.partner_id is None:
        return User.objects.none()
    return User.objects.filter(partner_id=user.partner_id, is_active=True).order_by("email")
