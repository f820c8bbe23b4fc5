"""Reads of customers: every one starts from `policy.restrict`, so it returns only what the user may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from customers.models import Customer, CustomerTag, Subscription, Tag
from customers.search_statistics import index_anchor
from customers.services.purchase_permissions import purchase_permission_blocker
from partnerportal.infrastructure.replica import read_db
from partnerportal.models import User
from permissions import policy
from permissions.models import PurchasePermission
from permissions.roles import Action
from relationships.models import Relationship

SORTS = {
    "name": ("company_name", False),
    "-name": ("company_name", True),
    "created": ("created_at", False),
    "-created": ("created_at", True),
}


def customer_queryset(*, user: User, action: str = Action.VIEW_CUSTOMER) -> QuerySet:
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


def search_needle(q: str) -> str:
    """The search box's text as the search matches it: whitespace runs collapsed, lower-cased."""
    return " ".join(q.split()).lower()


def customer_search(queryset: QuerySet, q: str) -> QuerySet:
    """Case-insensitive *contains* over name, domain, contact email and customer ID (one trigram index).

    Filters on exactly the indexed column (`search_text LIKE '%needle%'`, the generated column already being
    lower-case), so `customer_search_trgm` serves it; `icontains` would wrap the column in UPPER() and miss it.
    """
    needle = search_needle(q)
    if not needle:
        return queryset
    anchor = index_anchor(needle)
    if anchor == needle:
        return queryset.filter(search_text__contains=needle)
    # The index looks up the needle's cheapest piece (customers.search_statistics); the whole needle is then
    # checked on an expression the index does not cover, so the rows are exactly those of
    # `search_text LIKE '%needle%'`.
    return (
        queryset.filter(search_text__contains=anchor)
        .alias(search_text_checked=Concat("search_text", Value(""), output_field=TextField()))
        .filter(search_text_checked__contains=needle)
    )


def customer_list(
    *, user: User, q: str = "", kind: str = "", reseller: int | None = None, tag: int | None = None
) -> QuerySet:
    """The filtered customer list (unordered: the caller paginates it)."""
    qs = customer_search(customer_queryset(user=user), q)
    if kind in Relationship.Kind.values:
        qs = qs.filter(rel_kind=kind)
    if reseller:
        qs = qs.filter(rel_indirect_partner_id=reseller)
    if tag:
        qs = qs.filter(customer_tags__tag_id=tag, customer_tags__tag__partner_id=user.partner_id)
    # Read-only: the replica when one is configured and the request may read it (infrastructure/replica.py).
    return qs.using(read_db())


def subscriptions_of(*, user: User, customer: Customer) -> QuerySet:
    """The customer's subscriptions with the user's partner."""
    return policy.restrict(Subscription.objects.filter(customer=customer), user, Action.VIEW_CUSTOMER)


def relationships_of(*, user: User, customer: Customer) -> QuerySet:
    """The user's partner's relationships with the customer, newest first (history included)."""
    qs = policy.restrict(Relationship.objects.filter(customer=customer), user, Action.VIEW_CUSTOMER)
    return qs.select_related("partner", "indirect_partner")


def partner_tags(*, user: User) -> QuerySet:
    """The tags of the user's partner (tags are partner-private)."""
    return policy.restrict(Tag.objects.all(), user, Action.VIEW_CUSTOMER)


def tag_names_array(*, user: User) -> ArraySubquery:
    """The customer's tag names of the user's partner, as an array in name order (ignoring case).

    One correlated subquery in the list's own query: no second query and no model per tag.
    """
    assert user.partner_id is not None  # partner staff only: the policy gives users without a partner no actions
    names = (
        CustomerTag.objects.filter(customer_id=OuterRef("pk"), tag__partner_id=user.partner_id)
        .order_by(Lower("tag__name"), "tag__name")
        .values("tag__name")
    )
    return ArraySubquery(names)


LIST_COLUMNS = ("id", "company_name", "primary_domain", "created_at")


def customer_list_page_queryset(*, user: User, **filters: Any) -> QuerySet:
    """The customer list with only the columns its table shows, and each row's tag names."""
    return customer_list_rows(customer_list(user=user, **filters), user=user)


def customer_list_rows(queryset: QuerySet, *, user: User) -> QuerySet:
    """A `customer_list` queryset narrowed to the columns the list's table shows, with each row's tag names.

    The list page builds `customer_list` once and takes both its rows (this) and its count (the plain queryset)
    from it.
    """
    return queryset.only(*LIST_COLUMNS).annotate(tag_names=tag_names_array(user=user))


def tag_names_subquery(*, user: User) -> Subquery:
    """The customer's tags of the user's partner, "; "-joined in name order (ignoring case).

    A correlated subquery evaluated row by row, so a streamed export never holds the whole list's tags in memory.
    """
    assert user.partner_id is not None  # partner staff only: the policy gives users without a partner no actions
    names = (
        CustomerTag.objects.filter(customer_id=OuterRef("pk"), tag__partner_id=user.partner_id)
        .order_by()
        .values("customer_id")
        .annotate(names=StringAgg("tag__name", delimiter="; ", order_by=(Lower("tag__name"), "tag__name")))
        .values("names")
    )
    return Subquery(names, output_field=TextField())


def customer_export(
    *,
    user: User,
    q: str = "",
    kind: str = "",
    reseller: int | None = None,
    tag: int | None = None,
    sort: str = "name",
) -> QuerySet:
    """The rows of the list's CSV export, in the list's order: (id, name, domain, relationship kind,
    the other partner's name, tag names)."""
    field, descending = SORTS.get(sort, SORTS["name"])
    prefix = "-" if descending else ""
    return (
        customer_list(user=user, q=q, kind=kind, reseller=reseller, tag=tag)
        .annotate(tag_names=tag_names_subquery(user=user))
        .order_by(f"{prefix}{field}", f"{prefix}pk")
        .values_list("pk", "company_name", "primary_domain", "rel_kind", "rel_indirect_partner_name", "tag_names")
    )


LOOKUP_LIMIT = 50


@dataclass
class LookupResult:
    """One helpdesk lookup hit and why it matched."""

    customer: Customer
    matched: str  # "id", "domain", "email" (exact hits) or "contains"

    @property
    def exact(self) -> bool:
        return self.matched != "contains"


def customer_lookup(*, user: User, q: str, limit: int = LOOKUP_LIMIT) -> list[LookupResult]:
    """Helpdesk lookup: exact hits first (customer ID, full domain or its prefix, contact email), then the
    name/domain/email *contains* matches, at most `limit` in all. Two queries whatever the result size.

    The exact hits use the primary key, the unique primary_domain index and `customer_contact_email_ci`
    (Lower(contact_email)); the rest uses the search column's trigram index.
    """
    needle = search_needle(q)
    if not needle:
        return []
    base = customer_queryset(user=user).using(read_db())
    domains = [needle, needle + settings.PORTAL_DOMAIN_SUFFIX]
    exact = Q(primary_domain__in=domains) | Q(contact_email_ci=needle)
    try:
        customer_id = uuid.UUID(needle)
    except ValueError:
        customer_id = None
    else:
        exact |= Q(pk=customer_id)
    exact_rows = list(
        base.alias(contact_email_ci=Lower("contact_email")).filter(exact).order_by("company_name", "pk")[:limit]
    )
    results = []
    for customer in exact_rows:
        if customer.pk == customer_id:
            matched = "id"
        elif customer.primary_domain in domains:
            matched = "domain"
        else:
            matched = "email"
        results.append(LookupResult(customer, matched))
    # The order of exact hits: customer ID, then domain, then contact email (most specific first).
    rank = {"id": 0, "domain": 1, "email": 2}
    results.sort(key=lambda r: rank[r.matched])
    found = [c.pk for c in exact_rows]
    rest = customer_search(base, needle).exclude(pk__in=found).order_by("company_name", "pk")
    results.extend(LookupResult(customer, "contains") for customer in rest[: max(limit - len(found), 0)])
    return results


# --- Customer purchase permissions (PRODUCT.md §6): the customer page's section and its own page ------------


@dataclass
class PurchasePermissionState:
    """One product's permission as a user reads it: allowed, not allowed, or not allowed because it expired."""

    product: str
    label: str
    record: PurchasePermission | None
    allowed: bool
    expired: bool

    @property
    def expires_on(self) -> date | None:
        return self.record.expires_on if self.record else None

    @property
    def note(self) -> str:
        return self.record.note if self.record else ""


@dataclass
class PurchasePermissionPanel:
    """Everything the "Customer permissions" section shows, loaded in two queries."""

    states: list[PurchasePermissionState]
    blocker: str | None
    can_change: bool
    forms: list = field(default_factory=list)
    editable: bool = False

    @property
    def has_stored(self) -> bool:
        return any(s.record is not None for s in self.states)


def purchase_permission_states(*, user: User, customer: Customer) -> list[PurchasePermissionState]:
    """Each product's state for the user's partner and the customer (one query)."""
    mine = policy.restrict(PurchasePermission.objects.filter(customer=customer), user, Action.VIEW_CUSTOMER)
    rows = {p.product: p for p in mine}
    today = timezone.localdate()
    states = []
    for value, label in PurchasePermission.Product.choices:
        record = rows.get(value)
        effective = record is not None and record.is_effective(today)
        states.append(
            PurchasePermissionState(
                product=value,
                label=str(label),
                record=record,
                allowed=effective,
                expired=record is not None and not effective,
            )
        )
    return states


def purchase_permission_panel(
    *, user: User, customer: Customer, can: set | frozenset | None = None, has_azure_plan: bool | None = None
) -> PurchasePermissionPanel:
    """The section's data: states, what (if anything) blocks turning permissions on, and whether the user may."""
    if can is None:
        can_change = policy.can(user, Action.CHANGE_PURCHASE_PERMISSION, customer)
    else:
        can_change = Action.CHANGE_PURCHASE_PERMISSION in can
    return PurchasePermissionPanel(
        states=purchase_permission_states(user=user, customer=customer),
        blocker=purchase_permission_blocker(partner=user.partner, customer=customer, has_azure_plan=has_azure_plan),
        can_change=can_change,
    )
