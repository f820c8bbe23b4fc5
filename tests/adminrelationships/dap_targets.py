"""Access-matrix targets, bodies and effects of the role-template edit and delete pages and the DAP to admin
relationships pages (registered in tests/partnerportal/test_access.py and tests/access_effects.py)."""

from __future__ import annotations

from adminrelationships.models import AdminRelationship, RoleTemplate, Status
from relationships.models import Relationship
from tests.adminrelationships.access_targets import _row
from tests.adminrelationships.helpers import DIRECTORY_READERS, HELPDESK_ADMIN


def role_template_in(world) -> dict:
    """A role template of partner A."""
    template, _created = RoleTemplate.objects.get_or_create(
        partner=world.partner_a, name="Tier 1", defaults={"roles": [HELPDESK_ADMIN]}
    )
    return {"pk": template.pk}


def role_template_b(world) -> RoleTemplate:
    """A role template of partner B: out of scope, so 404."""
    # One per world: sweeps that visit several routes (edit, delete) ask for it more than once.
    template, _created = RoleTemplate.objects.get_or_create(
        partner=world.partner_b, name="Tier 1", defaults={"roles": [HELPDESK_ADMIN]}
    )
    return template


TARGETS = {
    "template_in": role_template_in,
    "template_out": lambda world: {"pk": role_template_b(world).pk},
}


def _dap_request_body(ctx) -> dict:
    template, _created = RoleTemplate.objects.get_or_create(
        partner=ctx.world.partner_a, name="Helpdesk standard", defaults={"roles": [DIRECTORY_READERS, HELPDESK_ADMIN]}
    )
    return {"template": str(template.pk)}


def _dap_remove_body(ctx) -> dict:
    """An active admin relationship on the customer first: only then may DAP go."""
    relationship = Relationship.objects.filter(customer_id=ctx.kwargs["pk"], status="active").first()
    if relationship is not None and relationship.partner_id == ctx.world.partner_a.pk:
        _row(relationship.customer, ctx.world.users["admin_agent"], approved=True)
    return {"confirm": "on"}


def _template_updated(ctx) -> None:
    template = RoleTemplate.objects.get(pk=ctx.kwargs["pk"])
    assert (template.name, template.roles, template.is_default) == ("Tier 2", [DIRECTORY_READERS], True)


def _template_deleted(ctx) -> None:
    assert not RoleTemplate.objects.filter(pk=ctx.kwargs["pk"]).exists()


def _dap_requested(ctx) -> None:
    relationship = AdminRelationship.objects.get(partner=ctx.world.partner_a, customer_id=ctx.kwargs["pk"])
    assert relationship.status == Status.APPROVAL_PENDING and relationship.requested_by_id == ctx.user.pk
    assert relationship.roles == [DIRECTORY_READERS, HELPDESK_ADMIN]


def _dap_removed(ctx) -> None:
    relationship = Relationship.objects.get(partner=ctx.world.partner_a, customer_id=ctx.kwargs["pk"], status="active")
    assert relationship.dap is False


BODIES = {
    "role template edit": lambda ctx: {"name": "Tier 2", "roles": [DIRECTORY_READERS], "is_default": "on"},
    "confirm": lambda ctx: {"confirm": "on"},
    "dap request": _dap_request_body,
    "dap remove": _dap_remove_body,
}
EFFECTS = {
    "role template updated": _template_updated,
    "role template deleted": _template_deleted,
    "dap admin relationship requested": _dap_requested,
    "dap removed": _dap_removed,
}
