"""How the API represents admin relationships, role templates and security groups, and the documented shapes of a
request, a termination, an assignment and the lists' queries.

`AdminRelationshipSerializer` is also the `data` of the admin_relationship.* webhook events (registered in
`api.webhook_payloads`): a receiver gets what `GET /api/v1/admin-relationships/{id}/` shows, without the
assignments.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adminrelationships import catalogue
from adminrelationships.models import MAX_DAYS, MIN_DAYS, SecurityGroup, Status
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT

ROLES_HELP = _("Microsoft Entra role template IDs (Microsoft's public, tenant-independent IDs).")


class AdminRelationshipSerializer(serializers.Serializer):
    """An admin relationship (granular delegated admin) with a customer."""

    id = serializers.IntegerField(read_only=True)
    customer_id = serializers.UUIDField(read_only=True)
    customer_name = serializers.CharField(source="customer.company_name", read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(
        choices=Status.choices, read_only=True, help_text=_("Derived from the dates at the moment of the answer.")
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=catalogue.CHOICES), read_only=True, help_text=ROLES_HELP
    )
    duration_days = serializers.IntegerField(read_only=True)
    auto_extend = serializers.BooleanField(read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True, allow_null=True, default=None)
    request_email = serializers.EmailField(
        read_only=True, allow_blank=True, help_text=_("Where the approval link was sent.")
    )
    request_expires_at = serializers.DateTimeField(read_only=True)
    approved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    starts_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    declined_at = serializers.DateTimeField(read_only=True, allow_null=True)
    terminated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    termination_reason = serializers.CharField(read_only=True)
    terminated_by_customer = serializers.BooleanField(read_only=True)


class AssignmentSerializer(serializers.Serializer):
    """Which of the relationship's approved roles a security group holds."""

    group = serializers.IntegerField(source="group_id", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=catalogue.CHOICES), read_only=True)
    assigned_at = serializers.DateTimeField(read_only=True)


class AdminRelationshipDetailSerializer(AdminRelationshipSerializer):
    """One admin relationship with its assignments to security groups."""

    assignments = AssignmentSerializer(many=True, read_only=True, source="assignments.all")


class AdminRelationshipListSerializer(serializers.Serializer):
    results = AdminRelationshipSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text=_("The cursor of the next page; null on the last one."))


class ListPageQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=2000, help_text=_("The `next` of the previous page."))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class CustomerAdminRelationshipQuerySerializer(ListPageQuerySerializer):
    """The list page's filters (a customer's list: without the customer)."""

    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text=_("Without it: current ones, and those ended within the last year."),
    )
    role = serializers.ChoiceField(choices=catalogue.CHOICES, required=False, help_text=_("Holding this role."))
    expiring = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_DAYS, help_text=_("Active ones ending within this many days.")
    )


class AdminRelationshipQuerySerializer(CustomerAdminRelationshipQuerySerializer):
    """The list page's filters."""

    customer_id = serializers.UUIDField(required=False)


class AdminRelationshipRequestSerializer(serializers.Serializer):
    """A request: the request page's fields. The roles come from `roles`, or from `template` when given."""

    customer_id = serializers.UUIDField()
    name = serializers.CharField(max_length=50)
    duration_days = serializers.IntegerField(
        required=False, min_value=MIN_DAYS, max_value=MAX_DAYS, help_text=_("730 when left out.")
    )
    template = serializers.IntegerField(
        required=False, help_text=_("One of your role templates (offered when your organisation has some).")
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=catalogue.CHOICES), required=False, help_text=ROLES_HELP
    )
    auto_extend = serializers.BooleanField(required=False, default=False)


class TerminateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    confirm = serializers.BooleanField(
        help_text=_("I understand that my organisation loses these roles in the customer's organisation at once.")
    )


class AssignSerializer(serializers.Serializer):
    """A security group and the approved roles it holds (none: the group's assignment is removed)."""

    group = serializers.IntegerField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=catalogue.CHOICES), help_text=ROLES_HELP)


class RoleTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=catalogue.CHOICES), read_only=True, help_text=ROLES_HELP
    )
    is_default = serializers.BooleanField(read_only=True)


class RoleTemplateListSerializer(serializers.Serializer):
    results = RoleTemplateSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class SecurityGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    members = serializers.SerializerMethodField(help_text=_("The members' email addresses."))

    @extend_schema_field(serializers.ListField(child=serializers.EmailField()))
    def get_members(self, group: SecurityGroup) -> list[str]:
        # Prefetched by the view, ordered by email.
        return [member.email for member in group.members.all()]


class SecurityGroupListSerializer(serializers.Serializer):
    results = SecurityGroupSerializer(many=True)
    next = serializers.CharField(allow_null=True)
