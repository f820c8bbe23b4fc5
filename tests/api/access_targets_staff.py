"""Bodies and effects of the API's staff and admin-relationship rows in the access matrix (tests/access.py).

The targets are the pages' own (staff_user_in/out/inactive, gdap_in/out/unassigned); the bodies are the pages'
where JSON takes them as they are, and the effects check the API's answer as well as the database.
"""

from __future__ import annotations

from adminrelationships.models import AdminRelationship, Status
from partnerportal.models import User


def _staff_added(ctx) -> None:
    user = User.objects.get(email="jane.doe@contoso.example")
    body = ctx.response.json()
    assert body["id"] == user.pk and body["status"] == "invitation_pending" and "password" not in body


def _staff_changed(ctx) -> None:
    user = User.objects.get(pk=ctx.kwargs["pk"])
    assert (user.first_name, user.agent_role) == ("Renamed", "sales_agent")
    assert ctx.response.json()["agent_role"] == "sales_agent"


def _staff_active(active: bool):
    def check(ctx) -> None:
        assert User.objects.get(pk=ctx.kwargs["pk"]).is_active is active
        assert ctx.response.json()["status"] == ("deactivated" if not active else "active")

    return check


def _terminated(ctx) -> None:
    relationship = AdminRelationship.objects.get(pk=ctx.kwargs["pk"])
    assert relationship.status == Status.TERMINATED and relationship.terminated_by_id == ctx.user.pk
    assert ctx.response.json()["status"] == Status.TERMINATED


def _requested(ctx) -> None:
    body = ctx.response.json()
    relationship = AdminRelationship.objects.get(pk=body["id"])
    assert relationship.status == Status.APPROVAL_PENDING and relationship.requested_by_id == ctx.user.pk
    assert body["status"] == Status.APPROVAL_PENDING and body["customer_id"] == str(ctx.world.customer_in.pk)


BODIES = {
    "api: staff role changed": lambda ctx: {"first_name": "Renamed", "agent_role": "sales_agent"},
    "api: terminate": lambda ctx: {"reason": "Contract ended", "confirm": True},
}

EFFECTS = {
    "api staff user added": _staff_added,
    "api staff user changed": _staff_changed,
    "api staff user deactivated": _staff_active(False),
    "api staff user reactivated": _staff_active(True),
    "api admin relationship terminated": _terminated,
    "api admin relationship requested": _requested,
}
