"""Bodies and effects of the API's lead and business-profile rows in the access matrix (tests/access.py); the
targets are the pages' (tests/leads/access_targets.py, tests/profiles/access_targets.py)."""

from __future__ import annotations

from leads.models import Lead
from profiles.models import BusinessProfile
from tests.leads.factories import deal_form


def _deal(ctx) -> dict:
    team = [ctx.user] if ctx.user is not None and ctx.user.partner_id == ctx.world.partner_a.pk else []
    return deal_form(team or [ctx.world.users["global_admin"]], deal_name="Contoso deal")


BODIES = {
    "api: lead deal": _deal,
    "api: lead deal name": lambda ctx: {"deal_name": "Contoso renewal"},
    "api: lead decline": lambda ctx: {"reason": "no_capacity", "notes": "Fully booked until spring."},
}


def _status(status: str):
    def check(ctx) -> None:
        assert Lead.objects.get(pk=ctx.kwargs["pk"]).status == status
        assert ctx.response.json()["status"] == status

    return check


def _accepted(ctx) -> None:
    _status(Lead.Status.ACCEPTED)(ctx)
    lead = Lead.objects.get(pk=ctx.kwargs["pk"])
    assert lead.deal_name == "Contoso deal" and ctx.response.json()["deal_name"] == "Contoso deal"
    assert list(lead.team_members.values_list("pk", flat=True)) == [ctx.user.pk]


def _renamed(ctx) -> None:
    lead = Lead.objects.get(pk=ctx.kwargs["pk"])
    assert (lead.status, lead.deal_name) == (Lead.Status.ACCEPTED, "Contoso renewal")
    assert lead.team_members.count() == 2, "the fields not sent keep their values"
    assert ctx.response.json()["deal_name"] == "Contoso renewal" and ctx.response["ETag"]


def _declined(ctx) -> None:
    _status(Lead.Status.DECLINED)(ctx)
    assert Lead.objects.get(pk=ctx.kwargs["pk"]).decline_reason == "no_capacity"


def _profile_status(status: str):
    def check(ctx) -> None:
        assert BusinessProfile.objects.get(pk=ctx.kwargs["pk"]).status == status
        assert ctx.response.json()["status"] == status

    return check


EFFECTS = {
    "api lead accepted": _accepted,
    "api lead deal renamed": _renamed,
    "api lead declined": _declined,
    "api lead won": _status(Lead.Status.WON),
    "api lead lost": _status(Lead.Status.LOST),
    "api lead closed as error": _status(Lead.Status.CLOSED_AS_ERROR),
    "api business profile published": _profile_status(BusinessProfile.Status.PUBLISHED),
    "api business profile unpublished": _profile_status(BusinessProfile.Status.DRAFT),
}
