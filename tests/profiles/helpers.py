"""Business profiles for tests, built through the real services; real images made with Pillow."""

from __future__ import annotations

import io

from PIL import Image

from leads.models import CompanySize
from partnerportal.models import User
from profiles import services
from profiles.logo import logo_process
from profiles.models import BusinessProfile, ProfileLocation

ADDRESSES = [
    {"address_line1": "1 Microsoft Way", "city": "Redmond", "state": "WA", "postal_code": "98052"},
    {"address_line1": "500 Congress Ave", "city": "Austin", "state": "TX", "postal_code": "73301"},
    {"address_line1": "1 Beacon St", "city": "Boston", "state": "MA", "postal_code": "02108"},
    {"address_line1": "350 Fifth Ave", "city": "New York", "state": "NY", "postal_code": "10118"},
    {"address_line1": "100 Main St", "city": "Portland", "state": "OR", "postal_code": "97204"},
    {"address_line1": "1 Market St", "city": "San Francisco", "state": "CA", "postal_code": "94105"},
]


def image_bytes(size=(400, 200), fmt="PNG", color=(20, 90, 200, 255), **save) -> bytes:
    mode = "RGBA" if fmt == "PNG" else "RGB"
    image = Image.new(mode, size, color if mode == "RGBA" else color[:3])
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def profile_data(**overrides) -> dict:
    data = {
        "description": "Cloud migrations for healthcare.\n\nWe run Microsoft 365 for clinics.",
        "website": "https://contoso.example",
        "linkedin_url": "https://www.linkedin.com/company/contoso",
        "industries": ["healthcare", "education"],
        "products": ["microsoft_365", "azure"],
        "service_types": ["deployment", "managed_services"],
        "skills": ["Intune", "Teams Rooms"],
        "target_sizes": [CompanySize.SMALL, CompanySize.MEDIUM],
        "lead_contact": None,
    }
    data.update(overrides)
    return data


def make_profile(
    admin: User,
    *,
    country: str = "US",
    published: bool = False,
    locations: int = 1,
    logo: bool = False,
    **overrides,
) -> BusinessProfile:
    data = profile_data(**{"lead_contact": admin, **overrides})
    profile = services.business_profile_create(
        actor=admin, country=country, data=data, logo=logo_process(image_bytes()) if logo else None
    )
    for index in range(locations):
        services.profile_location_add(actor=admin, profile=profile, data=ADDRESSES[index])
    if published:
        profile = services.business_profile_publish(actor=admin, profile=profile)
    return BusinessProfile.objects.get(pk=profile.pk)


def first_location(profile: BusinessProfile) -> ProfileLocation:
    location = profile.locations.order_by("created_at").first()
    assert location is not None
    return location
