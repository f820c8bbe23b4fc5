"""Sections of the customer page contributed by apps above customers (which customers may not import).

An app registers a template and a function giving its context from `AppConfig.ready`; the customer page renders
each section whose function returns a context (None: nothing to show to this user).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from customers.models import Customer
    from partnerportal.models import User

PanelContext = Callable[["User", "Customer"], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    """One contributed section: its template and the function that gives its context."""

    template: str
    context: PanelContext


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    context: dict[str, Any]


_PANELS: dict[str, Panel] = {}


def customer_panel_register(*, template: str, context: PanelContext) -> None:
    """Add a section to the customer page (idempotent: ready() may run more than once)."""
    _PANELS[template] = Panel(template=template, context=context)


def customer_panels(*, user: User, customer: Customer) -> list[RenderedPanel]:
    """The contributed sections this user sees on this customer's page, in registration order."""
    result = []
    for panel in _PANELS.values():
        context = panel.context(user, customer)
        if context is not None:
            result.append(RenderedPanel(template=panel.template, context=context))
    return result
