"""How the API represents customers, and the documented shapes of its inputs and problems (OpenAPI)."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from customers.filters import SORT_CHOICES
from customers.models import Customer, domain_suffix
from customers.services.validation import PROFILE_FIELDS
from relationships.models import Relationship


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text=_("A stable code for the kind of problem (urn:partnerportal:problem:…)."))
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Messages per field, as the portal's forms show them."),
    )


class CustomerListItemSerializer(serializers.Serializer):
    """A customer as a row of the list: the columns the list page shows."""

    id = serializers.UUIDField(read_only=True)
    company_name = serializers.CharField(read_only=True)
    primary_domain = serializers.CharField(read_only=True)
    relationship_kind = serializers.ChoiceField(
        choices=Relationship.Kind.choices, source="rel_kind", read_only=True, allow_null=True, default=None
    )
    indirect_partner_name = serializers.CharField(
        source="rel_indirect_partner_name", read_only=True, allow_null=True, default=None
    )
    tags = serializers.ListField(child=serializers.CharField(), source="tag_names", read_only=True, default=list)
    created_at = serializers.DateTimeField(read_only=True)


class CustomerSerializer(CustomerListItemSerializer):
    """One customer with its whole profile."""

    country = serializers.CharField(read_only=True)
    address_line1 = serializers.CharField(read_only=True)
    address_line2 = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)
    contact_first_name = serializers.CharField(read_only=True)
    contact_last_name = serializers.CharField(read_only=True)
    contact_email = serializers.CharField(read_only=True)
    contact_phone = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    culture = serializers.CharField(read_only=True)
    registration_id = serializers.CharField(read_only=True)
    agreement_status = serializers.ChoiceField(choices=Customer.Agreement.choices, read_only=True)
    agreement_name = serializers.CharField(read_only=True)
    agreement_email = serializers.CharField(read_only=True)
    agreement_date = serializers.DateField(read_only=True, allow_null=True)


class CustomerListQuerySerializer(serializers.Serializer):
    """The list's query string: the list page's search, filters and sort, plus the page's `limit` and `cursor`."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("Contains, in name, domain, ID or contact email.")
    )
    kind = serializers.ChoiceField(choices=Relationship.Kind.choices, required=False)
    reseller = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=_("Indirect providers: one of your resellers.")
    )
    tag = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False, default="name")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    cursor = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text=_("The `next` of the previous page.")
    )


class CustomerListSerializer(serializers.Serializer):
    results = CustomerListItemSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text=_("The cursor of the next page; null on the last one."))


# The profile fields a partner edits, as the pages take them (the primary domain never changes).
PROFILE_INPUT_FIELDS = PROFILE_FIELDS


class CustomerUpdateSerializer(serializers.Serializer):
    """The profile fields a PATCH may change (any subset); the primary domain never changes."""

    company_name = serializers.CharField(required=False, max_length=255)
    country = serializers.CharField(required=False, max_length=2)
    address_line1 = serializers.CharField(required=False, max_length=200)
    address_line2 = serializers.CharField(required=False, allow_blank=True, max_length=200)
    city = serializers.CharField(required=False, max_length=100)
    state = serializers.CharField(required=False, allow_blank=True, max_length=100)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    contact_first_name = serializers.CharField(required=False, max_length=40)
    contact_last_name = serializers.CharField(required=False, max_length=40)
    contact_email = serializers.CharField(required=False, max_length=254)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    registration_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    culture = serializers.CharField(required=False, allow_blank=True, max_length=10)


def _domain_prefix_help() -> str:
    # Read when the schema is built, so it names the deployment's suffix (PORTAL_DOMAIN_SUFFIX).
    return str(
        _("Letters and digits; the primary domain is this prefix + %(suffix)s. It can't change later.")
        % {"suffix": domain_suffix()}
    )


class CustomerCreateSerializer(CustomerUpdateSerializer):
    """A new customer: the profile, its primary domain prefix, and (where the partner may) the agreement and the
    other partner of an indirect relationship."""

    company_name = serializers.CharField(max_length=255)
    domain_prefix = serializers.CharField(max_length=27, help_text=lazy(_domain_prefix_help, str)())
    country = serializers.CharField(max_length=2)
    address_line1 = serializers.CharField(max_length=200)
    city = serializers.CharField(max_length=100)
    contact_first_name = serializers.CharField(max_length=40)
    contact_last_name = serializers.CharField(max_length=40)
    contact_email = serializers.CharField(max_length=254)
    agreement_status = serializers.ChoiceField(choices=Customer.Agreement.choices[:2], required=False)
    agreement_name = serializers.CharField(required=False, allow_blank=True, max_length=81)
    agreement_email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    agreement_date = serializers.DateField(required=False, allow_null=True)
    reseller = serializers.IntegerField(required=False, allow_null=True, help_text=_("Indirect providers only."))
    provider = serializers.IntegerField(required=False, allow_null=True, help_text=_("Indirect resellers only."))
