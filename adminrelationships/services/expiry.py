"""The expiry sweep: notices 30, 7 and 1 days before an active relationship's end and at its end, and the
180-day auto-extension, each exactly once however many sweeps run at once (run by `manage.py scheduler`).

Exactly once: every notice (and every extension) is claimed by inserting its `ExpiryNotice` row — unique per
(relationship, kind, end date) — with `INSERT … ON CONFLICT DO NOTHING RETURNING` in the transaction that queues its
emails and writes its activity entry, so the database hands each claim to one sweep; the others get nothing back and
send nothing. An extension is one conditional UPDATE on the old end date, so two sweeps extend once.

Which notice: only the one for the window the relationship is in now (the most imminent), so a sweep that did not
run for a while, or a relationship approved inside a window, never sends a burst of 30/7/1 at once. A window that
opened before the relationship was approved sends nothing: the approval email stated the end date (a 5-day
relationship gets the 1-day notice and the expiry one). Auto-extending relationships get the same 30/7/1 notices
saying they will extend, then an "extended" notice instead of an "expired" one; their notices start again for the
new end date. Terminated, declined and pending relationships get nothing.

Status between the end and the sweep: an auto-extending relationship reads "active" past its end until it is
extended (`AdminRelationship.status_at`, `with_status()`), so it never reads "expired" and then comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from activity.actions import Actions
from activity.models import ActivityEntry
from adminrelationships.emails import notice_emails_build, notice_emails_enqueue, partner_recipients
from adminrelationships.models import AUTO_EXTEND_DAYS, AdminRelationship, ExpiryNotice, NoticeKind, Status
from partnerportal.models import OutboundEmail
from partnerportal.webhooks.events import event_emit, event_subscribers
from partnerportal.webhooks.models import EventType

# The notice windows, most imminent first: inside (0, 1 day] the 1-day notice is due, and so on.
WINDOWS: tuple[tuple[NoticeKind, timedelta], ...] = (
    (NoticeKind.DAYS_1, timedelta(days=1)),
    (NoticeKind.DAYS_7, timedelta(days=7)),
    (NoticeKind.DAYS_30, timedelta(days=30)),
)
WINDOW_DAYS: dict[str, int] = {NoticeKind.DAYS_1.value: 1, NoticeKind.DAYS_7.value: 7, NoticeKind.DAYS_30.value: 30}
# An expiry notice is still sent this long after the end (a sweep that did not run for a while); older ends are
# left alone, so the rows the sweep reads stay those near their end, not every relationship that ever expired.
CATCH_UP = timedelta(days=30)
BATCH_SIZE = 200


@dataclass
class SweepResult:
    """What one sweep did (counts per notice kind, extensions, rows read)."""

    notices: dict[str, int] = field(default_factory=dict)
    extended: int = 0
    read: int = 0
    batches: int = 0

    def __str__(self) -> str:
        parts = [f"{kind}={count}" for kind, count in sorted(self.notices.items())]
        return f"read {self.read}, extended {self.extended}, notices {' '.join(parts) or 'none'}"


def _live() -> Q:
    """Approved and ended by nobody: the rows the sweep index covers."""
    return Q(approved_at__isnull=False, terminated_at__isnull=True, declined_at__isnull=True)


def notice_due(relationship: AdminRelationship, now: datetime) -> NoticeKind | None:
    """The one notice a live relationship is due at `now` (None: none; auto-extending ones past their end are
    extended instead)."""
    assert relationship.ends_at is not None and relationship.starts_at is not None
    remaining = relationship.ends_at - now
    if remaining <= timedelta(0):
        return None if relationship.auto_extend else NoticeKind.EXPIRED
    for kind, before in WINDOWS:
        if remaining <= before:
            # Approved after this window opened: the approval email already stated the end date.
            if relationship.starts_at > relationship.ends_at - before:
                return None
            return kind
    return None


def _claim(claims: list[tuple[int, str, datetime]], now: datetime) -> set[tuple[int, str]]:
    """Insert the claims that no sweep made yet; return those this sweep won (one statement)."""
    if not claims:
        return set()
    table = ExpiryNotice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (relationship_id, kind, period_end, created_at)
            SELECT claim.relationship_id, claim.kind, claim.period_end, %s
            FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[]) AS claim(relationship_id, kind, period_end)
            ON CONFLICT (relationship_id, kind, period_end) DO NOTHING
            RETURNING relationship_id, kind
            """,  # noqa: S608 -- the table name is the model's own; every value is a parameter
            [now, [c[0] for c in claims], [str(c[1]) for c in claims], [c[2] for c in claims]],
        )
        return {(row[0], row[1]) for row in cursor.fetchall()}


class _Recipients:
    """The partner side of each relationship, asking the database once per partner when the requester has left."""

    def __init__(self) -> None:
        self._fallback: dict[int, list[str]] = {}

    def __call__(self, relationship: AdminRelationship) -> list[str]:
        requester = relationship.requested_by
        if requester is not None and requester.is_active:
            return [requester.email]
        if relationship.partner_id not in self._fallback:
            self._fallback[relationship.partner_id] = partner_recipients(relationship)
        return self._fallback[relationship.partner_id]


def _entry(relationship: AdminRelationship, action: Actions, *, before: dict, after: dict) -> ActivityEntry:
    """An activity entry shaped as `activity_record` writes it (no actor: the sweep acts on its own)."""
    return ActivityEntry(
        partner=relationship.partner,
        actor=None,
        actor_email="",
        customer=relationship.customer,
        customer_name=relationship.customer.company_name,
        action=Actions(action),
        details={"before": before, "after": after},
    )


def _after(queryset: Any, cursor: tuple) -> Any:
    """Rows after the keyset cursor (end date, id), as a range on the index from the cursor's end date on (an OR of
    the two conditions would make the planner scan the index from the window's start on every batch)."""
    return queryset.filter(ends_at__gte=cursor[0]).exclude(ends_at=cursor[0], id__lte=cursor[1])


def _batch_rows(queryset: Any) -> list[AdminRelationship]:
    return list(
        queryset.select_related("partner", "customer", "requested_by")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("ends_at", "id")[:BATCH_SIZE]
    )


def _notify(
    rows: list[AdminRelationship], won: set[tuple[int, str]], recipients: _Recipients, result: SweepResult
) -> None:
    messages: list[OutboundEmail] = []
    entries: list[ActivityEntry] = []
    for relationship in rows:
        for kind in (k for k in NoticeKind.values if (relationship.pk, k) in won):
            messages += notice_emails_build(
                relationship, kind=kind, days=WINDOW_DAYS.get(kind, 0), partner_to=recipients(relationship)
            )
            result.notices[kind] = result.notices.get(kind, 0) + 1
            if kind == NoticeKind.EXPIRED:
                entries.append(
                    _entry(
                        relationship,
                        Actions.ADMIN_RELATIONSHIP_EXPIRE,
                        before={"status": Status.ACTIVE},
                        after={
                            "admin_relationship": relationship.pk,
                            "name": relationship.name,
                            "status": Status.EXPIRED,
                            "ends_at": relationship.ends_at.isoformat() if relationship.ends_at else "",
                        },
                    )
                )
    notice_emails_enqueue(messages)
    ActivityEntry.objects.bulk_create(entries)
    _events_emit(rows, won)


# The notices that are also webhook events (the 30/7/1-day warnings are emails only).
EVENTS = {
    NoticeKind.EXPIRED: EventType.ADMIN_RELATIONSHIP_EXPIRED,
    NoticeKind.EXTENDED: EventType.ADMIN_RELATIONSHIP_EXTENDED,
}


def _events_emit(rows: list[AdminRelationship], won: set[tuple[int, str]]) -> None:
    """`admin_relationship.expired` / `.extended` for the claims this sweep won, to partners subscribed to them."""
    happened = [(r, EVENTS[kind]) for r in rows for kind in EVENTS if (r.pk, kind) in won]
    subscribed = event_subscribers(list(EVENTS.values()), {r.partner_id for r, _event in happened})
    for relationship, event in happened:
        if relationship.partner_id in subscribed:
            event_emit(event, partner=relationship.partner_id, resource=relationship)


def _extend_batch(now: datetime, recipients: _Recipients, result: SweepResult, after: tuple | None) -> tuple | None:
    """Extend one batch of auto-extending relationships past their end; the keyset cursor of the next, or None."""
    with transaction.atomic():
        due = AdminRelationship.objects.filter(_live(), auto_extend=True, ends_at__lte=now)
        if after is not None:
            due = _after(due, after)
        rows = _batch_rows(due)
        if not rows:
            return None
        result.batches += 1
        result.read += len(rows)
        table = AdminRelationship._meta.db_table
        with connection.cursor() as cursor:
            # Conditional on the old end date: a sweep that extended the row first leaves nothing to change.
            cursor.execute(
                f"""
                UPDATE {table} AS rel SET ends_at = rel.ends_at + make_interval(days => %s)
                FROM unnest(%s::bigint[], %s::timestamptz[]) AS due(id, old_end)
                WHERE rel.id = due.id AND rel.ends_at = due.old_end AND rel.auto_extend
                  AND rel.terminated_at IS NULL
                RETURNING rel.id, due.old_end, rel.ends_at
                """,  # noqa: S608 -- the table name is the model's own; every value is a parameter
                [AUTO_EXTEND_DAYS, [r.pk for r in rows], [r.ends_at for r in rows]],
            )
            extended = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        changed = [r for r in rows if r.pk in extended]
        won = _claim([(r.pk, NoticeKind.EXTENDED, extended[r.pk][0]) for r in changed], now)
        entries = []
        for relationship in changed:
            old_end, new_end = extended[relationship.pk]
            relationship.ends_at = new_end
            entries.append(
                _entry(
                    relationship,
                    Actions.ADMIN_RELATIONSHIP_EXTEND,
                    before={"ends_at": old_end.isoformat()},
                    after={
                        "admin_relationship": relationship.pk,
                        "name": relationship.name,
                        "ends_at": new_end.isoformat(),
                    },
                )
            )
        ActivityEntry.objects.bulk_create(entries)
        result.extended += len(changed)
        _notify(changed, won, recipients, result)
        last = rows[-1]
        return (extended.get(last.pk, (last.ends_at,))[0], last.pk)


def _notice_batch(now: datetime, recipients: _Recipients, result: SweepResult, after: tuple | None) -> tuple | None:
    """Send the due notices of one batch of live relationships near their end; the next keyset cursor, or None."""
    with transaction.atomic():
        near = AdminRelationship.objects.filter(_live(), ends_at__gt=now - CATCH_UP, ends_at__lte=now + WINDOWS[-1][1])
        if after is not None:
            near = _after(near, after)
        rows = _batch_rows(near)
        if not rows:
            return None
        result.batches += 1
        result.read += len(rows)
        due = [(r, notice_due(r, now)) for r in rows]
        won = _claim([(r.pk, kind, r.ends_at) for r, kind in due if kind is not None and r.ends_at], now)
        _notify([r for r, _kind in due], won, recipients, result)
        return (rows[-1].ends_at, rows[-1].pk)


def expiry_sweep(*, now: datetime | None = None) -> SweepResult:
    """Extend the auto-extending relationships past their end, then send every due notice; safe to run anywhere,
    any number of times at once (each batch is its own transaction; a sweep cut short is finished by the next)."""
    now = now or timezone.now()
    result = SweepResult()
    recipients = _Recipients()
    cursor: tuple | None = None
    while (cursor := _extend_batch(now, recipients, result, cursor)) is not None:
        pass
    while (cursor := _notice_batch(now, recipients, result, cursor)) is not None:
        pass
    return result
