"""How the activity log labels the details of relationship, invitation and partnership entries.

Registered from `RelationshipsConfig.ready`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register

INVITATIONS = (
    Actions.INVITATION_CREATE,
    Actions.INVITATION_RESEND,
    Actions.INVITATION_REVOKE,
    Actions.INVITATION_ACCEPT,
)
ACCEPTANCE_CODES = (Actions.INVITATION_CODE_SEND, Actions.INVITATION_CODE_WRONG, Actions.INVITATION_CODE_VERIFY)
RELATIONSHIPS = (Actions.RELATIONSHIP_END, Actions.RELATIONSHIP_RESTORE, Actions.RELATIONSHIP_DAP_REMOVE)
PARTNERSHIPS = (Actions.PARTNERSHIP_REQUEST, Actions.PARTNERSHIP_AUTHORIZE, Actions.PARTNERSHIP_REMOVE)


def register() -> None:
    activity_labels_register(
        *INVITATIONS,
        model="relationships.Invitation",
        fields={"accepted_by": "accepted_name"},
        labels={"invitation": _("Invitation"), "provider": _("Indirect provider"), "relationship": _("relationship")},
    )
    activity_labels_register(Actions.INVITATION_ACCEPT, model="customers.Customer")
    # Who invited and how the acceptor proved the invited address (the acceptance code).
    activity_labels_register(
        Actions.INVITATION_ACCEPT,
        labels={
            "invited_by": _("Invited by"),
            "verified_by": _("Address confirmed by"),
            "verified_at": _("Address confirmed"),
        },
        values={"verified_by": {"emailed_code": _("a code emailed to the invited address")}},
    )
    activity_labels_register(
        *ACCEPTANCE_CODES,
        model="relationships.AcceptanceCode",
        labels={"invitation": _("Invitation"), "email": _("Sent to")},
    )
    activity_labels_register(
        *RELATIONSHIPS,
        model="relationships.Relationship",
        fields={"reason": "end_reason", "reason_details": "end_reason_details"},
        labels={
            "tags": _("Tags"),
            "purchase_permissions": _("Purchase permissions"),
            "invitations_revoked": _("Invitations revoked"),
        },
    )
    # The purchase permissions a relationship's snapshot carries (product, expires_on, note).
    activity_labels_register(*RELATIONSHIPS, model="permissions.PurchasePermission")
    activity_labels_register(
        *PARTNERSHIPS,
        model="relationships.Partnership",
        labels={"provider": _("Indirect provider"), "reseller": _("Indirect reseller")},
    )
