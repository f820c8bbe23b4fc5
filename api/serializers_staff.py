"""How the API represents staff users, and the documented shapes of a new one, a change and the list's query."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from partnerportal.models import User
from partnerportal.staff.selectors import STAFF_ROLE_FILTERS, STAFF_STATUSES, staff_status_code
from permissions.roles import AdminRole, AgentRole, Scope


class StaffUserSerializer(serializers.Serializer):
    """A staff user of the partner as the staff pages show them (never a password or a set-password link)."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    admin_role = serializers.ChoiceField(choices=AdminRole.choices, read_only=True)
    agent_role = serializers.ChoiceField(choices=AgentRole.choices, read_only=True)
    scope = serializers.ChoiceField(choices=Scope.choices, read_only=True)
    customers = serializers.SerializerMethodField(
        help_text=_("The customers assigned to the user (used when the scope is assigned customers only).")
    )
    status = serializers.SerializerMethodField(
        help_text=_("Deactivated, invitation pending (no password chosen yet) or active.")
    )
    date_joined = serializers.DateTimeField(read_only=True)
    last_login = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_customers(self, user: User) -> list[str]:
        # The assignments are prefetched by the views (one query per page, whatever its size).
        return sorted(str(assignment.customer_id) for assignment in user.assignments.all())

    @extend_schema_field(serializers.ChoiceField(choices=STAFF_STATUSES))
    def get_status(self, user: User) -> str:
        return staff_status_code(user)


class StaffUserListSerializer(serializers.Serializer):
    results = StaffUserSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text=_("The cursor of the next page; null on the last one."))


class StaffUserListQuerySerializer(serializers.Serializer):
    """The staff list page's role filter, and the page's `limit` and `cursor`."""

    role = serializers.ChoiceField(
        choices=STAFF_ROLE_FILTERS, required=False, help_text=_("Users holding this admin or agent role.")
    )
    cursor = serializers.CharField(required=False, max_length=2000, help_text=_("The `next` of the previous page."))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class StaffUserUpdateSerializer(serializers.Serializer):
    """What a PATCH may change (any subset): names, roles, scope and the assigned customers (the whole list)."""

    first_name = serializers.CharField(required=False, allow_blank=True, max_length=40)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=40)
    admin_role = serializers.ChoiceField(choices=AdminRole.choices, required=False)
    agent_role = serializers.ChoiceField(choices=AgentRole.choices, required=False)
    scope = serializers.ChoiceField(choices=Scope.choices, required=False)
    customers = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=1000,
        help_text=_("The customers to assign (replacing the current ones)."),
    )


class StaffUserCreateSerializer(StaffUserUpdateSerializer):
    """A new staff user: they are emailed a one-time link to choose their password (no password is sent here)."""

    email = serializers.EmailField(max_length=254)
