"""Writes on business profiles and their locations, and the directory's "Contact me" (which hands over to leads).

Every change is keyword-only, atomic, checked with `full_clean()` and recorded in the activity log with the
PROFILE_* codes (before and after). The profile row is locked for every change, so two tabs cannot race.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.services import activity_record
from customers import countries
from customers.selectors import search_needle
from customers.services.validation import postal_address_clean
from leads.models import Lead
from leads.services import lead_submit
from partnerportal.infrastructure.ratelimit import rate_limit_hit
from partnerportal.models import User
from profiles.logo import Logo
from profiles.models import LOCATIONS_MAX, BusinessProfile, ProfileLocation

if TYPE_CHECKING:
    from partnerportal.models import Partner

# The fields a global admin edits on the profile form (the logo has its own arguments).
EDITABLE_FIELDS = (
    "description",
    "website",
    "linkedin_url",
    "industries",
    "products",
    "service_types",
    "skills",
    "target_sizes",
    "lead_contact",
)
LOCATION_FIELDS = ("address_line1", "address_line2", "city", "state", "postal_code")

MESSAGES = {
    "country_taken": _("Your organisation already has a business profile for this country/region."),
    "country_invalid": _("Select a valid country/region."),
    "lead_contact": _("Select an active staff user of your organisation as the lead contact."),
    "locations_full": _("A profile can have at most %(max)d locations. Delete one before adding another."),
    "publish_needs_location": _(
        "Add at least one location before publishing: each location is a page of the directory."
    ),
}


def _snapshot(profile: BusinessProfile) -> dict[str, Any]:
    """The profile's editable state as the activity log stores it (JSON)."""
    data: dict[str, Any] = {field: getattr(profile, field) for field in EDITABLE_FIELDS if field != "lead_contact"}
    data["lead_contact"] = profile.lead_contact.email if profile.lead_contact else ""
    data["logo"] = profile.logo_hash[:12]
    return data


def _search_text(profile: BusinessProfile, partner: Partner) -> str:
    """What the directory's free-text search matches: company name, description and skills, lower-cased."""
    return search_needle(" ".join([partner.name, profile.description, *profile.skills]))


def business_profiles_reindex(*, partner: Partner) -> int:
    """Rewrite the directory's search text of every profile of a partner (its company name is part of it)."""
    profiles = list(BusinessProfile.objects.filter(partner=partner))
    for profile in profiles:
        profile.search_text = _search_text(profile, partner)
    return BusinessProfile.objects.bulk_update(profiles, ["search_text"]) if profiles else 0


def _lead_contact_check(partner: Partner, lead_contact: User | None) -> None:
    if lead_contact is not None and (
        lead_contact.partner_id != partner.pk or not lead_contact.is_active or not lead_contact.roles
    ):
        raise ValidationError({"lead_contact": MESSAGES["lead_contact"]})


def _apply(profile: BusinessProfile, data: dict[str, Any], logo: Logo | None, remove_logo: bool) -> None:
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(profile, field, data[field])
    profile.skills = [" ".join(str(skill).split()) for skill in profile.skills if str(skill).strip()]
    profile.description = profile.description.replace("\r\n", "\n").strip()
    if logo is not None:
        profile.logo_png, profile.logo_width, profile.logo_height = logo.png, logo.width, logo.height
        profile.logo_hash = logo.sha256
    elif remove_logo:
        profile.logo_png, profile.logo_width, profile.logo_height, profile.logo_hash = None, None, None, ""


@transaction.atomic
def business_profile_create(
    *, actor: User, country: str, data: dict[str, Any], logo: Logo | None = None
) -> BusinessProfile:
    """A new draft profile of the actor's partner for one country/region (one per country)."""
    partner = actor.partner
    assert partner is not None  # staff users belong to a partner
    country = str(country or "").strip().upper()
    if country not in countries.country_codes():
        raise ValidationError({"country": MESSAGES["country_invalid"]})
    # Lock the partner row: two tabs creating the same country's profile queue here (the constraint backs it).
    type(partner).objects.select_for_update().get(pk=partner.pk)
    if BusinessProfile.objects.filter(partner=partner, country=country).exists():
        raise ValidationError({"country": MESSAGES["country_taken"]})
    profile = BusinessProfile(partner=partner, country=country)
    _apply(profile, data, logo, remove_logo=False)
    _lead_contact_check(partner, profile.lead_contact)
    profile.search_text = _search_text(profile, partner)
    profile.full_clean(exclude=["partner"])
    profile.save()
    activity_record(
        action=Actions.PROFILE_CREATE,
        actor=actor,
        business_profile=profile.pk,
        country=country,
        after=_snapshot(profile),
    )
    return profile


def _locked(profile: BusinessProfile) -> BusinessProfile:
    return (
        BusinessProfile.objects.select_for_update(of=("self",))
        .select_related("partner", "lead_contact")
        .get(pk=profile.pk)
    )


@transaction.atomic
def business_profile_update(
    *,
    actor: User,
    profile: BusinessProfile,
    data: dict[str, Any],
    logo: Logo | None = None,
    remove_logo: bool = False,
) -> BusinessProfile:
    """Change a profile's description, links, logo, expertise, sizes or lead contact; logs what changed."""
    locked = _locked(profile)
    before = _snapshot(locked)
    _apply(locked, data, logo, remove_logo)
    _lead_contact_check(locked.partner, locked.lead_contact)
    locked.search_text = _search_text(locked, locked.partner)
    locked.updated_at = timezone.now()
    locked.full_clean(exclude=["partner"])
    locked.save()
    after = _snapshot(locked)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        activity_record(
            action=Actions.PROFILE_UPDATE,
            actor=actor,
            business_profile=locked.pk,
            country=locked.country,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return locked


@transaction.atomic
def business_profile_publish(*, actor: User, profile: BusinessProfile) -> BusinessProfile:
    """Show the profile's locations in the directory, from this moment on."""
    locked = _locked(profile)
    if locked.is_published:
        return locked
    if not locked.locations.exists():
        raise ValidationError(MESSAGES["publish_needs_location"], code="publish_needs_location")
    locked.status, locked.published_at = BusinessProfile.Status.PUBLISHED, timezone.now()
    locked.save(update_fields=["status", "published_at"])
    activity_record(
        action=Actions.PROFILE_PUBLISH,
        actor=actor,
        business_profile=locked.pk,
        country=locked.country,
        before={"status": BusinessProfile.Status.DRAFT},
        after={"status": BusinessProfile.Status.PUBLISHED},
    )
    return locked


@transaction.atomic
def business_profile_unpublish(*, actor: User, profile: BusinessProfile) -> BusinessProfile:
    """Take the profile's locations out of the directory at once (back to draft)."""
    locked = _locked(profile)
    if not locked.is_published:
        return locked
    locked.status, locked.published_at = BusinessProfile.Status.DRAFT, None
    locked.save(update_fields=["status", "published_at"])
    activity_record(
        action=Actions.PROFILE_UNPUBLISH,
        actor=actor,
        business_profile=locked.pk,
        country=locked.country,
        before={"status": BusinessProfile.Status.PUBLISHED},
        after={"status": BusinessProfile.Status.DRAFT},
    )
    return locked


@transaction.atomic
def business_profile_delete(*, actor: User, profile: BusinessProfile) -> None:
    """Delete a profile and its locations for good; its leads stay (they keep only the country)."""
    locked = _locked(profile)
    before = {**_snapshot(locked), "status": locked.status, "locations": locked.locations.count()}
    pk, country = locked.pk, locked.country
    locked.delete()
    activity_record(action=Actions.PROFILE_DELETE, actor=actor, business_profile=pk, country=country, before=before)


@transaction.atomic
def profile_location_add(*, actor: User, profile: BusinessProfile, data: dict[str, Any]) -> ProfileLocation:
    """Add a location (address checked with the customers' rules for the profile's country); at most five.

    The count is taken under the profile's row lock, so two tabs adding the fifth location cannot make six.
    """
    locked = _locked(profile)
    if locked.locations.count() >= LOCATIONS_MAX:
        raise ValidationError(MESSAGES["locations_full"], code="locations_full", params={"max": LOCATIONS_MAX})
    cleaned = postal_address_clean({**{f: data.get(f, "") for f in LOCATION_FIELDS}, "country": locked.country})
    location = ProfileLocation(profile=locked, **{f: cleaned[f] for f in LOCATION_FIELDS})
    location.full_clean(exclude=["profile"])
    location.save()
    activity_record(
        action=Actions.PROFILE_LOCATION_ADD,
        actor=actor,
        business_profile=locked.pk,
        country=locked.country,
        after={"location": str(location.pk), **{f: cleaned[f] for f in LOCATION_FIELDS}},
    )
    return location


@transaction.atomic
def profile_location_delete(*, actor: User, location: ProfileLocation) -> None:
    """Delete a location (to change an address, delete it and add the new one, as Partner Center does)."""
    locked = _locked(location.profile)
    row = ProfileLocation.objects.filter(pk=location.pk, profile=locked).first()
    if row is None:
        return
    before = {"location": str(row.pk), **{f: getattr(row, f) for f in LOCATION_FIELDS}}
    row.delete()
    activity_record(
        action=Actions.PROFILE_LOCATION_DELETE,
        actor=actor,
        business_profile=locked.pk,
        country=locked.country,
        before=before,
    )


@dataclass(frozen=True)
class ContactOutcome:
    """What became of a "Contact me": the lead, or why nothing was stored (and when to try again)."""

    lead: Lead | None
    limited: bool = False
    retry_after: int = 0


def directory_contact(*, location: ProfileLocation, data: dict[str, Any], client_address: str | None) -> ContactOutcome:
    """A visitor's "Contact me" on a published location: counted against the per-address and per-profile limits,
    then one lead for the profile's partner (through `leads.services.lead_submit`, which notifies the contact)."""
    profile = location.profile
    checks = [
        (f"contact:addr:{client_address or 'unknown'}", settings.PORTAL_CONTACT_RATE_LIMIT_ADDRESS),
        (f"contact:profile:{profile.pk}", settings.PORTAL_CONTACT_RATE_LIMIT_PROFILE),
    ]
    for key, (limit, seconds) in checks:
        result = rate_limit_hit(key=key, limit=limit, seconds=seconds)
        if not result.allowed:
            return ContactOutcome(lead=None, limited=True, retry_after=result.retry_after)
    lead = lead_submit(
        partner=profile.partner,
        profile_country=profile.country,
        lead_contact=profile.lead_contact,
        company_name=data["company_name"],
        contact_name=data["contact_name"],
        email=data["email"],
        phone=data.get("phone", ""),
        country=data["country"],
        company_size=data["company_size"],
        message=data.get("message", ""),
    )
    return ContactOutcome(lead=lead)
