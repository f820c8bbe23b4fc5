"""The email queue: services call `email_enqueue`; the worker (`manage.py db_worker`) delivers.

Sending never happens inside a request. The OutboundEmail row is written in the caller's transaction and the
task is enqueued only when that transaction commits, so a rolled-back change sends nothing. A failed send
is retried with exponential backoff; a row is locked while it is sent, so two workers never send it twice.

Delivery is at least once, and exactly once except in one window. The worker locks the row, hands the message to
the SMTP server and marks the row sent in that same transaction, which commits the moment the server has answered
250 to the message — before the worker says QUIT, so a slow or hung QUIT cannot leave a delivered message unmarked.
A worker killed before the 250 leaves the row unsent and unlocked (its transaction dies with its connection), and
`email_requeue_stranded` queues it again; one killed between the 250 and the commit (the time of one UPDATE and
COMMIT on an open connection) leaves a delivered message unsent, and it is delivered a second time. Only the
receiver could close that window (SMTP has no idempotency key).
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from partnerportal.infrastructure.logs import current_request_id, request_id_bound
from partnerportal.infrastructure.requeue import requeue_unheld
from partnerportal.models import OutboundEmail, Partner

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=30)
# Doubling stops growing long before this; it only keeps 2 ** attempts from overflowing a timedelta.
_MAX_DOUBLINGS = 30


def email_enqueue(
    *, to: str, subject: str, body: str, partner: Partner | None = None, topic: str = "", secret: str = ""
) -> OutboundEmail:
    """Record a message and queue its delivery for after the current transaction commits.

    `secret` is the raw one-time token of a link in the body. The stored body holds a marker in its place and the
    token itself is kept apart only until the message is sent (then blanked), so a delivered message leaves no
    usable link in the table.
    """
    if secret:
        if secret not in body:
            raise ValueError("The secret must appear in the body it is kept out of.")
        body = body.replace(secret, OutboundEmail.SECRET_MARKER)
    message = OutboundEmail.objects.create(
        to=to,
        subject=subject.replace("\n", " ")[:255],
        body=body,
        partner=partner,
        topic=topic,
        secret=secret,
        request_id=current_request_id(),
    )
    transaction.on_commit(lambda: email_send.enqueue(message.pk))
    return message


def email_render(*, subject_template: str, body_template: str, context: dict) -> tuple[str, str]:
    """The subject (one line) and plain-text body (ending in one newline) of an email written as templates.

    Email text lives in translatable templates (`{% blocktranslate %}` inside `{% autoescape off %}`: plain text,
    never HTML-escaped), rendered in the active language.
    """
    # Recipients' zones are unknown (customers' contacts, invitees): times in templates read in UTC, with the zone,
    # never in the zone of the user whose request sends the message.
    with timezone.override(UTC):
        subject = "".join(render_to_string(subject_template, context).splitlines()).strip()
        body = render_to_string(body_template, context).rstrip("\n") + "\n"
    return subject, body


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try: PORTAL_EMAIL_RETRY_SECONDS (5 s), then twice as long each time,
    capped at 30 minutes."""
    doublings = min(max(attempts - 1, 0), _MAX_DOUBLINGS)
    return min(timedelta(seconds=settings.PORTAL_EMAIL_RETRY_SECONDS * 2**doublings), MAX_BACKOFF)


@task()
def email_send(message_id: int) -> str:
    """Deliver one queued message over SMTP; on failure record the error and schedule another try.

    Its log lines carry the ID of the request that queued the message.
    """
    connection = get_connection()
    try:
        with transaction.atomic():
            message = OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
            if message is None:
                return "locked-or-missing"
            with request_id_bound(message.request_id):
                return _email_send_locked(message, connection)
    finally:
        # QUIT only once "sent" is committed (module docstring): the message was accepted at the 250 already.
        try:
            connection.close()
        except Exception as exc:  # noqa: BLE001 -- the message is delivered and recorded; a failed QUIT changes nothing
            logger.warning("Closing the SMTP connection after email %s failed: %s", message_id, exc)


def _email_send_locked(message: OutboundEmail, connection: BaseEmailBackend) -> str:
    """The delivery of one message whose row this transaction holds locked, over `connection`, which is left open
    (the caller closes it after the commit)."""
    if message.status == OutboundEmail.Status.SENT:
        return "already-sent"
    message.attempts += 1
    try:
        # Opened here, so `send` leaves it open (a backend closes only a connection it opened itself).
        connection.open()
        EmailMessage(
            subject=message.subject, body=message.delivered_body(), to=[message.to], connection=connection
        ).send()
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
    # Delivered: the link's token leaves the table (the body keeps only the marker).
    message.secret = ""
    message.save(update_fields=["status", "attempts", "last_error", "sent_at", "secret"])
    logger.info("Email %s sent (attempt %s)", message.pk, message.attempts)
    return "sent"


def email_unsent_withdraw(*, topic: str) -> int:
    """Delete the messages about `topic` not sent yet (their link was superseded or revoked); return how many.

    A withdrawn message's row, and the token it held until sending, are gone; a sent one holds no token any more.
    """
    deleted, _by_model = OutboundEmail.objects.filter(
        topic=topic, status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED]
    ).delete()
    return deleted


def email_requeue_stranded() -> int:
    """Queue again every unsent message that no task will deliver any more; return how many.

    That happens when a worker dies mid-send (its task stays "running" forever) or a task fails outside the retry
    handler; `requeue_unheld` says which messages are covered (a worker restarted right after being killed finds
    what it held). `make run` and the worker's unit (docs/deploy.md) call this through `manage.py email_requeue`
    before they start the worker.
    """
    unsent = OutboundEmail.objects.filter(status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED])
    stranded = requeue_unheld(unsent, task=email_send)
    if stranded:
        logger.warning("Queued %s stranded email(s) again", len(stranded))
    return len(stranded)
