"""Builders shared by the invitation tests: form data for the acceptance page and the new-invitation page."""

from __future__ import annotations

import itertools
from typing import Any

from django.urls import reverse

_seq = itertools.count(1)


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
    """A valid acceptance POST: name, email, both confirmations, and the profile when the customer is new."""
    data = {
        "name": "Dana Lee",
        "email": "dana.lee@fourthcoffee.example.net",
        "confirm_global_admin": "on",
        "accept_agreement": "on",
    }
    if profile:
        data.update(profile_data())
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def accept_url(token: str) -> str:
    return reverse("relationships:invitation_accept", kwargs={"token": token})
