"""Writes of webhook endpoints (create, change, pause/resume, rotate the secret, delete) and redelivery.

Access is decided by the pages through `permissions.policy` before these run; each write is atomic and logged.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.services import activity_record
from partnerportal.infrastructure.logs import current_request_id
from partnerportal.models import User
from partnerportal.webhooks.delivery import UnsafeURL, url_resolve, webhook_deliver_on_commit
from partnerportal.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint

EVENT_TYPES_REQUIRED = _("Choose at least one event type.")


def secret_new() -> str:
    """A fresh signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def endpoint_url_validate(url: str) -> str:
    """The URL when it may receive webhooks (HTTPS, resolving to public addresses only), else a ValidationError."""
    try:
        url_resolve(url)
    except UnsafeURL as exc:
        raise ValidationError({"url": [ValidationError(str(exc), code="unsafe")]}) from exc
    return url


def _event_types_clean(event_types: list[str]) -> list[str]:
    valid = set(EventType.values)
    chosen = [value for value in EventType.values if value in set(event_types)]
    if not chosen or set(event_types) - valid:
        raise ValidationError({"event_types": [ValidationError(EVENT_TYPES_REQUIRED, code="invalid")]})
    return chosen


def _summary(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "event_types": list(endpoint.event_types), "enabled": endpoint.enabled}


@transaction.atomic
def webhook_endpoint_create(*, actor: User, url: str, event_types: list[str], description: str = "") -> WebhookEndpoint:
    """Register an endpoint of the actor's partner with a new secret (the caller shows it once)."""
    endpoint = WebhookEndpoint(
        partner=actor.partner,
        url=endpoint_url_validate(url),
        event_types=_event_types_clean(event_types),
        description=description.strip(),
        secret=secret_new(),
    )
    endpoint.full_clean()
    endpoint.save()
    activity_record(action=Actions.WEBHOOK_ENDPOINT_CREATE, actor=actor, after=_summary(endpoint))
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *, actor: User, endpoint: WebhookEndpoint, url: str, event_types: list[str], description: str
) -> WebhookEndpoint:
    """Change an endpoint's URL, event types and description."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = _summary(locked)
    locked.url = endpoint_url_validate(url)
    locked.event_types = _event_types_clean(event_types)
    locked.description = description.strip()
    locked.full_clean()
    locked.save(update_fields=["url", "event_types", "description"])
    activity_record(action=Actions.WEBHOOK_ENDPOINT_UPDATE, actor=actor, before=before, after=_summary(locked))
    return locked


@transaction.atomic
def webhook_endpoint_enable(*, actor: User, endpoint: WebhookEndpoint, enabled: bool) -> WebhookEndpoint:
    """Pause or resume an endpoint; resuming queues again every message still waiting for it."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if locked.enabled == enabled:
        return locked
    before = _summary(locked)
    locked.enabled = enabled
    locked.disabled_at = None
    locked.save(update_fields=["enabled", "disabled_at"])
    if enabled:
        waiting = locked.deliveries.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]
        ).values_list("pk", flat=True)
        for pk in waiting:
            webhook_deliver_on_commit(pk)
    activity_record(action=Actions.WEBHOOK_ENDPOINT_UPDATE, actor=actor, before=before, after=_summary(locked))
    return locked


@transaction.atomic
def webhook_secret_rotate(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Give the endpoint a new secret (the caller shows it once); the old one signs nothing from now on."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.secret = secret_new()
    locked.save(update_fields=["secret"])
    activity_record(action=Actions.WEBHOOK_SECRET_ROTATE, actor=actor, after={"url": locked.url})
    return locked


@transaction.atomic
def webhook_endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery log."""
    activity_record(action=Actions.WEBHOOK_ENDPOINT_DELETE, actor=actor, before=_summary(endpoint))
    endpoint.delete()


@transaction.atomic
def webhook_redeliver(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a message again (same `webhook-id`, a fresh signature): a new row of the log, queued on commit."""
    again = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event_type=delivery.event_type,
        body=delivery.body,
        message_id=delivery.message_id,
        request_id=current_request_id(),
    )
    webhook_deliver_on_commit(again.pk)
    activity_record(
        action=Actions.WEBHOOK_REDELIVER,
        actor=actor,
        after={"url": delivery.endpoint.url, "event_type": delivery.event_type, "message_id": delivery.message_id},
    )
    return again
