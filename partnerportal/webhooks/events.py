"""Emitting events: services call `event_emit` inside their transaction; the API fills the representers.

Emit low, represent high: the services live below the API and may not import it, so the payload of a resource is
produced by a representer that the API registers for the resource's model (its serializer), looked up here. The
payload is frozen when the change happens: one delivery row per subscribed, enabled endpoint of the partner is
written in the caller's transaction, and its task is enqueued only when that transaction commits. A partner
without an endpoint for the event pays one indexed query and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q
from django.utils import timezone

from partnerportal.infrastructure.logs import current_request_id
from partnerportal.models import Partner
from partnerportal.webhooks.delivery import webhook_deliver_on_commit
from partnerportal.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint

# (resource, partner id) → the JSON `data`: some fields (relationship kind, tags) are the receiving partner's view.
Representer = Callable[[Any, int], dict[str, Any]]

_REPRESENTERS: dict[type[Model], Representer] = {}


def representer_register(model: type[Model], representer: Representer) -> None:
    """Declare how a resource of `model` appears in an event's `data` (called by the API's AppConfig)."""
    _REPRESENTERS[model] = representer


def represent(resource: Model, partner_id: int) -> dict[str, Any]:
    """The resource as the API represents it to the partner; raises for a model nobody registered."""
    try:
        representer = _REPRESENTERS[type(resource)]
    except KeyError:
        raise ImproperlyConfigured(f"No webhook representer registered for {type(resource).__name__}") from None
    return representer(resource, partner_id)


def event_subscribers(event_types: list[EventType], partner_ids: set[int]) -> set[int]:
    """Which of `partner_ids` have an enabled endpoint subscribed to any of `event_types` (one query).

    A job that emits for many resources at once asks this first, so partners without webhooks cost it nothing per
    resource.
    """
    if not partner_ids:
        return set()
    # `event_types` is a JSON list: "any of these" is one containment test per type.
    any_of = Q()
    for event in event_types:
        any_of |= Q(event_types__contains=[event.value])
    return set(
        WebhookEndpoint.objects.filter(any_of, partner_id__in=partner_ids, enabled=True).values_list(
            "partner_id", flat=True
        )
    )


def event_emit(event_type: EventType | str, *, partner: Partner | int | None, resource: Model) -> list[WebhookDelivery]:
    """Queue `event_type` about `resource` to every enabled endpoint of `partner` subscribed to it.

    Call it inside the transaction that makes the change: the rows commit or roll back with it.
    """
    if partner is None:
        return []
    partner_id = partner if isinstance(partner, int) else partner.pk
    event_type = EventType(event_type)
    endpoints = list(
        WebhookEndpoint.objects.filter(partner_id=partner_id, enabled=True, event_types__contains=[event_type.value])
    )
    if not endpoints:
        return []
    body = json.dumps(
        {"type": event_type.value, "timestamp": timezone.now().isoformat(), "data": represent(resource, partner_id)},
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    request_id = current_request_id()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=endpoint, event_type=event_type.value, body=body, request_id=request_id)
            for endpoint in endpoints
        ]
    )
    for delivery in deliveries:
        webhook_deliver_on_commit(delivery.pk)
    return deliveries
