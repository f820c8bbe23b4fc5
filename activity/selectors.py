"""Reads of the activity log: every one starts from `policy.restrict`, so a partner sees only its own entries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Model, QuerySet
from django.utils import timezone

from activity.models import ActivityEntry
from permissions import policy
from permissions.roles import Action

if TYPE_CHECKING:
    from partnerportal.models import User

DEFAULT_DAYS = 30
RECENT_ON_CUSTOMER_PAGE = 10


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def activity_list(
    *,
    user: User,
    date_from: date | None = None,
    date_to: date | None = None,
    customer: str = "",
    actor: int | None = None,
    action: str = "",
) -> QuerySet:
    """The user's partner's entries matching the filters (unordered: the caller paginates or streams them).

    `customer` is a customer ID (exact) or part of the customer's name as it was when the entry was written.
    """
    qs = policy.restrict(ActivityEntry.objects.all(), user, Action.VIEW_ACTIVITY)
    if date_from:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to and date_to < date.max:  # the calendar's last day has no next day: no upper bound then
        qs = qs.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    customer = " ".join(customer.split())
    if customer:
        try:
            qs = qs.filter(customer_id=uuid.UUID(customer))
        except ValueError:
            qs = qs.filter(customer_name__icontains=customer)
    if actor:
        qs = qs.filter(actor_id=actor)
    if action:
        qs = qs.filter(action=action)
    return qs


def activity_recent_for_customer(
    *, user: User, customer: Model, limit: int = RECENT_ON_CUSTOMER_PAGE
) -> list[ActivityEntry]:
    """The newest entries of the user's partner about one customer (none for roles without the activity log)."""
    if not policy.has_action(user, Action.VIEW_ACTIVITY):
        return []  # the page hides the section; skip building a query that restrict() would empty anyway
    qs = policy.restrict(ActivityEntry.objects.all(), user, Action.VIEW_ACTIVITY)
    return list(qs.filter(customer_id=customer.pk).order_by("-created_at", "-id")[:limit])


def visible_customer_ids(*, user: User, entries: Iterable[ActivityEntry]) -> set:
    """Which of the entries' customers the user can still open (one query), so the log links only to those."""
    pks = {e.customer_id for e in entries if e.customer_id}
    if not pks:
        return set()
    return {pk for pk, actions in policy.object_actions(user, pks).items() if Action.VIEW_CUSTOMER in actions}
