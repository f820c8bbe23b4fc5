"""Delivering webhooks through the durable queue (django-tasks, `manage.py db_worker`), signed per Standard Webhooks.

A delivery row is locked while it is sent (`skip_locked`), so two workers never send one message twice; a
failure (timeout, refused connection, non-2xx) is retried with exponential backoff until the message is
PORTAL_WEBHOOK_RETRY_WINDOW_SECONDS old (a day); a message that gives up after a day of failures disables its
endpoint and the partner's global admins are emailed. Every try resolves the host again and refuses private,
loopback, link-local, multicast, reserved and metadata addresses (DNS can change after the endpoint was saved)
and then connects to the very address it checked; redirects are not followed and at most a few KB of the
response is read.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from standardwebhooks import Webhook

from partnerportal.infrastructure.emails import email_enqueue
from partnerportal.infrastructure.logs import request_id_bound
from partnerportal.infrastructure.requeue import requeue_unheld
from partnerportal.models import Partner
from partnerportal.webhooks.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
_MAX_DOUBLINGS = 30
RESPONSE_LIMIT = 4096


class UnsafeURL(Exception):
    """The URL may not receive webhooks: its scheme, or an address its host resolves to."""


URL_NOT_HTTPS = _("Enter an HTTPS URL.")
URL_UNRESOLVABLE = _("The host of this URL does not resolve.")
URL_PRIVATE = _(
    "This URL resolves to a private, loopback, link-local or reserved address, which can't receive webhooks."
)


def _address_refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address no webhook may reach: anything but a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and _address_refused(embedded):
            return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def url_resolve(url: str) -> tuple[str, str, int, str]:
    """Check `url` and return (scheme, host, port, address to connect to); raise UnsafeURL when it is refused.

    PORTAL_WEBHOOKS_ALLOW_HTTP admits http:// and PORTAL_WEBHOOKS_ALLOW_PRIVATE any address (local and test
    settings only, so tests can use a receiver on 127.0.0.1).
    """
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.PORTAL_WEBHOOKS_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise UnsafeURL(URL_NOT_HTTPS)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(URL_NOT_HTTPS) from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(URL_UNRESOLVABLE) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise UnsafeURL(URL_UNRESOLVABLE)
    # Every address the name has must be safe: a resolver may answer any of them next time.
    if not settings.PORTAL_WEBHOOKS_ALLOW_PRIVATE and any(_address_refused(a) for a in addresses):
        raise UnsafeURL(URL_PRIVATE)
    return parts.scheme, parts.hostname, port, str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand; the Host header keeps the URL's name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; the certificate is verified for the URL's host name (SNI)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _post(url: str, *, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """POST `body` to `url` once (no redirects followed); the status and at most RESPONSE_LIMIT bytes."""
    scheme, host, port, address = url_resolve(url)
    timeout = settings.PORTAL_WEBHOOK_TIMEOUT_SECONDS
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(RESPONSE_LIMIT)
    finally:
        connection.close()


def signed_headers(*, secret: str, message_id: str, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of one try: the stable id, this try's time, its v1 signature."""
    now = timezone.now()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
        "content-type": "application/json",
        "user-agent": "PartnerPortal-Webhooks/1",
    }


def backoff(attempts: int) -> timedelta:
    """The wait before the next try: PORTAL_WEBHOOK_RETRY_SECONDS, doubling each time, capped at an hour."""
    doublings = min(max(attempts - 1, 0), _MAX_DOUBLINGS)
    return min(timedelta(seconds=settings.PORTAL_WEBHOOK_RETRY_SECONDS * 2**doublings), MAX_BACKOFF)


def webhook_deliver_on_commit(delivery_id: int, *, delay: timedelta | None = None) -> None:
    """Queue a try of the delivery once the current transaction commits (now, or after `delay`)."""

    def enqueue() -> None:
        if delay is None:
            webhook_deliver.enqueue(delivery_id)
        else:
            webhook_deliver.using(run_after=timezone.now() + delay).enqueue(delivery_id)

    transaction.on_commit(enqueue)


# The addresses told that a partner's endpoint was disabled: the staff who manage its webhooks. The access policy
# sits above the queue, so `WebhooksConfig.ready` hands its answer down (`disabled_recipients_register`).
_disabled_recipients: Callable[[Partner], Iterable[str]] | None = None


def disabled_recipients_register(recipients: Callable[[Partner], Iterable[str]]) -> None:
    """Declare who is emailed when one of a partner's endpoints is disabled (called by `WebhooksConfig.ready`)."""
    global _disabled_recipients
    _disabled_recipients = recipients


def _endpoint_disable(endpoint: WebhookEndpoint) -> None:
    """Turn off an endpoint that failed for a day and tell the staff who manage the partner's webhooks (outbox)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_at=timezone.now())
    if _disabled_recipients is None:
        raise ImproperlyConfigured("No recipients registered for disabled webhook endpoints")
    addresses = list(_disabled_recipients(endpoint.partner))
    subject = str(_("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url})
    body = str(
        _(
            "Every delivery to the webhook endpoint %(url)s failed for 24 hours, so the portal stopped sending to it."
            " Fix the receiver, then resume the endpoint and redeliver the messages it missed on its page under"
            " Staff → Webhooks.\n"
        )
        % {"url": endpoint.url}
    )
    for address in addresses:
        email_enqueue(to=address, subject=subject, body=body, partner=endpoint.partner, topic="webhooks")
    logger.warning("Webhook endpoint %s disabled after a day of failures", endpoint.pk)


@task()
def webhook_deliver(delivery_id: int) -> str:
    """Make one try of a delivery; on failure record it and schedule the next, or give up after a day."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "locked-or-missing"
        with request_id_bound(delivery.request_id):
            return _webhook_deliver_locked(delivery)


def _webhook_deliver_locked(delivery: WebhookDelivery) -> str:
    """One try of a delivery whose row this transaction holds locked (its log lines carry the emitting request's ID)."""
    if delivery.status in (WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED):
        return "done"
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        # Paused: the row waits; resuming the endpoint queues it again.
        return "paused"
    delivery.attempts += 1
    started = time.monotonic()
    status: int | None = None
    error = ""
    try:
        headers = signed_headers(secret=endpoint.secret, message_id=delivery.message_id, body=delivery.body)
        status, _content = _post(endpoint.url, headers=headers, body=delivery.body.encode())
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except UnsafeURL as exc:
        error = str(exc)
    except (OSError, http.client.HTTPException) as exc:  # timeouts, refused connections, TLS, bad responses
        error = f"{type(exc).__name__}: {exc}"
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    delivery.response_code = status
    delivery.last_error = error[:500]
    fields = ["attempts", "duration_ms", "response_code", "last_error", "status", "next_attempt_at"]
    if not error:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.save(update_fields=[*fields, "delivered_at"])
        logger.info("Webhook delivery %s delivered (attempt %s, HTTP %s)", delivery.pk, delivery.attempts, status)
        return "delivered"
    delay = backoff(delivery.attempts)
    window = timedelta(seconds=settings.PORTAL_WEBHOOK_RETRY_WINDOW_SECONDS)
    if timezone.now() + delay - delivery.created_at > window:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
        delivery.save(update_fields=fields)
        succeeded_since = endpoint.deliveries.filter(
            status=WebhookDelivery.Status.SUCCEEDED, delivered_at__gte=delivery.created_at
        ).exists()
        if not succeeded_since:
            _endpoint_disable(endpoint)
        return "gave-up"
    delivery.status = WebhookDelivery.Status.RETRYING
    delivery.next_attempt_at = timezone.now() + delay
    delivery.save(update_fields=fields)
    logger.info(
        "Webhook delivery %s failed (attempt %s), retrying in %s: %s", delivery.pk, delivery.attempts, delay, error
    )
    webhook_deliver_on_commit(delivery.pk, delay=delay)
    return "retry"


def webhook_requeue_stranded() -> int:
    """Queue again every unfinished delivery that no task will make any more; return how many.

    That happens when a worker dies mid-try (its task stays "running" forever); `requeue_unheld` says which
    deliveries are covered, as for the email outbox. `make run` and the worker's unit call this through
    `manage.py webhook_requeue` before they start the worker.
    """
    unfinished = WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING], endpoint__enabled=True
    )
    stranded = requeue_unheld(unfinished, task=webhook_deliver)
    if stranded:
        logger.warning("Queued %s stranded webhook deliveries again", len(stranded))
    return len(stranded)
