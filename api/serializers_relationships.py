"""How the API represents relationships, what ends one and what restores one (OpenAPI shapes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from relationships.forms.lifecycle import RelationshipEndForm
from relationships.models import Invitation, Relationship


class RelationshipSerializer(serializers.Serializer):
    """A relationship between the user's organisation and a customer (active or ended)."""

    id = serializers.IntegerField(read_only=True)
    customer = serializers.UUIDField(source="customer_id", read_only=True)
    customer_name = serializers.CharField(source="customer.company_name", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    kind = serializers.ChoiceField(choices=Relationship.Kind.choices, read_only=True)
    indirect_partner_name = serializers.CharField(
        source="indirect_partner.name", read_only=True, allow_null=True, default=None
    )
    status = serializers.ChoiceField(choices=Relationship.Status.choices, read_only=True)
    dap = serializers.BooleanField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    end_reason = serializers.CharField(read_only=True, help_text=_("A reason code; empty while active."))
    end_reason_details = serializers.CharField(read_only=True)


class EndedRelationshipSerializer(RelationshipSerializer):
    restore_pending = serializers.BooleanField(
        read_only=True, default=False, help_text=_("A restore invitation is waiting for the customer.")
    )


class RelationshipListSerializer(serializers.Serializer):
    results = RelationshipSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class EndedRelationshipListSerializer(serializers.Serializer):
    results = EndedRelationshipSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class PageQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=2000)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class BlockerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    offer_name = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)


class EndPreflightSerializer(serializers.Serializer):
    """What the end page shows before the form: the relationship and what keeps it from ending."""

    relationship = RelationshipSerializer(allow_null=True)
    can_end = serializers.BooleanField()
    blockers = BlockerSerializer(many=True)
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=Relationship.EndReason.choices))


class RelationshipEndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RelationshipEndForm.REASONS)
    details = serializers.CharField(required=False, allow_blank=True, max_length=900)
    confirm = serializers.BooleanField(help_text=RelationshipEndForm.base_fields["confirm"].label)


class RestoreSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    message = serializers.CharField(
        required=False, max_length=5000, help_text=_("Optional: without it, the page's default message is sent.")
    )


class RestoreInvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    status = serializers.ChoiceField(choices=Invitation.Status.choices, read_only=True)
    dap = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    restores = serializers.IntegerField(source="restores_id", read_only=True)
