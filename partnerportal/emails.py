"""The email queue: services call `email_enqueue`; the worker (`manage.py db_worker`) delivers.

Sending never happens inside a request. The OutboundEmail row is written in the caller's transaction and the
task is enqueued only when that transaction commits, so a rolled-back change sends nothing. A failed send
is retried with exponential backoff; a row is locked while it is sent, so two workers never send it twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from partnerportal.models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=30)


def email_enqueue(*, to: str, subject: str, body: str, partner=None, topic: str = "") -> OutboundEmail:
    """Record a message and queue its delivery for after the current transaction commits."""
    message = OutboundEmail.objects.create(
        to=to, subject=subject.replace("\n", " ")[:255], body=body, partner=partner, topic=topic
    )
    transaction.on_commit(lambda: email_send.enqueue(message.pk))
    return message


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try: 5 s, 10 s, 20 s … capped at 30 minutes."""
    return min(timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@task()
def email_send(message_id: int) -> str:
    """Deliver one queued message over SMTP; on failure record the error and schedule another try."""
    with transaction.atomic():
        message = OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            return "locked-or-missing"
        if message.status == OutboundEmail.Status.SENT:
            return "already-sent"
        message.attempts += 1
        try:
            EmailMessage(subject=message.subject, body=message.body, to=[message.to]).send()
        except Exception as exc:  # noqa: BLE001 -- any delivery failure is recorded and retried, never lost
            message.status = OutboundEmail.Status.FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["status", "attempts", "last_error"])
            delay = backoff(message.attempts)
            logger.warning("Email %s failed (attempt %s), retrying in %s: %s", message.pk, message.attempts, delay, exc)
            transaction.on_commit(lambda: email_send.using(run_after=timezone.now() + delay).enqueue(message.pk))
            return "retry"
        message.status = OutboundEmail.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["status", "attempts", "last_error", "sent_at"])
        return "sent"
