"""Bodies and effects of the API's relationship and invitation rows in the access matrix (tests/access.py)."""

from __future__ import annotations

from django.conf import settings

from relationships.models import Invitation, Relationship


def _ended(ctx) -> None:
    relationship = Relationship.objects.get(customer_id=ctx.kwargs["pk"], partner=ctx.world.partner_a)
    assert relationship.status == "ended" and relationship.end_reason == "no_longer_transacting"
    assert ctx.response.json()["id"] == relationship.pk and ctx.response.json()["status"] == "ended"


def _restore_sent(ctx) -> None:
    invitation = Invitation.objects.get(restores_id=ctx.kwargs["pk"], email="admin@customer.example")
    assert invitation.status == "pending" and invitation.partner == ctx.world.partner_a
    assert ctx.response.json()["id"] == invitation.pk


def _invitation_sent(ctx) -> None:
    invitation = Invitation.objects.get(pk=ctx.response.json()["id"])
    assert invitation.email == "admin@invited.example.net" and invitation.partner == ctx.world.partner_a
    # Delegated admin only where the cloud forces it (US Government: the matrix runs there too).
    assert invitation.created_by == ctx.user and invitation.dap is (settings.PORTAL_CLOUD == "us_gov")


def _invitation_resent(ctx) -> None:
    assert ctx.response.json()["status"] == "pending"
    assert Invitation.objects.get(pk=ctx.kwargs["pk"]).status == "pending"


def _invitation_revoked(ctx) -> None:
    assert Invitation.objects.get(pk=ctx.kwargs["pk"]).status == "revoked"
    assert ctx.response.json()["status"] == "revoked"


BODIES = {
    "api: invitation": lambda ctx: {"email": "admin@invited.example.net", "message": "Please accept."},
    "api: end": lambda ctx: {"reason": "no_longer_transacting", "confirm": True},
    "api: restore": lambda ctx: {"email": "admin@customer.example", "message": "Come back"},
}

EFFECTS = {
    "api relationship ended": _ended,
    "api restore invitation sent": _restore_sent,
    "api invitation sent": _invitation_sent,
    "api invitation resent": _invitation_resent,
    "api invitation revoked": _invitation_revoked,
}
