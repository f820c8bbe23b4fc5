"""How the API represents the activity log and documents its filters (OpenAPI)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activity.models import ActivityEntry
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT


class ActivityEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    action = serializers.CharField(read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor_email = serializers.CharField(read_only=True)
    customer = serializers.UUIDField(source="customer_id", read_only=True, allow_null=True)
    customer_name = serializers.CharField(read_only=True)
    details = serializers.DictField(read_only=True)


class ActivityListSerializer(serializers.Serializer):
    results = ActivityEntrySerializer(many=True)
    next = serializers.CharField(allow_null=True)


class ActivityListQuerySerializer(serializers.Serializer):
    """The log page's filters (default: the last 30 days), and the page."""

    date_from = serializers.DateField(required=False, help_text=_("From this day (1900-01-01 or later)."))
    date_to = serializers.DateField(required=False, help_text=_("To this day, included (on or after date_from)."))
    customer = serializers.CharField(
        required=False, max_length=255, help_text=_("Customer ID, or part of the company name.")
    )
    actor = serializers.IntegerField(required=False, min_value=1)
    action = serializers.ChoiceField(choices=ActivityEntry._meta.get_field("action").choices or [], required=False)
    cursor = serializers.CharField(required=False, max_length=2000)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
