"""The append-only activity log."""

from __future__ import annotations

import json

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActivityEntry(models.Model):
    """One change made in the portal: who did what, to which customer, with before/after details.

    Rows are never updated or deleted: a database trigger (see the migration) rejects UPDATE and DELETE.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now)
    partner = models.ForeignKey(
        "partnerportal.Partner", on_delete=models.DO_NOTHING, db_constraint=True, related_name="+", null=True
    )
    actor = models.ForeignKey(
        "partnerportal.User", on_delete=models.DO_NOTHING, related_name="+", null=True, blank=True
    )
    actor_email = models.CharField(_("user"), max_length=254, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True
    )
    customer_name = models.CharField(_("affected customer"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
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
        """The details as (field, before, after) rows for display; keys other than before/after show as "after"."""
        details = self.details or {}
        before = details.get("before") or {}
        after = details.get("after") or {}
        rows = [
            (key, _display(before[key]) if key in before else "", _display(after[key]) if key in after else "")
            for key in dict.fromkeys([*before, *after])
        ]
        rows += [(key, "", _display(value)) for key, value in details.items() if key not in ("before", "after")]
        return rows


def _display(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False)
