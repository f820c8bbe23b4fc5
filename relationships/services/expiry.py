"""The invitation expiry sweep: `invitation.expired` once per expiry of a pending invitation (run by `manage.py
scheduler` every few minutes).

An invitation reads expired from its dates alone (`Invitation.effective_status`); nothing flips its status. The
sweep only announces it: each batch claims the pending invitations whose current expiry has passed and was not
announced yet with one conditional UPDATE of `expiry_announced_at` (rows locked by another sweep are skipped, and the
condition is checked again on the locked row), so of any number of sweeps at once exactly one claims each
invitation, and emits the event in the transaction of its claim (a sweep that fails rolls both back). Accepted and
revoked invitations are no longer pending and never claimed. A resend gives the invitation a new `expires_at`,
later than the announcement, so that expiry is announced once in its turn.

Cost: the claim is one statement per batch on a partial index that holds only unannounced pending invitations; the
events then cost one more query per batch (which partners listen), and a query per invitation only for partners
with an endpoint subscribed to `invitation.expired`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from partnerportal.webhooks.events import event_emit, event_subscribers
from partnerportal.webhooks.models import EventType
from relationships.models import Invitation

BATCH_SIZE = 500


@dataclass
class InvitationSweepResult:
    """What one sweep did: invitations whose expiry it announced, events it queued, batches it claimed."""

    announced: int = 0
    events: int = 0
    batches: int = 0

    def __str__(self) -> str:
        return f"announced {self.announced}, events {self.events}"


def _claim_batch(now: datetime) -> list[tuple[int, int]]:
    """Claim up to BATCH_SIZE expired, unannounced pending invitations; their (id, partner id), in one statement."""
    table = Invitation._meta.db_table
    due = (
        "{t}.status = %(pending)s AND {t}.expires_at <= %(now)s"
        " AND ({t}.expiry_announced_at IS NULL OR {t}.expiry_announced_at < {t}.expires_at)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH due AS (
                SELECT id FROM {table}
                WHERE {due.format(t=table)}
                ORDER BY expires_at, id
                LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED
            )
            UPDATE {table} SET expiry_announced_at = %(now)s
            FROM due
            WHERE {table}.id = due.id AND {due.format(t=table)}
            RETURNING {table}.id, {table}.partner_id
            """,  # noqa: S608 -- the table name is the model's own; every value is a parameter
            {"pending": Invitation.Status.PENDING.value, "now": now, "limit": BATCH_SIZE},
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _announce_batch(now: datetime, result: InvitationSweepResult) -> int:
    """Claim one batch and queue its events in the same transaction; how many invitations it claimed."""
    with transaction.atomic():
        claimed = _claim_batch(now)
        if not claimed:
            return 0
        result.batches += 1
        result.announced += len(claimed)
        subscribed = event_subscribers([EventType.INVITATION_EXPIRED], {partner_id for _pk, partner_id in claimed})
        if subscribed:
            ids = [pk for pk, partner_id in claimed if partner_id in subscribed]
            for invitation in Invitation.objects.filter(pk__in=ids).order_by("expires_at", "id"):
                result.events += len(
                    event_emit(EventType.INVITATION_EXPIRED, partner=invitation.partner_id, resource=invitation)
                )
        return len(claimed)


def invitation_expiry_sweep(*, now: datetime | None = None) -> InvitationSweepResult:
    """Announce every pending invitation whose expiry passed since the last sweep; safe to run any number of times
    at once (each batch is its own transaction; a sweep cut short is finished by the next)."""
    now = now or timezone.now()
    result = InvitationSweepResult()
    while _announce_batch(now, result) == BATCH_SIZE:
        pass
    return result
