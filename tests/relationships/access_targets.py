"""Access-matrix targets for the end/restore, partnership and import pages (registered in test_access.TARGETS)."""

from __future__ import annotations

from partnerportal.models import Partner
from relationships.models import Partnership
from relationships.services.lifecycle import relationship_end
from relationships.services.partnerships import partnership_request
from tests.factories import make_partner, make_user


def _make_type(partner: Partner, type: str) -> None:
    Partner.objects.filter(pk=partner.pk).update(type=type)
    partner.refresh_from_db()


def ended_in(world) -> dict:
    """Partner A's ended relationship with its customer."""
    relationship = relationship_end(
        actor=world.users["global_admin"], customer=world.customer_in, reason="other", details="Test"
    )
    return {"pk": relationship.pk}


def ended_out(world) -> dict:
    """Partner B's ended relationship: A's staff must get 404."""
    relationship = relationship_end(actor=world.user_b, customer=world.customer_out, reason="other", details="Test")
    return {"pk": relationship.pk}


def provider(world) -> dict:
    """No URL arguments; partner A becomes an indirect provider, so provider-only pages open for its staff."""
    _make_type(world.partner_a, Partner.Type.INDIRECT_PROVIDER)
    return {}


def partnership_in(world) -> dict:
    """An active partnership of partner A (made an indirect provider) with a reseller."""
    _make_type(world.partner_a, Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
    partnership = Partnership.objects.create(provider=world.partner_a, reseller=reseller, status="active")
    return {"pk": partnership.pk}


def partnership_out(world) -> dict:
    """An active partnership of partner B (made an indirect provider): A's staff must get 404."""
    _make_type(world.partner_b, Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
    partnership = Partnership.objects.create(provider=world.partner_b, reseller=reseller, status="active")
    return {"pk": partnership.pk}


def partnership_token(world) -> dict:
    """A provider's pending partnership link addressed to partner A, made an indirect reseller."""
    _make_type(world.partner_a, Partner.Type.INDIRECT_RESELLER)
    provider_partner = make_partner(type=Partner.Type.INDIRECT_PROVIDER)
    _partnership, token = partnership_request(
        actor=make_user(provider_partner, "global_admin"), email="admin@reseller.example", message="Hello"
    )
    return {"token": token}


TARGETS = {
    "ended_in": ended_in,
    "ended_out": ended_out,
    "provider": provider,
    "partnership_in": partnership_in,
    "partnership_out": partnership_out,
    "partnership_token": partnership_token,
}
