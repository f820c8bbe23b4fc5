"""What apps above relationships add to an invitation (which relationships may not import): extra requests.

An app registers one `InvitationExtension` from `AppConfig.ready`. The new-invitation form offers its choices, the
invitation service records the choice with the invitation (in the same transaction), the invitation email tells the
customer what the choice will ask for, and the acceptance runs its follow-up inside the acceptance's transaction.
The acceptance page shows the notices it gives. Today the one extension is the admin relationship request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from customers.models import Customer
    from partnerportal.models import User
    from relationships.models import Invitation


@dataclass(frozen=True)
class InvitationExtension:
    """One app's addition to invitations; `key` names its form field (and the service's keyword)."""

    key: str
    # The form field's label, help text and the choice that asks for nothing (lazy translations).
    label: Any
    help_text: Any
    empty_label: Any
    # The choices (value, label) a user may pick on the new-invitation form; None: offer no field to this user.
    choices: Callable[[User], list[tuple[str, str]] | None]
    # Record a chosen value for a new invitation (ValidationError keyed by `key` for a value the actor may not use);
    # returns what the invitation's log entry shows of it.
    attach: Callable[[Invitation, User, str], str]
    # Lines the invitation email adds to tell the customer what accepting will also ask for.
    email_lines: Callable[[Invitation], list[str]]
    # Runs after the relationship began, inside the acceptance's transaction.
    accepted: Callable[[Invitation, Customer], None]
    # What the acceptance page tells the customer afterwards.
    notices: Callable[[Invitation], list[str]]
    # Initial values of the new-invitation form drawn from its query string (`?lead=<id>`); None: none.
    initial: Callable[[User, Mapping[str, str]], dict[str, Any]] | None = None


_EXTENSIONS: dict[str, InvitationExtension] = {}


def invitation_extension_register(extension: InvitationExtension) -> None:
    """Add an extension (idempotent: ready() may run more than once)."""
    _EXTENSIONS[extension.key] = extension


def invitation_extensions() -> list[InvitationExtension]:
    """The registered extensions, in registration order."""
    return list(_EXTENSIONS.values())


def invitation_initial(*, user: User, params: Mapping[str, str]) -> dict[str, Any]:
    """The initial values the extensions draw from the new-invitation page's query string for this user."""
    values: dict[str, Any] = {}
    for extension in _EXTENSIONS.values():
        if extension.initial is not None:
            values.update(extension.initial(user, params))
    return values
