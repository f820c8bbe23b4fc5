"""How the API represents a customer's purchase permissions, and the change the page makes (OpenAPI shapes).

`PurchasePermissionSerializer` is also the `data` of the `purchase_permission.changed` webhook
(`api.webhook_payloads`), so an event carries exactly what a GET shows.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from permissions.models import PurchasePermission


class PurchasePermissionSerializer(serializers.Serializer):
    """Whether a customer may buy one product itself through the partner.

    `allowed` is false for a product never allowed, for one that was stopped (a stopped permission is a deleted row:
    Django leaves the instance its fields and clears its pk) and for one past its expiry date, as the page shows it.
    """

    customer_id = serializers.UUIDField(read_only=True)
    product = serializers.ChoiceField(choices=PurchasePermission.Product.choices, read_only=True)
    allowed = serializers.SerializerMethodField()
    expires_on = serializers.DateField(read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True)

    def get_allowed(self, permission: PurchasePermission) -> bool:
        return permission.pk is not None and permission.is_effective()


class PurchasePermissionsSerializer(serializers.Serializer):
    """The customer's purchase permissions as the page shows them: one per product, and whether they can change."""

    permissions = PurchasePermissionSerializer(many=True)
    can_change = serializers.BooleanField(help_text=_("Whether you may change them (admin agents only)."))
    blocker = serializers.CharField(
        allow_null=True, help_text=_("Why they can't be turned on now (no active Azure plan); null when they can.")
    )


class PurchasePermissionChangeSerializer(serializers.Serializer):
    """Allow or stop one product (the page's radio buttons), with an optional expiry date and note when allowed."""

    product = serializers.ChoiceField(choices=PurchasePermission.Product.choices)
    allowed = serializers.BooleanField()
    expires_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
