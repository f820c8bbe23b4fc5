"""Builders shared by the invitation tests: form data for the acceptance page and the new-invitation page."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client
from django.urls import reverse

from relationships.models import AcceptanceCode, Invitation
from relationships.selectors import invitation_by_token
from relationships.services.acceptance_codes import acceptance_code_verify
from relationships.services.invitations import invitation_create
from tests.factories import KNOWN_CODE, make_acceptance_code

_seq = itertools.count(1)
# The customer's administrator the acceptance tests invite (not at any test partner's domain).
INVITED = "it.admin@fourthcoffee.example.net"


def invite(world: Any, **kwargs: Any) -> tuple[Invitation, str]:
    """An invitation from partner A's global admin (or `actor`) to INVITED, with delegated admin, and its token."""
    kwargs.setdefault("email", INVITED)
    kwargs.setdefault("message", "Please accept our invitation.")
    kwargs.setdefault("dap", True)
    return invitation_create(actor=kwargs.pop("actor", world.users["global_admin"]), **kwargs)


def profile_data(**overrides: Any) -> dict[str, str]:
    """A valid company profile as the acceptance page posts it (the profile form's fields carry a prefix)."""
    n = next(_seq)
    data = {
        "company_name": f"Fourth Coffee {n} Ltd",
        "domain_prefix": f"fourthcoffee{n}x",
        "country": "US",
        "address_line1": "1 Coffee Way",
        "address_line2": "",
        "city": "Seattle",
        "state": "US-WA",
        "postal_code": "98101",
        "contact_first_name": "Dana",
        "contact_last_name": "Lee",
        "contact_email": f"dana{n}@fourthcoffee.example.net",
        "contact_phone": "",
        "registration_id": "",
        "culture": "",
    }
    data.update(overrides)
    return {f"profile-{key}": value for key, value in data.items()}


def acceptance_data(*, profile: bool = True, **overrides: Any) -> dict[str, str]:
    """A valid acceptance POST: name, both confirmations, and the profile when the customer is new (the address is
    the invited one, confirmed beforehand: `verify_mailbox`)."""
    data = {
        "name": "Dana Lee",
        "confirm_global_admin": "on",
        "accept_agreement": "on",
    }
    if profile:
        data.update(profile_data())
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def accept_url(token: str) -> str:
    return reverse("relationships:invitation_accept", kwargs={"token": token})


def verify_mailbox(client: Client, token: str, *, code: str = KNOWN_CODE) -> AcceptanceCode:
    """Confirm the invited address in `client`'s session as the customer does: a code (known to the test, stored
    with the real hashing) entered on the page. Returns the confirmed code."""
    invitation = invitation_by_token(token)
    assert invitation is not None, "a valid link"
    made = make_acceptance_code(invitation, code)
    response = client.post(accept_url(token), {"step": "verify_code", "code": code})
    assert response.status_code == 200, response.status_code
    assert response.context["step"] == "accept", response.context["code_form"].errors
    made.refresh_from_db()
    return made


def verified_code(invitation: Invitation, *, code: str = KNOWN_CODE) -> AcceptanceCode:
    """A confirmed code for direct calls of `invitation_accept` (its `verified_code_id`)."""
    make_acceptance_code(invitation, code)
    return acceptance_code_verify(invitation=invitation, code=code)
