"""How the API represents the partner's business profiles and their locations (OpenAPI shapes)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from profiles.models import BusinessProfile


class ProfileLocationSerializer(serializers.Serializer):
    """One of the profile's locations (each is its own page in the directory once the profile is published)."""

    id = serializers.UUIDField(read_only=True)
    address_line1 = serializers.CharField(read_only=True)
    address_line2 = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class BusinessProfileSerializer(serializers.Serializer):
    """A business profile of the user's organisation (one per country/region), with its locations."""

    id = serializers.IntegerField(read_only=True)
    country = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=BusinessProfile.Status.choices, read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    description = serializers.CharField(read_only=True)
    website = serializers.CharField(read_only=True)
    linkedin_url = serializers.CharField(read_only=True)
    industries = serializers.ListField(child=serializers.CharField(), read_only=True)
    products = serializers.ListField(child=serializers.CharField(), read_only=True)
    service_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    skills = serializers.ListField(child=serializers.CharField(), read_only=True)
    target_sizes = serializers.ListField(child=serializers.CharField(), read_only=True)
    lead_contact_id = serializers.IntegerField(read_only=True, allow_null=True)
    logo_url = serializers.SerializerMethodField(
        help_text=_(
            "The logo's address (null without one): the public directory's once published, else the portal's "
            "staff page (a signed-in session). The API never sends the image itself."
        )
    )
    locations = ProfileLocationSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_logo_url(self, profile: BusinessProfile) -> str | None:
        if not profile.logo_hash:
            return None
        if profile.is_published:
            return reverse("profiles:directory_logo", args=[profile.pk, profile.logo_hash])
        return reverse("profiles:profile_logo", args=[profile.pk]) + f"?v={profile.logo_hash[:12]}"


class BusinessProfileListSerializer(serializers.Serializer):
    results = BusinessProfileSerializer(many=True)
    next = serializers.CharField(allow_null=True)
