"""How the activity log labels the details of staff-user entries (registered from `PartnerPortalConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register


def register() -> None:
    activity_labels_register(
        Actions.STAFF_CREATE,
        Actions.STAFF_UPDATE,
        Actions.STAFF_DEACTIVATE,
        Actions.STAFF_REACTIVATE,
        Actions.STAFF_PASSWORD_RESET,
        Actions.STAFF_PASSWORD_SET,
        model="partnerportal.User",
        labels={"name": _("Name"), "assigned_customers": _("Assigned customers")},
    )
