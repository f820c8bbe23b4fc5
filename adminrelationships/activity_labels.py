"""How the activity log labels the details of admin-relationship entries. Registered from the app's `ready`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register
from adminrelationships.models import Status

ENTRIES = (
    Actions.ADMIN_RELATIONSHIP_REQUEST,
    Actions.ADMIN_RELATIONSHIP_APPROVE,
    Actions.ADMIN_RELATIONSHIP_DECLINE,
    Actions.ADMIN_RELATIONSHIP_TERMINATE,
    Actions.ADMIN_RELATIONSHIP_ASSIGN,
    Actions.ADMIN_RELATIONSHIP_EXTEND,
    Actions.ADMIN_RELATIONSHIP_EXPIRE,
    Actions.ADMIN_RELATIONSHIP_CREATE_ACTIVE,
)
GROUPS = (Actions.SECURITY_GROUP_CREATE, Actions.SECURITY_GROUP_UPDATE)


def register() -> None:
    activity_labels_register(
        *ENTRIES,
        model="adminrelationships.AdminRelationship",
        labels={
            "admin_relationship": _("Admin relationship"),
            "role_names": _("Microsoft Entra roles"),
            "roles": _("Microsoft Entra roles"),
            "template": _("Role template"),
            "security_group": _("Security group"),
            "assignments_removed": _("Assignments removed"),
            "status": _("Status"),
            "invitation": _("Invitation"),
        },
        values={"status": dict(Status.choices)},
    )
    # An invitation that also asks for an admin relationship names the role template it asks with.
    activity_labels_register(
        Actions.INVITATION_CREATE, labels={"admin_template": _("Admin relationship requested with")}
    )
    activity_labels_register(
        *GROUPS,
        model="adminrelationships.SecurityGroup",
        labels={"security_group": _("Security group"), "members": _("Members")},
    )
    activity_labels_register(
        Actions.ROLE_TEMPLATE_CREATE,
        Actions.ROLE_TEMPLATE_UPDATE,
        Actions.ROLE_TEMPLATE_DELETE,
        model="adminrelationships.RoleTemplate",
        labels={
            "role_template": _("Role template"),
            "role_names": _("Microsoft Entra roles"),
            "is_default": _("Default template"),
        },
    )
