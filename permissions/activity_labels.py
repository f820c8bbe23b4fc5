"""How the activity log labels the details of purchase-permission entries (from `PermissionsConfig.ready`)."""

from __future__ import annotations

from activity.actions import Actions
from activity.labels import activity_labels_register


def register() -> None:
    activity_labels_register(
        Actions.PURCHASE_PERMISSION_CREATE,
        Actions.PURCHASE_PERMISSION_DELETE,
        model="permissions.PurchasePermission",
    )
