"""The lead pages' targets, bodies and effects for the access matrix (tests/access.py)."""

from __future__ import annotations

from leads.models import Lead, LeadFavourite
from tests.leads.factories import deal_form, make_accepted_lead, make_lead


def _lead_in(world) -> dict:
    """Partner A's received lead (its contact: the sales agent)."""
    return {"pk": make_lead(world.partner_a, contact=world.users["sales_agent"]).pk}


def _accepted_in(world) -> dict:
    admin = world.users["global_admin"]
    lead = make_accepted_lead(world.partner_a, actor=admin, team=[admin, world.users["sales_agent"]])
    return {"pk": lead.pk}


def _lead_out(world) -> dict:
    return {"pk": make_lead(world.partner_b, contact=world.user_b).pk}


TARGETS = {"lead_in": _lead_in, "lead_accepted_in": _accepted_in, "lead_out": _lead_out}


def _deal(ctx) -> dict:
    team = [ctx.user] if ctx.user is not None and ctx.user.partner_id == ctx.world.partner_a.pk else []
    return deal_form(team or [ctx.world.users["global_admin"]], deal_name="Contoso deal")


BODIES = {
    "lead deal": _deal,
    "lead decline": lambda ctx: {"reason": "no_capacity", "notes": "Fully booked until spring."},
    "lead favourite": lambda ctx: {"next": "/leads/?favourite=on"},
}


def _status(status: str):
    def check(ctx) -> None:
        assert Lead.objects.get(pk=ctx.kwargs["pk"]).status == status
        assert ctx.location == Lead.objects.get(pk=ctx.kwargs["pk"]).get_absolute_url()

    return check


def _deal_saved(ctx) -> None:
    lead = Lead.objects.get(pk=ctx.kwargs["pk"])
    assert lead.status == Lead.Status.ACCEPTED and lead.deal_name == "Contoso deal"
    assert list(lead.team_members.values_list("pk", flat=True)) == [ctx.user.pk]


def _declined(ctx) -> None:
    _status(Lead.Status.DECLINED)(ctx)
    assert Lead.objects.get(pk=ctx.kwargs["pk"]).decline_reason == "no_capacity"


def _favourite(ctx) -> None:
    assert LeadFavourite.objects.filter(lead_id=ctx.kwargs["pk"], user=ctx.user).exists()
    assert ctx.location == "/leads/?favourite=on"


EFFECTS = {
    "lead accepted": _deal_saved,
    "lead deal saved": _deal_saved,
    "lead declined": _declined,
    "lead won": _status(Lead.Status.WON),
    "lead lost": _status(Lead.Status.LOST),
    "lead closed as error": _status(Lead.Status.CLOSED_AS_ERROR),
    "lead favourite marked": _favourite,
}
