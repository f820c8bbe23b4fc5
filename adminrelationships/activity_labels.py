"""How the activity log labels the details of admin-relationship entries. Registered from the app's `ready`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register

ENTRIES = (
    Actions.ADMIN_RELATIONSHIP_REQUEST,
    Actions.ADMIN_RELATIONSHIP_APPROVE,
    Actions.ADMIN_RELATIONSHIP_DECLINE,
    Actions.ADMIN_RELATIONSHIP_TERMINATE,
)


def register() -> None:
    activity_labels_register(
        *ENTRIES,
        model="adminrelationships.AdminRelationship",
        labels={
            "admin_relationship": _("Admin relationship"),
            "role_names": _("Microsoft Entra roles"),
        },
    )
