"""Reads of business profiles: the staff pages (narrowed by `policy.restrict`) and the public directory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Count, F, QuerySet

from customers.selectors import search_needle
from partnerportal.infrastructure.pagination import Ordering, Page, paginate
from partnerportal.models import User
from permissions import policy
from permissions.roles import Action
from profiles.models import BusinessProfile, ProfileLocation

DIRECTORY_ORDERING = Ordering("company")
_CURSOR_SALT = "profiles.directory.cursor"


def profile_list(*, user: User) -> list[BusinessProfile]:
    """The user's partner's profiles (one per country), with their location counts."""
    qs = policy.restrict(BusinessProfile.objects.all(), user, Action.VIEW_BUSINESS_PROFILE)
    return list(qs.annotate(location_count=Count("locations")).order_by("country", "pk"))


def profile_queryset(*, user: User, action: str) -> QuerySet:
    """The profiles the user may take the action on (the staff pages' querysets)."""
    return policy.restrict(BusinessProfile.objects.select_related("partner", "lead_contact"), user, action).defer(
        "logo_png"
    )


def location_queryset(*, user: User, action: str) -> QuerySet:
    """The locations of the profiles the user may take the action on."""
    return policy.restrict(ProfileLocation.objects.select_related("profile"), user, action)


def lead_contact_choices(*, partner_id: int) -> QuerySet:
    """The partner's active staff with a role, who may be a profile's lead contact."""
    return (
        User.objects.filter(partner_id=partner_id, is_active=True)
        .exclude(admin_role="", agent_role="")
        .order_by("email")
    )


def logo_of(*, profile_pk: int) -> tuple[bytes, str] | None:
    """A profile's stored PNG and its hash (None without a logo)."""
    row = BusinessProfile.objects.filter(pk=profile_pk).values_list("logo_png", "logo_hash").first()
    if row is None or not row[0]:
        return None
    return bytes(row[0]), row[1]


def published_logo(*, profile_pk: int, digest: str) -> tuple[bytes, str] | None:
    """A published profile's PNG when `digest` names its current version (None otherwise)."""
    row = (
        BusinessProfile.objects.filter(pk=profile_pk, status=BusinessProfile.Status.PUBLISHED, logo_hash=digest)
        .values_list("logo_png", "logo_hash")
        .first()
    )
    if row is None or not row[0]:
        return None
    return bytes(row[0]), row[1]


@dataclass
class DirectoryFilters:
    """The directory's search state, every part of it from the URL."""

    country: str = ""
    industry: str = ""
    product: str = ""
    service_type: str = ""
    size: str = ""
    q: str = ""


def _published_locations() -> QuerySet:
    return ProfileLocation.objects.filter(profile__status=BusinessProfile.Status.PUBLISHED)


def directory_queryset(*, filters: DirectoryFilters) -> QuerySet:
    """Published profiles' locations matching the filters (each location is one result)."""
    qs = _published_locations()
    profile_filters: dict = {}
    if filters.country:
        profile_filters["profile__country"] = filters.country
    if filters.industry:
        profile_filters["profile__industries__contains"] = [filters.industry]
    if filters.product:
        profile_filters["profile__products__contains"] = [filters.product]
    if filters.service_type:
        profile_filters["profile__service_types__contains"] = [filters.service_type]
    if filters.size:
        profile_filters["profile__target_sizes__contains"] = [filters.size]
    needle = search_needle(filters.q)
    if needle:
        # Exactly the indexed column (already lower-case): `search_text LIKE '%needle%'` uses the trigram index.
        profile_filters["profile__search_text__contains"] = needle
    return (
        qs.filter(**profile_filters)
        .select_related("profile", "profile__partner")
        .defer("profile__logo_png", "profile__search_text")
        .annotate(company=F("profile__partner__name"))
    )


def _sign(cursor: str | None) -> str | None:
    return signing.Signer(salt=_CURSOR_SALT).sign(cursor) if cursor else None


def _unsign(cursor: str) -> str:
    if not cursor:
        return ""
    try:
        return signing.Signer(salt=_CURSOR_SALT).unsign(cursor)
    except signing.BadSignature:
        return ""  # a forged or mangled cursor starts at page 1


def directory_page(*, filters: DirectoryFilters, after: str = "", before: str = "") -> Page:
    """One keyset page of the directory; its cursors are signed, so a hand-made one starts at page 1."""
    page = paginate(
        directory_queryset(filters=filters),
        DIRECTORY_ORDERING,
        after=_unsign(after),
        before=_unsign(before),
        size=settings.PORTAL_PAGE_SIZE,
        pk_parse=uuid.UUID,
    )
    page.next_cursor, page.previous_cursor = _sign(page.next_cursor), _sign(page.previous_cursor)
    return page


def directory_location(*, pk: uuid.UUID) -> ProfileLocation | None:
    """A published location with its profile and partner (None when unpublished, deleted or unknown)."""
    return (
        _published_locations()
        .select_related("profile", "profile__partner", "profile__lead_contact")
        .defer("profile__logo_png", "profile__search_text")
        .filter(pk=pk)
        .first()
    )
