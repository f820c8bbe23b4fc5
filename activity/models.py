"""The append-only activity log."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity import labels
from activity.actions import Actions


class ActivityEntry(models.Model):
    """One change made in the portal: who did what, to which customer, with before/after details.

    Rows are never updated or deleted: a database trigger (see the migration) rejects UPDATE and DELETE.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # partner and customer are indexed by activity_partner_time and activity_customer_time (they lead them).
    partner = models.ForeignKey(
        "partnerportal.Partner",
        on_delete=models.DO_NOTHING,
        db_constraint=True,
        related_name="+",
        null=True,
        db_index=False,
    )
    actor = models.ForeignKey(
        "partnerportal.User", on_delete=models.DO_NOTHING, related_name="+", null=True, blank=True
    )
    actor_email = models.CharField(_("user"), max_length=254, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        null=True,
        db_index=False,
    )
    customer_name = models.CharField(_("affected customer"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True, choices=Actions.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-created_at", "-id"], name="activity_partner_time"),
            models.Index(fields=["customer", "-created_at"], name="activity_customer_time"),
        ]
        permissions = [("view_activity", "Can view the partner's activity log")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def detail_rows(self) -> list[tuple[str, str, str]]:
        """The details as (field, before, after) rows in the reader's language (see `activity.labels`)."""
        return labels.detail_rows(self.action, self.details)
