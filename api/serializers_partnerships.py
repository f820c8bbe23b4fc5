"""How the API represents provider↔reseller partnerships, a request and an authorization (OpenAPI shapes).

`PartnershipSerializer` is also the `data` of the `partnership.authorized` and `partnership.removed` webhooks
(`api.webhook_payloads`), so an event carries exactly what a GET shows to either side.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from relationships.forms.lifecycle import PartnershipAuthorizeForm, PartnershipRequestForm
from relationships.models import Partnership

# The request form's limit on the message.
MESSAGE_MAX_LENGTH = cast(forms.CharField, PartnershipRequestForm.base_fields["message"]).max_length


class PartnershipSerializer(serializers.Serializer):
    """A provider↔reseller partnership (the reseller is null until a request is authorized)."""

    id = serializers.IntegerField(read_only=True)
    provider_id = serializers.IntegerField(read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    reseller_id = serializers.IntegerField(read_only=True, allow_null=True)
    reseller_name = serializers.CharField(source="reseller.name", read_only=True, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=Partnership.Status.choices, read_only=True)
    activated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    removed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class PartnershipListItemSerializer(PartnershipSerializer):
    """A row of the partnerships page: the request's address and dates as well."""

    email = serializers.EmailField(read_only=True, help_text=_("The address the request was sent to."))
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("When an unanswered request's link stops working.")
    )


class PartnershipListSerializer(serializers.Serializer):
    results = PartnershipListItemSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class PartnershipListQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=2000)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class PartnershipRequestSerializer(serializers.Serializer):
    """An indirect provider's request: the reseller's address and an optional message (the page's text otherwise)."""

    email = serializers.EmailField(max_length=254)
    message = serializers.CharField(
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        help_text=_("Optional: without it, the page's default message is sent."),
    )


class PartnershipAuthorizeSerializer(serializers.Serializer):
    """The reseller authorizes the provider with the token of the link the provider's request emailed."""

    token = serializers.CharField(
        max_length=200, help_text=_("The last part of the partnership link (…/partnerships/authorize/<token>/).")
    )
    confirm = serializers.BooleanField(help_text=PartnershipAuthorizeForm.base_fields["confirm"].label)
