"""How the API represents invitations, and the documented shape of a new one (OpenAPI)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from relationships.models import Invitation
from relationships.selectors import STATUS_FILTERS
from relationships.services.invitations import MESSAGE_MAX_LENGTH


class InvitationSerializer(serializers.Serializer):
    """An invitation as the invitations list shows it (its link is emailed to the recipient, never shown here)."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    status = serializers.ChoiceField(
        choices=Invitation.Status.choices,
        source="effective_status",
        read_only=True,
        help_text=_("A pending invitation past its expiry is expired."),
    )
    purpose = serializers.ChoiceField(choices=Invitation.Purpose.choices, read_only=True)
    customer = serializers.UUIDField(source="customer_id", read_only=True, allow_null=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True, allow_null=True, default=None)
    dap = serializers.BooleanField(read_only=True)
    created_by = serializers.EmailField(source="created_by.email", read_only=True, allow_null=True, default=None)
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    email_status = serializers.CharField(read_only=True, allow_null=True, default=None)


class InvitationListSerializer(serializers.Serializer):
    results = InvitationSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class InvitationListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS_FILTERS, required=False)
    cursor = serializers.CharField(required=False, max_length=2000)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class InvitationCreateSerializer(serializers.Serializer):
    """A new invitation: the fields of the new-invitation page (those the user's role and partner are offered)."""

    email = serializers.EmailField(max_length=254)
    message = serializers.CharField(
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        help_text=_("Optional: without it, the page's default message is sent."),
    )
    customer = serializers.UUIDField(required=False, help_text=_("A known customer to invite again (optional)."))
    provider = serializers.IntegerField(required=False, help_text=_("Indirect resellers: the indirect provider."))
    admin_template = serializers.CharField(
        required=False, help_text=_("Optional: the role template of an admin relationship to request as well.")
    )
