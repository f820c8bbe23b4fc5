"""The business profile's and directory's targets, bodies and effects for the access matrix (tests/access.py)."""

from __future__ import annotations

from activity.models import ActivityEntry
from leads.models import Lead
from profiles.models import BusinessProfile, ProfileLocation
from tests.profiles.helpers import ADDRESSES, first_location, make_profile


def _profile(world, *, out: bool = False, **kwargs) -> BusinessProfile:
    admin = world.user_b if out else world.users["global_admin"]
    # Sweeps that build several targets in one test (tests/security/test_headers.py) get a fresh US profile each.
    BusinessProfile.objects.filter(partner_id=admin.partner_id, country="US").delete()
    return make_profile(admin, **kwargs)


def _logo_kwargs(world, *, published: bool) -> dict:
    profile = _profile(world, published=published, logo=True)
    return {"pk": profile.pk, "digest": profile.logo_hash}


TARGETS = {
    "profile_in": lambda world: {"pk": _profile(world).pk},
    "profile_published_in": lambda world: {"pk": _profile(world, published=True).pk},
    "profile_full_in": lambda world: {"pk": _profile(world, locations=5).pk},
    "profile_out": lambda world: {"pk": _profile(world, out=True).pk},
    "profile_logo_in": lambda world: {"pk": _profile(world, logo=True).pk},
    "profile_logo_out": lambda world: {"pk": _profile(world, out=True, logo=True).pk},
    "location_in": lambda world: {"pk": first_location(_profile(world)).pk},
    "location_out": lambda world: {"pk": first_location(_profile(world, out=True)).pk},
    # The public directory: a published location (partner B's, so nothing about the signed-in user matters),
    # a draft profile's location (404 to everyone).
    "listing_published": lambda world: {"pk": first_location(_profile(world, out=True, published=True)).pk},
    "listing_draft": lambda world: {"pk": first_location(_profile(world, out=True)).pk},
    "listing_logo": lambda world: _logo_kwargs(world, published=True),
    "listing_logo_draft": lambda world: _logo_kwargs(world, published=False),
}

BODIES = {
    "business profile": lambda ctx: {
        "country": "CA",
        "description": "Managed Microsoft 365 in Canada.",
        "website": "https://contoso.example/ca",
        "industries": ["retail"],
        "skills": "Intune, Defender",
        "target_sizes": ["small"],
    },
    "business profile edit": lambda ctx: {
        "description": "Edited description.",
        "industries": ["government"],
        "skills": "Copilot",
    },
    "location": lambda ctx: dict(ADDRESSES[4]),
    "contact me": lambda ctx: {
        "company_name": "Adatum Clinics",
        "contact_name": "Dana Park",
        "email": "dana@adatum.example",
        "phone": "+1 425 555 0100",
        "country": "US",
        "company_size": "small",
        "message": "We need Microsoft 365 for three clinics.",
        "consent": "on",
    },
    "contact me (honeypot)": lambda ctx: {
        "company_name": "Spam Inc",
        "contact_name": "Bot",
        "email": "bot@spam.example",
        "country": "US",
        "company_size": "small",
        "consent": "on",
        "website": "http://spam.example",
    },
}


def _created(ctx) -> None:
    profile = BusinessProfile.objects.get(partner=ctx.world.partner_a, country="CA")
    assert profile.status == BusinessProfile.Status.DRAFT
    assert profile.skills == ["Intune", "Defender"]
    assert ctx.response["Location"] == profile.get_absolute_url()


def _edited(ctx) -> None:
    profile = BusinessProfile.objects.get(pk=ctx.kwargs["pk"])
    assert profile.description == "Edited description."
    assert profile.industries == ["government"]
    assert "copilot" in profile.search_text


def _published(ctx) -> None:
    profile = BusinessProfile.objects.get(pk=ctx.kwargs["pk"])
    assert profile.status == BusinessProfile.Status.PUBLISHED and profile.published_at is not None


def _unpublished(ctx) -> None:
    assert BusinessProfile.objects.get(pk=ctx.kwargs["pk"]).status == BusinessProfile.Status.DRAFT


def _deleted(ctx) -> None:
    assert not BusinessProfile.objects.filter(pk=ctx.kwargs["pk"]).exists()
    assert not ProfileLocation.objects.filter(profile_id=ctx.kwargs["pk"]).exists()


def _location_added(ctx) -> None:
    profile = BusinessProfile.objects.get(pk=ctx.kwargs["pk"])
    assert profile.locations.filter(city="Portland", state="OR").exists()


def _location_deleted(ctx) -> None:
    assert not ProfileLocation.objects.filter(pk=ctx.kwargs["pk"]).exists()


def _lead_created(ctx) -> None:
    location = ProfileLocation.objects.select_related("profile").get(pk=ctx.kwargs["pk"])
    lead = Lead.objects.get(email="dana@adatum.example")
    assert lead.partner_id == location.profile.partner_id and lead.profile_country == "US"
    assert lead.lead_contact_id == location.profile.lead_contact_id
    assert "Thank you" in ctx.response.content.decode()


def _nothing_stored(ctx) -> None:
    assert not Lead.objects.exists()
    assert not ActivityEntry.objects.filter(action="lead.receive").exists()
    assert "Thank you" in ctx.response.content.decode()


EFFECTS = {
    "business profile created": _created,
    "business profile edited": _edited,
    "business profile published": _published,
    "business profile unpublished": _unpublished,
    "business profile deleted": _deleted,
    "profile location added": _location_added,
    "profile location deleted": _location_deleted,
    "lead created": _lead_created,
    "honeypot: thank-you, nothing stored": _nothing_stored,
}
