"""Access-matrix targets, bodies and effects of the admin-relationship pages (registered in
tests/partnerportal/test_access.py and tests/access_effects.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from adminrelationships.models import AccessAssignment, AdminRelationship, RoleTemplate, SecurityGroup, Status
from customers.models import Customer
from partnerportal.infrastructure.tokens import token_new
from partnerportal.models import OutboundEmail
from tests.adminrelationships.helpers import DIRECTORY_READERS, HELPDESK_ADMIN
from tests.factories import make_user

REQUESTED_NAME = "Helpdesk standard"


def _row(customer, agent, *, approved: bool) -> tuple[AdminRelationship, str]:
    """A relationship written straight as a row (the services are tested elsewhere): a matrix target must exist
    whatever earlier targets of the same test did to the customer (an ended relationship makes it unreachable)."""
    token, hashed = token_new()
    now = timezone.now()
    relationship = AdminRelationship.objects.create(
        partner_id=agent.partner_id,
        customer=customer,
        name=f"Tier {AdminRelationship.objects.count() + 1}",
        duration_days=365,
        roles=[DIRECTORY_READERS, HELPDESK_ADMIN],
        requested_by=agent,
        request_email=customer.contact_email,
        token_hash=hashed,
        approved_at=now if approved else None,
        approved_name="Ana Kim" if approved else "",
        starts_at=now if approved else None,
        ends_at=now + timedelta(days=365) if approved else None,
    )
    return relationship, token


def admin_relationship_in(world) -> dict:
    """An active admin relationship of partner A on `customer_in`."""
    return {"pk": _row(world.customer_in, world.users["admin_agent"], approved=True)[0].pk}


def admin_relationship_unassigned(world) -> dict:
    """An active admin relationship of partner A on the customer not assigned to the assigned-scope agent."""
    return {"pk": _row(world.customer_unassigned, world.users["admin_agent"], approved=True)[0].pk}


def admin_relationship_out(world) -> dict:
    """An active admin relationship of partner B: out of scope, so 404."""
    return {"pk": admin_relationship_b(world).pk}


def admin_relationship_b(world) -> AdminRelationship:
    return _row(world.customer_out, make_user(world.partner_b, "admin_agent"), approved=True)[0]


def admin_approval_token(world) -> dict:
    """The link of a pending request to `customer_in` (the public page answers anyone holding it)."""
    relationship, token = _row(world.customer_in, world.users["admin_agent"], approved=False)
    world.extra["admin_relationship_pending"] = relationship.pk
    return {"token": token}


def security_group_in(world) -> dict:
    """A security group of partner A."""
    return {"pk": SecurityGroup.objects.create(partner=world.partner_a, name="Tier 1 team").pk}


def security_group_b(world) -> SecurityGroup:
    return SecurityGroup.objects.create(partner=world.partner_b, name="Tier 1 team")


TARGETS = {
    "group_in": security_group_in,
    "group_out": lambda world: {"pk": security_group_b(world).pk},
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


def _assign_body(ctx) -> dict:
    group, _created = SecurityGroup.objects.get_or_create(partner=ctx.world.partner_a, name="Helpdesk team")
    ctx.world.extra["assigned_group"] = group.pk
    return {"group": str(group.pk), "roles": [HELPDESK_ADMIN]}


def _assigned(ctx) -> None:
    assignment = AccessAssignment.objects.get(
        relationship_id=ctx.kwargs["pk"], group_id=ctx.world.extra["assigned_group"]
    )
    assert assignment.roles == [HELPDESK_ADMIN]


def _group_saved(ctx) -> None:
    group = SecurityGroup.objects.get(partner=ctx.world.partner_a, name="Helpdesk team")
    assert list(group.members.values_list("pk", flat=True)) == [ctx.world.users["helpdesk_agent"].pk]


def _template_saved(ctx) -> None:
    template = RoleTemplate.objects.get(partner=ctx.world.partner_a, name="Helpdesk standard")
    assert set(template.roles) == {DIRECTORY_READERS, HELPDESK_ADMIN}


BODIES = {
    "assign group": _assign_body,
    "security group": lambda ctx: {"name": "Helpdesk team", "members": [str(ctx.world.users["helpdesk_agent"].pk)]},
    "role template": lambda ctx: {"name": "Helpdesk standard", "roles": [DIRECTORY_READERS, HELPDESK_ADMIN]},
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
    "roles assigned": _assigned,
    "security group saved": _group_saved,
    "role template saved": _template_saved,
    "admin relationship requested": _requested,
    "admin relationship terminated": _terminated,
    "admin relationship approved": _approved_effect,
}
