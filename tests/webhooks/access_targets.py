"""The webhook pages' targets, bodies and effects for the access matrix (tests/access.py)."""

from __future__ import annotations

from partnerportal.webhooks.models import WebhookDelivery, WebhookEndpoint
from partnerportal.webhooks.services import webhook_endpoint_create

URL = "http://127.0.0.1:9/hooks"


def _endpoint(admin) -> WebhookEndpoint:
    return webhook_endpoint_create(actor=admin, url=URL, event_types=["customer.updated"], description="CRM")


def _delivery(admin) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=_endpoint(admin), event_type="customer.updated", body='{"type":"customer.updated"}'
    )


TARGETS = {
    "webhook_in": lambda world: {"pk": _endpoint(world.users["global_admin"]).pk},
    "webhook_out": lambda world: {"pk": _endpoint(world.user_b).pk},
    "delivery_in": lambda world: {"pk": _delivery(world.users["global_admin"]).pk},
    "delivery_out": lambda world: {"pk": _delivery(world.user_b).pk},
}

BODIES = {
    "webhook endpoint": lambda ctx: {"url": URL + "/new", "event_types": ["customer.created", "relationship.ended"]},
    "webhook endpoint edit": lambda ctx: {
        "url": URL + "/edited",
        "event_types": ["invitation.expired", "customer.updated"],
        "description": "PSA",
    },
}


def _endpoint_created(ctx) -> None:
    endpoint = WebhookEndpoint.objects.get(partner=ctx.world.partner_a, url=URL + "/new")
    assert endpoint.event_types == ["customer.created", "relationship.ended"]
    assert endpoint.secret in ctx.response.content.decode(), "the new secret is shown once, in this response"


def _endpoint_edited(ctx) -> None:
    endpoint = WebhookEndpoint.objects.get(pk=ctx.kwargs["pk"])
    assert (endpoint.url, endpoint.event_types, endpoint.description) == (
        URL + "/edited",
        ["customer.updated", "invitation.expired"],
        "PSA",
    )


def _secret_rotated(ctx) -> None:
    endpoint = WebhookEndpoint.objects.get(pk=ctx.kwargs["pk"])
    assert endpoint.secret in ctx.response.content.decode()


def _paused(ctx) -> None:
    assert not WebhookEndpoint.objects.get(pk=ctx.kwargs["pk"]).enabled


def _deleted(ctx) -> None:
    assert not WebhookEndpoint.objects.filter(pk=ctx.kwargs["pk"]).exists()


def _redelivered(ctx) -> None:
    first = WebhookDelivery.objects.get(pk=ctx.kwargs["pk"])
    again = WebhookDelivery.objects.exclude(pk=first.pk).get(message_id=first.message_id)
    assert again.status == WebhookDelivery.Status.PENDING


EFFECTS = {
    "webhook endpoint created": _endpoint_created,
    "webhook endpoint edited": _endpoint_edited,
    "webhook secret rotated": _secret_rotated,
    "webhook endpoint paused": _paused,
    "webhook endpoint deleted": _deleted,
    "webhook redelivered": _redelivered,
}
