"""How the API represents a customer's subscriptions, a new one and a status change (OpenAPI shapes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.forms.subscriptions import QUANTITY_MAX, SubscriptionForm
from customers.models import Subscription


class SubscriptionSerializer(serializers.Serializer):
    """A subscription the user's organisation sold to the customer."""

    id = serializers.IntegerField(read_only=True)
    customer = serializers.UUIDField(source="customer_id", read_only=True)
    offer_name = serializers.CharField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=Subscription.Status.choices, read_only=True)
    is_azure_plan = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class SubscriptionListSerializer(serializers.Serializer):
    results = SubscriptionSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class SubscriptionCreateSerializer(serializers.Serializer):
    """A new subscription: the add-subscription page's fields."""

    offer_name = serializers.CharField(max_length=Subscription._meta.get_field("offer_name").max_length)
    quantity = serializers.IntegerField(min_value=1, max_value=QUANTITY_MAX)
    is_azure_plan = serializers.BooleanField(
        required=False, help_text=SubscriptionForm.base_fields["is_azure_plan"].help_text
    )


class SubscriptionUpdateSerializer(serializers.Serializer):
    """The status to move the subscription to: suspend (active → suspended), reactivate, or cancel (final)."""

    status = serializers.ChoiceField(
        choices=Subscription.Status.choices,
        help_text=_("Suspended (from active), active (from suspended) or cancelled (from either; final)."),
    )
