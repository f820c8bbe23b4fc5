"""Writing the activity log: one entry per change, in the same transaction as the change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from activity.actions import Actions
from activity.models import ActivityEntry
from partnerportal.infrastructure.middleware import client_address

if TYPE_CHECKING:
    from partnerportal.models import Partner, User

__all__ = ["Actions", "action_choices", "activity_record"]


def action_choices() -> list[tuple[str, str]]:
    """Every action as (code, label in the current language), sorted by label (the log's action filter)."""
    return sorted(((code, str(label)) for code, label in Actions.choices), key=lambda choice: choice[1].casefold())


def activity_record(
    *,
    action: Actions,
    actor: User | None = None,
    partner: Partner | None = None,
    customer: Any = None,  # a customers.Customer (the log imports none of the apps)
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **extra: Any,
) -> ActivityEntry:
    """Append one entry to the activity log; call it inside the transaction that makes the change.

    `action` must be one of `Actions` (a misspelt code raises ValueError here, not later as an unlabelled row).
    """
    action = Actions(action)
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
