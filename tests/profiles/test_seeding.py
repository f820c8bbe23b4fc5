"""Demo business profiles: a published US profile with a drawn logo and locations, and a Canadian draft."""

from __future__ import annotations

from partnerportal.models import Partner
from partnerportal.seeding.profiles import seed_profiles
from partnerportal.staff.services import partner_create, staff_user_create
from permissions.roles import AdminRole, AgentRole
from profiles.models import BusinessProfile


def test_seeding_gives_a_published_profile_with_logo_and_locations_and_a_draft_once(db):
    partner = partner_create(
        name="Contoso Cloud",
        partner_id="CONTOSO-001",
        type=Partner.Type.DIRECT_BILL,
        market="US",
        email_domain="contoso.example",
    )
    staff_user_create(partner=partner, email="global.admin@contoso.example", admin_role=AdminRole.GLOBAL_ADMIN)
    sales = staff_user_create(partner=partner, email="sales.agent@contoso.example", agent_role=AgentRole.SALES_AGENT)
    seed_profiles(partner=partner)
    seed_profiles(partner=partner)
    published = BusinessProfile.objects.get(partner=partner, country="US")
    assert published.is_published and published.lead_contact == sales
    assert published.logo_width == 300 and published.logo_hash
    assert published.locations.count() == 3
    draft = BusinessProfile.objects.get(partner=partner, country="CA")
    assert not draft.is_published and draft.locations.count() == 1
    assert BusinessProfile.objects.filter(partner=partner).count() == 2
