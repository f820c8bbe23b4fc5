"""Access-matrix targets for the invitation pages (registered in tests/partnerportal/test_access.py)."""

from __future__ import annotations

from relationships.services import invitation_create


def _invitation(world, *, partner_b: bool = False, email: str = "admin@invited.example.net"):
    actor = world.user_b if partner_b else world.users["global_admin"]
    return invitation_create(actor=actor, email=email, message="Please accept.", dap=True)


def invitation_in(world) -> dict:
    """A pending invitation of partner A (the users under test); its link is kept to prove a resend kills it."""
    invitation, token = _invitation(world)
    world.extra["old_token"] = token
    return {"pk": invitation.pk}


def invitation_out(world) -> dict:
    """A pending invitation of partner B: out of scope, so 404."""
    return {"pk": _invitation(world, partner_b=True)[0].pk}


def invitation_by_assigned(world) -> dict:
    """A pending invitation of partner A sent by the assigned-scope agent (theirs, so in their scope)."""
    invitation, token = invitation_create(
        actor=world.users["assigned"], email="admin@invited.example.net", message="Please accept.", dap=True
    )
    world.extra["old_token"] = token
    return {"pk": invitation.pk}


def invite_token(world) -> dict:
    """A valid link of a pending invitation (the public page answers anyone)."""
    # Its own address, so a world that also holds invitation_in (a confirmation page's target) can hold it too.
    return {"token": _invitation(world, email="admin@accepting.example.net")[1]}


def invite_token_new_customer(world) -> dict:
    """A valid link of a pending invitation of a customer new to the portal, to another address than invite_token's
    (so one world can hold both)."""
    _invitation, token = invitation_create(
        actor=world.users["global_admin"], email="admin@checking.example.net", message="Please accept.", dap=True
    )
    return {"token": token}


TARGETS = {
    "invitation_in": invitation_in,
    "invitation_out": invitation_out,
    "invitation_by_assigned": invitation_by_assigned,
    "invite_token": invite_token,
    "invite_token_bad": lambda world: {"token": "not-a-real-token"},
    "invite_token_new_customer": invite_token_new_customer,
}
