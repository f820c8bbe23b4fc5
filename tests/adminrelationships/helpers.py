"""Shared builders for the admin-relationship tests (and the access matrix's targets)."""

from __future__ import annotations

import re

from adminrelationships import catalogue
from adminrelationships.models import AdminRelationship
from adminrelationships.services import admin_relationship_request
from partnerportal.models import OutboundEmail

DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
GLOBAL_ADMIN = catalogue.GLOBAL_ADMINISTRATOR
TOKEN = re.compile(r"/admin-approval/([A-Za-z0-9_-]+)/")


def request_for(customer, actor, *, name: str = "Helpdesk standard", **kwargs) -> AdminRelationship:
    """An admin agent's request for Directory Readers + Helpdesk Administrator (unless told otherwise)."""
    kwargs.setdefault("roles", [DIRECTORY_READERS, HELPDESK_ADMIN])
    kwargs.setdefault("duration_days", 365)
    return admin_relationship_request(actor=actor, customer=customer, name=name, **kwargs)


def token_of(relationship: AdminRelationship) -> str:
    """The raw token of a request's link, from its queued email (the outbox keeps it apart until delivery)."""
    email = OutboundEmail.objects.get(topic=f"admin-relationship:{relationship.pk}")
    assert email.secret, "the token is kept apart from the stored body until delivery"
    assert email.secret not in email.body
    return email.secret
