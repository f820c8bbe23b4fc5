"""How the API represents leads (one serializer for the endpoints and the lead webhooks), the list's filters and the
bodies of accepting, editing and declining one (OpenAPI shapes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from leads.forms import SORT_CHOICES, LeadDeclineForm
from leads.models import STATE_CHOICES, Lead


class LeadSerializer(serializers.Serializer):
    """A lead of the partner's (its state derived: a received lead past 14 days reads expired, contact hidden)."""

    id = serializers.IntegerField(read_only=True)
    source = serializers.CharField(read_only=True)
    status = serializers.CharField(source="state", read_only=True)
    company_name = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    company_size = serializers.CharField(read_only=True)
    contact_name = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField(read_only=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    deal_name = serializers.CharField(read_only=True)
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)
    currency = serializers.CharField(read_only=True)
    decline_reason = serializers.CharField(read_only=True)
    customer_id = serializers.UUIDField(read_only=True, allow_null=True)
    invitation_id = serializers.IntegerField(read_only=True, allow_null=True)

    def get_contact_name(self, lead: Lead) -> str | None:
        return None if lead.is_expired else lead.contact_name

    def get_email(self, lead: Lead) -> str | None:
        return None if lead.is_expired else lead.email


class LeadListSerializer(serializers.Serializer):
    results = LeadSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class LeadQuerySerializer(serializers.Serializer):
    """The list page's search, filters and sort (the filter bar's fields), and the keyset page."""

    q = serializers.CharField(required=False, max_length=200, help_text=_("Company, contact or email contains this."))
    status = serializers.ChoiceField(choices=STATE_CHOICES, required=False)
    source = serializers.ChoiceField(choices=Lead.Source.choices, required=False)
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, help_text=_("A country code of your leads."))
    favourite = serializers.BooleanField(required=False, help_text=_("Only your favourites."))
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False, default="-received")
    cursor = serializers.CharField(required=False, max_length=2000, help_text=_("The `next` of the previous page."))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class LeadDealSerializer(serializers.Serializer):
    """The deal, as the accept and edit pages ask it (a PATCH sends only the fields it changes)."""

    deal_name = serializers.CharField(max_length=200)
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3, help_text=_("An ISO 4217 code: USD, EUR, GBP, JPY, KRW, …"))
    estimated_purchase_date = serializers.DateField()
    team_members = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Staff of your organisation who work on this lead.")
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    crm_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    campaign_id = serializers.CharField(max_length=100, required=False, allow_blank=True)


class LeadDeclineSerializer(serializers.Serializer):
    """Why the lead is declined (required) and optional notes."""

    reason = serializers.CharField(help_text=str(LeadDeclineForm.base_fields["reason"].label))
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
