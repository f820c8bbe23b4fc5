"""How the activity log labels the details of webhook entries (from `WebhooksConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register


def register() -> None:
    activity_labels_register(
        Actions.WEBHOOK_ENDPOINT_CREATE,
        Actions.WEBHOOK_ENDPOINT_UPDATE,
        Actions.WEBHOOK_SECRET_ROTATE,
        Actions.WEBHOOK_ENDPOINT_DELETE,
        Actions.WEBHOOK_REDELIVER,
        model="webhooks.WebhookEndpoint",
        labels={"event_type": _("Event"), "message_id": _("Message ID")},
    )
