"""Reads of customers: every one starts from `policy.restrict`, so it returns only what the user may see."""

from __future__ import annotations

from django.db.models import F, FilteredRelation, Prefetch, Q, QuerySet

from customers.models import Customer, CustomerTag, Subscription
from permissions import policy
from permissions.roles import Action
from relationships.models import Relationship

SORTS = {
    "name": ("company_name", False),
    "-name": ("company_name", True),
    "created": ("created_at", False),
    "-created": ("created_at", True),
}


def customer_queryset(*, user, action: str = Action.VIEW_CUSTOMER) -> QuerySet:
    """Customers the user may act on, annotated with their partner's active relationship to each."""
    qs = policy.restrict(Customer.objects.all(), user, action)
    return qs.annotate(
        rel=FilteredRelation(
            "relationships",
            condition=Q(relationships__partner_id=user.partner_id, relationships__status=Relationship.Status.ACTIVE),
        ),
        rel_kind=F("rel__kind"),
        rel_indirect_partner_id=F("rel__indirect_partner_id"),
        rel_indirect_partner_name=F("rel__indirect_partner__name"),
    )


def customer_search(queryset: QuerySet, q: str) -> QuerySet:
    """Case-insensitive *contains* over name, domain, contact email and customer ID (one trigram index)."""
    q = " ".join(q.split()).lower()
    if not q:
        return queryset
    return queryset.filter(search_text__contains=q)


def customer_list(
    *, user, q: str = "", kind: str = "", reseller: int | None = None, tag: int | None = None
) -> QuerySet:
    """The filtered customer list (unordered: the caller paginates it)."""
    qs = customer_search(customer_queryset(user=user), q)
    if kind in Relationship.Kind.values:
        qs = qs.filter(rel_kind=kind)
    if reseller:
        qs = qs.filter(rel_indirect_partner_id=reseller)
    if tag:
        qs = qs.filter(customer_tags__tag_id=tag, customer_tags__tag__partner_id=user.partner_id)
    return qs


def tags_prefetch(*, user) -> Prefetch:
    """Prefetch only the user's partner's tags (tags are partner-private)."""
    return Prefetch(
        "customer_tags",
        queryset=CustomerTag.objects.filter(tag__partner_id=user.partner_id)
        .select_related("tag")
        .order_by("tag__name"),
        to_attr="partner_tags",
    )


def subscriptions_of(*, user, customer: Customer) -> QuerySet:
    """The customer's subscriptions with the user's partner."""
    return Subscription.objects.filter(customer=customer, partner_id=user.partner_id)


def relationships_of(*, user, customer: Customer) -> QuerySet:
    """The user's partner's relationships with the customer, newest first (history included)."""
    return Relationship.objects.filter(customer=customer, partner_id=user.partner_id).select_related(
        "partner", "indirect_partner"
    )
