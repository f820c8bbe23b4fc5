"""Access-matrix targets, bodies and effects of the admin-relationship pages (registered in
tests/partnerportal/test_access.py and tests/access_effects.py)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from adminrelationships.models import AdminRelationship, Status
from customers.models import Customer
from partnerportal.models import OutboundEmail
from tests.adminrelationships.helpers import DIRECTORY_READERS, HELPDESK_ADMIN, request_for, token_of
from tests.factories import make_user

REQUESTED_NAME = "Helpdesk standard"


def _approved(relationship: AdminRelationship) -> AdminRelationship:
    url = reverse("adminrelationships:adminrelationship_approve", kwargs={"token": token_of(relationship)})
    Client().post(url, {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE
    return relationship


def admin_relationship_in(world) -> dict:
    """An active admin relationship of partner A on `customer_in`."""
    return {"pk": _approved(request_for(world.customer_in, world.users["admin_agent"], name="Tier 1")).pk}


def admin_relationship_unassigned(world) -> dict:
    """An active admin relationship of partner A on the customer not assigned to the assigned-scope agent."""
    return {"pk": _approved(request_for(world.customer_unassigned, world.users["admin_agent"], name="Tier 1")).pk}


def admin_relationship_out(world) -> dict:
    """An active admin relationship of partner B: out of scope, so 404."""
    return {"pk": admin_relationship_b(world).pk}


def admin_relationship_b(world) -> AdminRelationship:
    agent_b = make_user(world.partner_b, "admin_agent")
    return _approved(request_for(world.customer_out, agent_b, name="Tier 1"))


def admin_approval_token(world) -> dict:
    """The link of a pending request to `customer_in` (the public page answers anyone holding it)."""
    relationship = request_for(world.customer_in, world.users["admin_agent"], name="Tier 1")
    world.extra["admin_relationship_pending"] = relationship.pk
    return {"token": token_of(relationship)}


TARGETS = {
    "gdap_in": admin_relationship_in,
    "gdap_unassigned": admin_relationship_unassigned,
    "gdap_out": admin_relationship_out,
    "gdap_token": admin_approval_token,
    "gdap_token_bad": lambda world: {"token": "not-a-real-token"},
}


def _requested(ctx) -> None:
    relationship = AdminRelationship.objects.get(partner=ctx.world.partner_a, name=REQUESTED_NAME)
    assert relationship.customer_id == ctx.world.customer_in.pk
    assert relationship.requested_by_id == ctx.user.pk
    assert relationship.status == Status.APPROVAL_PENDING
    contact = Customer.objects.get(pk=ctx.world.customer_in.pk).contact_email
    assert OutboundEmail.objects.filter(topic=f"admin-relationship:{relationship.pk}", to=contact).exists()


def _terminated(ctx) -> None:
    relationship = AdminRelationship.objects.get(pk=ctx.kwargs["pk"])
    assert relationship.status == Status.TERMINATED and relationship.terminated_by_id == ctx.user.pk


def _approved_effect(ctx) -> None:
    relationship = AdminRelationship.objects.get(pk=ctx.world.extra["admin_relationship_pending"])
    assert relationship.status == Status.ACTIVE and relationship.approved_name == "Ana Kim"


BODIES = {
    "admin relationship request": lambda ctx: {
        "customer_id": str(ctx.world.customer_in.pk),
        "name": REQUESTED_NAME,
        "duration_days": "365",
        "roles": [DIRECTORY_READERS, HELPDESK_ADMIN],
    },
    "terminate: reason and confirmation": lambda ctx: {"reason": "Contract ended", "confirm": "on"},
    "approve all": lambda ctx: {"decision": "approve", "name": "Ana Kim", "confirm": "on"},
}
EFFECTS = {
    "admin relationship requested": _requested,
    "admin relationship terminated": _terminated,
    "admin relationship approved": _approved_effect,
}
