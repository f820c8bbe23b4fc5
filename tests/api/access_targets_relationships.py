"""Bodies and effects of the API's relationship rows in the access matrix (tests/access.py)."""

from __future__ import annotations

from relationships.models import Invitation, Relationship


def _ended(ctx) -> None:
    relationship = Relationship.objects.get(customer_id=ctx.kwargs["pk"], partner=ctx.world.partner_a)
    assert relationship.status == "ended" and relationship.end_reason == "no_longer_transacting"
    assert ctx.response.json()["id"] == relationship.pk and ctx.response.json()["status"] == "ended"


def _restore_sent(ctx) -> None:
    invitation = Invitation.objects.get(restores_id=ctx.kwargs["pk"], email="admin@customer.example")
    assert invitation.status == "pending" and invitation.partner == ctx.world.partner_a
    assert ctx.response.json()["id"] == invitation.pk


BODIES = {
    "api: end": lambda ctx: {"reason": "no_longer_transacting", "confirm": True},
    "api: restore": lambda ctx: {"email": "admin@customer.example", "message": "Come back"},
}

EFFECTS = {
    "api relationship ended": _ended,
    "api restore invitation sent": _restore_sent,
}
