"""Options of the add-customer page contributed by apps above customers (which customers may not import).

An app registers, from `AppConfig.ready`, a form field offered to some users (`field(user)` returns None for the
others) and what to do with its value once the customer exists (`apply`). Onboarding applies every offered option
inside the transaction that creates the customer, so a failing option rolls the customer back with it.
An app may also register initial values of the page drawn from its query string (`?lead=<id>` pre-fills the
profile from a lead).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django import forms

    from customers.models import Customer
    from partnerportal.models import User


@dataclass(frozen=True)
class AddCustomerOption:
    """One contributed option: its form field name, the field a user is offered, and what its value does."""

    name: str
    field: Callable[[User], forms.Field | None]
    apply: Callable[[User, Customer, Any], None]


_OPTIONS: dict[str, AddCustomerOption] = {}
_INITIAL: dict[str, Callable[[User, Mapping[str, str]], dict[str, Any]]] = {}


def add_customer_option_register(
    *, name: str, field: Callable[[User], forms.Field | None], apply: Callable[[User, Customer, Any], None]
) -> None:
    """Add an option to the add-customer page (idempotent: ready() may run more than once)."""
    _OPTIONS[name] = AddCustomerOption(name=name, field=field, apply=apply)


def add_customer_fields(*, user: User) -> dict[str, forms.Field]:
    """The contributed fields this user is offered, by name, in registration order."""
    fields = {}
    for option in _OPTIONS.values():
        field = option.field(user)
        if field is not None:
            fields[option.name] = field
    return fields


def add_customer_options_apply(*, actor: User, customer: Customer, values: dict[str, Any]) -> None:
    """Apply the options the user submitted (`values` by option name) to the new customer."""
    for name, value in values.items():
        _OPTIONS[name].apply(actor, customer, value)


def add_customer_initial_register(*, name: str, initial: Callable[[User, Mapping[str, str]], dict[str, Any]]) -> None:
    """Add a source of initial values of the add-customer page, read from its query string (idempotent)."""
    _INITIAL[name] = initial


def add_customer_initial(*, user: User, params: Mapping[str, str]) -> dict[str, Any]:
    """The initial values every registered source draws from the page's query string for this user."""
    values: dict[str, Any] = {}
    for initial in _INITIAL.values():
        values.update(initial(user, params))
    return values
