"""Webhook endpoints of a partner and the deliveries the queue makes to them (one row per event and endpoint)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerportal.models import Partner


class EventType(models.TextChoices):
    """Every event the portal emits, spelled once (the `type` of a delivered message)."""

    CUSTOMER_CREATED = "customer.created", _("Customer created")
    CUSTOMER_UPDATED = "customer.updated", _("Customer updated")
    RELATIONSHIP_STARTED = "relationship.started", _("Relationship started")
    RELATIONSHIP_ENDED = "relationship.ended", _("Relationship ended")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    INVITATION_EXPIRED = "invitation.expired", _("Invitation expired")
    PURCHASE_PERMISSION_CHANGED = "purchase_permission.changed", _("Purchase permission changed")
    PARTNERSHIP_AUTHORIZED = "partnership.authorized", _("Partnership authorized")
    PARTNERSHIP_REMOVED = "partnership.removed", _("Partnership removed")
    ADMIN_RELATIONSHIP_REQUESTED = "admin_relationship.requested", _("Admin relationship requested")
    ADMIN_RELATIONSHIP_APPROVED = "admin_relationship.approved", _("Admin relationship approved")
    ADMIN_RELATIONSHIP_DECLINED = "admin_relationship.declined", _("Admin relationship declined")
    ADMIN_RELATIONSHIP_TERMINATED = "admin_relationship.terminated", _("Admin relationship terminated")
    ADMIN_RELATIONSHIP_EXTENDED = "admin_relationship.extended", _("Admin relationship extended")
    ADMIN_RELATIONSHIP_EXPIRED = "admin_relationship.expired", _("Admin relationship expired")
    LEAD_RECEIVED = "lead.received", _("Lead received")
    LEAD_ACCEPTED = "lead.accepted", _("Lead accepted")
    LEAD_WON = "lead.won", _("Lead won")
    LEAD_LOST = "lead.lost", _("Lead lost")
    LEAD_DECLINED = "lead.declined", _("Lead declined")


def message_id_new() -> str:
    """A fresh `webhook-id`."""
    return f"msg_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    """A URL of a partner's that receives the event types it subscribes to, signed with its secret."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    # The signing key (`whsec_` + base64). HMAC needs the key itself, so it cannot be stored hashed; pages show it
    # once, right after it is made.
    secret = models.CharField(max_length=100, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Set when the queue turned the endpoint off after a day of failures (a pause by an admin leaves it empty).
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url", "id"]
        indexes = [models.Index(fields=["partner", "enabled"], name="webhookendpoint_partner")]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event to one endpoint: the frozen, signed-at-send message, its state and its last response."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RETRYING = "retrying", _("Failed, retrying")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The `webhook-id` header: the same on every try, so a receiver can drop a duplicate.
    message_id = models.CharField(max_length=40, default=message_id_new, db_index=True, editable=False)
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    # The exact bytes sent (`{"type", "timestamp", "data"}`), frozen when the change happened.
    body = models.TextField()
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next try"), null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The X-Request-ID of the request whose change emitted the event, carried into the worker's log lines.
    request_id = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhookdelivery_endpoint"),
            # The queue gauges of /metrics (depth, oldest waiting, given up) read these small partial indexes
            # instead of the whole delivery log.
            models.Index(
                fields=["created_at"],
                name="webhookdelivery_unsent",
                condition=models.Q(status__in=["pending", "retrying"]),
            ),
            models.Index(fields=["created_at"], name="webhookdelivery_failed", condition=models.Q(status="failed")),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"
