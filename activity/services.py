"""Writing the activity log: one entry per change, in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from activity.models import ActivityEntry
from partnerportal.infrastructure.middleware import client_address


class Actions:
    """Activity action names, spelled once (shown in the log and its filter)."""

    CUSTOMER_CREATE = "Create customer"
    CUSTOMER_UPDATE = "Update customer"
    CUSTOMER_AGREEMENT_ATTEST = "Attest customer agreement"
    CUSTOMER_IMPORT = "Import customer"
    TAGS_UPDATE = "Update customer tags"
    SUBSCRIPTION_CREATE = "Create subscription"
    SUBSCRIPTION_STATUS = "Change subscription status"
    INVITATION_CREATE = "Send invitation"
    INVITATION_RESEND = "Resend invitation"
    INVITATION_REVOKE = "Revoke invitation"
    INVITATION_ACCEPT = "Accept invitation"
    RELATIONSHIP_END = "End relationship"
    RELATIONSHIP_RESTORE = "Restore relationship"
    PARTNERSHIP_REQUEST = "Request partnership"
    PARTNERSHIP_AUTHORIZE = "Authorize partnership"
    PARTNERSHIP_REMOVE = "Remove partnership"
    PURCHASE_PERMISSION_CREATE = "Create customer purchase permission"
    PURCHASE_PERMISSION_DELETE = "Delete customer purchase permission"
    STAFF_CREATE = "Add staff user"
    STAFF_UPDATE = "Update staff user"
    STAFF_DEACTIVATE = "Deactivate staff user"
    STAFF_REACTIVATE = "Reactivate staff user"
    STAFF_PASSWORD_RESET = "Send password reset"  # noqa: S105 -- an action name, not a password
    STAFF_PASSWORD_SET = "Set password"  # noqa: S105 -- an action name, not a password


def action_names() -> list[str]:
    """Every action name in `Actions`, sorted (the activity log's action filter)."""
    return sorted(value for key, value in vars(Actions).items() if key.isupper() and isinstance(value, str))


def activity_record(
    *,
    action: str,
    actor=None,
    partner=None,
    customer=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **extra: Any,
) -> ActivityEntry:
    """Append one entry to the activity log; call it inside the transaction that makes the change."""
    details: dict[str, Any] = {}
    if before:
        details["before"] = before
    if after:
        details["after"] = after
    details.update(extra)
    if partner is None and actor is not None:
        partner = actor.partner
    return ActivityEntry.objects.create(
        partner=partner,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=getattr(actor, "email", "") or "",
        customer=customer,
        customer_name=customer.company_name if customer is not None else "",
        action=action,
        details=details,
        client_address=client_address(),
    )
