"""How the activity log labels the details of API token entries (from `ApiConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register


def register() -> None:
    activity_labels_register(
        Actions.API_TOKEN_CREATE,
        Actions.API_TOKEN_REVOKE,
        model="api.ApiToken",
        labels={"owner": _("Token owner")},
    )
