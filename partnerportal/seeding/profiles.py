"""Demo business profiles: per partner a published US profile (logo drawn with Pillow at seed time, locations,
the sales agent as lead contact) and a draft for Canada, through the real services (idempotent)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from partnerportal.models import Partner, User
from permissions.roles import AdminRole, AgentRole
from profiles.logo import logo_process
from profiles.models import BusinessProfile
from profiles.services import (
    business_profile_create,
    business_profile_publish,
    profile_location_add,
)

# Partner id → (colour, description, industries, products, service types, skills, sizes, locations).
PLANS = {
    "CONTOSO-001": (
        (0, 120, 212),
        "Contoso Cloud moves small and mid-sized organisations to Microsoft 365 and Azure.\n\n"
        "We plan, migrate and then run your tenant for you, with a helpdesk in your time zone.",
        ["healthcare", "education", "professional_services"],
        ["microsoft_365", "azure", "security"],
        ["deployment", "managed_services", "support"],
        ["Intune", "Exchange Online migration", "Defender for Business"],
        ["small", "medium"],
        [
            {"address_line1": "1 Microsoft Way", "city": "Redmond", "state": "WA", "postal_code": "98052"},
            {"address_line1": "500 Congress Ave", "city": "Austin", "state": "TX", "postal_code": "73301"},
            {"address_line1": "1 Beacon St", "city": "Boston", "state": "MA", "postal_code": "02108"},
        ],
    ),
    "FABRIKAM-001": (
        (16, 124, 16),
        "Fabrikam Distribution brings Microsoft cloud licensing to resellers and enterprises nationwide.",
        ["distribution", "manufacturing", "retail"],
        ["microsoft_365", "dynamics_365"],
        ["licensing", "consulting"],
        ["CSP licensing", "Dynamics 365 Business Central"],
        ["medium", "large", "enterprise"],
        [
            {"address_line1": "350 Fifth Ave", "city": "New York", "state": "NY", "postal_code": "10118"},
            {"address_line1": "233 S Wacker Dr", "city": "Chicago", "state": "IL", "postal_code": "60606"},
        ],
    ),
    "NORTHWIND-001": (
        (202, 80, 16),
        "Northwind Traders sets up Teams, Power Platform and devices for shops and restaurants.",
        ["retail", "hospitality"],
        ["microsoft_teams", "power_platform", "surface"],
        ["deployment", "training"],
        ["Teams Rooms", "Power Apps"],
        ["small"],
        [
            {"address_line1": "100 Main St", "city": "Portland", "state": "OR", "postal_code": "97204"},
            {"address_line1": "1 Market St", "city": "San Francisco", "state": "CA", "postal_code": "94105"},
        ],
    ),
}
DRAFT_CANADA = {"address_line1": "100 Queen St W", "city": "Toronto", "state": "ON", "postal_code": "M5H 2N2"}


def demo_logo(name: str, colour: tuple[int, int, int]) -> bytes:
    """A 400 × 240 logo: the company's initials on its colour."""
    image = Image.new("RGB", (400, 240), colour)
    draw = ImageDraw.Draw(image)
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    draw.text((200, 120), initials, fill=(255, 255, 255), anchor="mm", font_size=120)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_profiles(*, partner: Partner) -> None:
    """The partner's demo profiles: US published, Canada a draft (skipped where they exist)."""
    plan = PLANS.get(partner.partner_id)
    if plan is None:
        return
    colour, description, industries, products, services, skills, sizes, locations = plan
    admin = User.objects.filter(partner=partner, admin_role=AdminRole.GLOBAL_ADMIN).first()
    sales = User.objects.filter(partner=partner, agent_role=AgentRole.SALES_AGENT).first()
    assert admin is not None  # seeded with the partner
    if not BusinessProfile.objects.filter(partner=partner, country="US").exists():
        profile = business_profile_create(
            actor=admin,
            country="US",
            data={
                "description": description,
                "website": f"https://www.{partner.email_domain}",
                "linkedin_url": f"https://www.linkedin.com/company/{partner.email_domain.split('.')[0]}",
                "industries": industries,
                "products": products,
                "service_types": services,
                "skills": skills,
                "target_sizes": sizes,
                "lead_contact": sales or admin,
            },
            logo=logo_process(demo_logo(partner.name, colour)),
        )
        for address in locations:
            profile_location_add(actor=admin, profile=profile, data=address)
        business_profile_publish(actor=admin, profile=profile)
    if not BusinessProfile.objects.filter(partner=partner, country="CA").exists():
        draft = business_profile_create(
            actor=admin,
            country="CA",
            data={"description": description, "industries": industries[:1], "lead_contact": admin},
        )
        profile_location_add(actor=admin, profile=draft, data=DRAFT_CANADA)
