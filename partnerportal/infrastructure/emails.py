"""The email queue: services call `email_enqueue`; the worker (`manage.py db_worker`) delivers.

Sending never happens inside a request. The OutboundEmail row is written in the caller's transaction and the
task is enqueued only when that transaction commits, so a rolled-back change sends nothing. A failed send
is retried with exponential backoff; a row is locked while it is sent, so two workers never send it twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from partnerportal.infrastructure.logs import current_request_id, request_id_bound
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
    with transaction.atomic():
        message = OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            return "locked-or-missing"
        with request_id_bound(message.request_id):
            return _email_send_locked(message)


def _email_send_locked(message: OutboundEmail) -> str:
    """The delivery of one message whose row this transaction holds locked."""
    if message.status == OutboundEmail.Status.SENT:
        return "already-sent"
    message.attempts += 1
    try:
        EmailMessage(subject=message.subject, body=message.delivered_body(), to=[message.to]).send()
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


# A task that has been "running" this long belongs to a worker that died (a send times out after EMAIL_TIMEOUT).
STRANDED_AFTER = timedelta(minutes=15)


def email_requeue_stranded(*, running_for: timedelta = STRANDED_AFTER) -> int:
    """Queue again every unsent message that no task will deliver any more; return how many.

    That happens when a worker dies mid-send (its task stays "running" forever) or a task fails outside the retry
    handler. A message with a task still waiting, or one running for less than `running_for`, is left alone; a
    duplicate task would be harmless anyway (the row lock and the "sent" check above). `make run` calls this
    through `manage.py email_requeue` before it starts the worker.
    """
    live = DBTaskResult.objects.filter(task_path=email_send.module_path).filter(
        Q(status=TaskResultStatus.READY)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=timezone.now() - running_for)
    )
    covered = {args_kwargs["args"][0] for args_kwargs in live.values_list("args_kwargs", flat=True)}
    stranded = [
        pk
        for pk in OutboundEmail.objects.filter(
            status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED]
        ).values_list("pk", flat=True)
        if pk not in covered
    ]
    for pk in stranded:
        email_send.enqueue(pk)
    if stranded:
        logger.warning("Queued %s stranded email(s) again", len(stranded))
    return len(stranded)
