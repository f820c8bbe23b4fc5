"""The `data` of webhook events: resources as the API represents them, registered with the events module.

Services emit events low in the layers (`partnerportal.webhooks.events.event_emit`) and may not import the API;
the API hands its serializers down from `ApiConfig.ready`, so a webhook's payload is what a GET would return
to the receiving partner at the moment of the change.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from rest_framework import serializers

from adminrelationships.models import AdminRelationship
from api.serializers import CustomerSerializer
from api.serializers_admin_relationships import AdminRelationshipSerializer
from api.serializers_leads import LeadSerializer
from api.serializers_partnerships import PartnershipSerializer
from api.serializers_purchase_permissions import PurchasePermissionSerializer
from customers.models import Customer, CustomerTag
from leads.models import Lead
from partnerportal.webhooks.events import representer_register
from permissions.models import PurchasePermission
from relationships.models import Invitation, Partnership, Relationship


def customer_for_partner(customer: Customer, partner_id: int) -> dict[str, Any]:
    """The customer as `GET /api/v1/customers/{id}/` shows it to the partner's staff (its relationship and tags)."""
    tag_names = (
        CustomerTag.objects.filter(customer_id=OuterRef("pk"), tag__partner_id=partner_id)
        .order_by(Lower("tag__name"), "tag__name")
        .values("tag__name")
    )
    # Typed as a plain QuerySet: the model declares these annotations' names for the list's own queryset.
    queryset: QuerySet = Customer.objects.filter(pk=customer.pk)
    annotated = queryset.annotate(
        rel=FilteredRelation(
            "relationships",
            condition=Q(relationships__partner_id=partner_id, relationships__status=Relationship.Status.ACTIVE),
        ),
        rel_kind=F("rel__kind"),
        rel_indirect_partner_name=F("rel__indirect_partner__name"),
        tag_names=ArraySubquery(tag_names),
    ).get()
    return dict(CustomerSerializer(annotated).data)


class RelationshipSerializer(serializers.Serializer):
    """A partner's relationship with a customer."""

    id = serializers.IntegerField(read_only=True)
    customer_id = serializers.UUIDField(read_only=True)
    kind = serializers.ChoiceField(choices=Relationship.Kind.choices, read_only=True)
    indirect_partner_name = serializers.CharField(source="indirect_partner.name", read_only=True, default=None)
    status = serializers.ChoiceField(choices=Relationship.Status.choices, read_only=True)
    dap = serializers.BooleanField(read_only=True)
    source = serializers.ChoiceField(choices=Relationship.Source.choices, read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    end_reason = serializers.CharField(read_only=True)


class InvitationSerializer(serializers.Serializer):
    """An invitation a partner sent (never its link)."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    # As the invitations endpoint shows it: a pending invitation past its expiry is expired.
    status = serializers.CharField(source="effective_status", read_only=True)
    purpose = serializers.CharField(read_only=True)
    customer_id = serializers.UUIDField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


def _plain(serializer_class: type[serializers.Serializer]) -> Any:
    """A representer from a serializer that shows every partner the same fields."""
    return lambda resource, _partner_id: dict(serializer_class(resource).data)


__all__ = ["AdminRelationshipSerializer", "register"]


def register() -> None:
    """Hand the events module a representer for every resource an event carries."""
    representer_register(Customer, customer_for_partner)
    representer_register(Relationship, _plain(RelationshipSerializer))
    representer_register(Invitation, _plain(InvitationSerializer))
    representer_register(PurchasePermission, _plain(PurchasePermissionSerializer))
    representer_register(Partnership, _plain(PartnershipSerializer))
    representer_register(AdminRelationship, _plain(AdminRelationshipSerializer))
    representer_register(Lead, _plain(LeadSerializer))
