"""Reads of customer purchase permissions for the customer page and the purchase-permissions page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from permissions import policy
from permissions.models import PurchasePermission
from permissions.roles import Action


@dataclass
class PurchasePermissionState:
    """One product's permission as a user reads it: allowed, not allowed, or not allowed because it expired."""

    product: str
    label: str
    record: PurchasePermission | None
    allowed: bool
    expired: bool

    @property
    def expires_on(self):
        return self.record.expires_on if self.record else None

    @property
    def note(self) -> str:
        return self.record.note if self.record else ""


@dataclass
class PurchasePermissionPanel:
    """Everything the "Customer permissions" section shows, loaded in two queries."""

    states: list[PurchasePermissionState]
    blocker: str | None
    can_change: bool
    forms: list = field(default_factory=list)
    editable: bool = False

    @property
    def has_stored(self) -> bool:
        return any(s.record is not None for s in self.states)


def purchase_permission_states(*, user, customer) -> list[PurchasePermissionState]:
    """Each product's state for the user's partner and the customer (one query)."""
    rows = {p.product: p for p in PurchasePermission.objects.filter(partner_id=user.partner_id, customer=customer)}
    today = timezone.localdate()
    states = []
    for value, label in PurchasePermission.Product.choices:
        record = rows.get(value)
        effective = record is not None and record.is_effective(today)
        states.append(
            PurchasePermissionState(
                product=value,
                label=str(label),
                record=record,
                allowed=effective,
                expired=record is not None and not effective,
            )
        )
    return states


def purchase_permission_panel(
    *, user, customer, can: set | frozenset | None = None, has_azure_plan: bool | None = None
) -> PurchasePermissionPanel:
    """The section's data: states, what (if anything) blocks turning permissions on, and whether the user may."""
    from permissions.services import purchase_permission_blocker

    if can is None:
        can_change = policy.can(user, Action.CHANGE_PURCHASE_PERMISSION, customer)
    else:
        can_change = Action.CHANGE_PURCHASE_PERMISSION in can
    return PurchasePermissionPanel(
        states=purchase_permission_states(user=user, customer=customer),
        blocker=purchase_permission_blocker(partner=user.partner, customer=customer, has_azure_plan=has_azure_plan),
        can_change=can_change,
    )
