"""Reads of admin relationships: every one starts from `policy.restrict`, so another partner's rows are absent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import CharField, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from adminrelationships import catalogue
from adminrelationships.models import (
    REQUEST_VALID_FOR,
    AccessAssignment,
    AdminRelationship,
    RoleTemplate,
    SecurityGroup,
    Status,
)
from customers.models import Customer
from partnerportal.infrastructure.tokens import token_hash
from partnerportal.models import OutboundEmail, User
from permissions import policy
from permissions.roles import Action
from relationships.models import Invitation, Relationship

# Ended relationships older than this leave the default list (kept, and shown when their status is filtered).
ENDED_LIST_AGE = timedelta(days=365)
ENDED = (Status.EXPIRED, Status.TERMINATED, Status.DECLINED)


@dataclass(frozen=True)
class ListFilters:
    """The list's filters, as the filter form cleaned them."""

    status: str = ""
    customer: uuid.UUID | None = None
    role: str = ""
    expiring_days: int | None = None


def admin_relationship_queryset(*, user: User, action: str = Action.VIEW_ADMIN_RELATIONSHIP) -> QuerySet:
    """The admin relationships the user may take `action` on, with their derived status."""
    return policy.restrict(AdminRelationship.objects.with_status(), user, action)


def _latest_request_email(field: str) -> Subquery:
    topic = Concat(
        Value("admin-relationship:"), Cast(OuterRef("pk"), output_field=CharField()), output_field=CharField()
    )
    return Subquery(OutboundEmail.objects.filter(topic=topic).order_by("-created_at", "-id").values(field)[:1])


def admin_relationship_list(*, user: User, filters: ListFilters) -> QuerySet:
    """The partner-wide list (unordered: the caller paginates it), with the request email's delivery state.

    Without a status filter, relationships that ended more than a year ago and requests never approved within their
    90 days are left out; filtering by status shows them.
    """
    now = timezone.now()
    qs = admin_relationship_queryset(user=user).select_related("customer", "requested_by")
    if filters.status:
        qs = qs.filter(current_status=filters.status)
    else:
        old_end = now - ENDED_LIST_AGE
        qs = qs.exclude(
            Q(current_status=Status.EXPIRED, approved_at__isnull=True)
            | Q(current_status__in=ENDED, terminated_at__lte=old_end)
            | Q(current_status__in=ENDED, declined_at__lte=old_end)
            | Q(current_status=Status.EXPIRED, ends_at__lte=old_end)
        )
    if filters.customer is not None:
        qs = qs.filter(customer_id=filters.customer)
    if filters.role:
        qs = qs.filter(roles__contains=[filters.role])
    if filters.expiring_days is not None:
        qs = qs.filter(current_status=Status.ACTIVE, ends_at__lte=now + timedelta(days=filters.expiring_days))
    return qs.annotate(
        email_status=_latest_request_email("status"),
        email_error=_latest_request_email("last_error"),
        email_attempts=_latest_request_email("attempts"),
    )


def admin_relationships_of(*, user: User, customer: Customer) -> list[AdminRelationship]:
    """The customer's admin relationships for its page: live ones and those ended within the year, newest first."""
    now = timezone.now()
    assignments = AccessAssignment.objects.select_related("group").order_by("group__name", "pk")
    return list(
        admin_relationship_queryset(user=user)
        .filter(customer=customer)
        .exclude(approved_at__isnull=True, requested_at__lte=now - REQUEST_VALID_FOR)
        .prefetch_related(Prefetch("assignments", queryset=assignments))
        .order_by("-requested_at", "-pk")[:20]
    )


def role_templates_of(*, user: User) -> QuerySet:
    """The partner's role templates, by name."""
    return policy.restrict(RoleTemplate.objects.all(), user, Action.VIEW_ADMIN_RELATIONSHIP).order_by("name", "pk")


def security_groups_of(*, user: User) -> QuerySet:
    """The partner's security groups, by name, with their member count."""
    return (
        policy.restrict(SecurityGroup.objects.all(), user, Action.VIEW_ADMIN_RELATIONSHIP)
        .annotate(member_count=Count("members"))
        .order_by("name", "pk")
    )


def assignments_of(*, user: User, relationship: AdminRelationship) -> list[AccessAssignment]:
    """A relationship's assignments (group and roles), by group name."""
    return list(
        policy.restrict(AccessAssignment.objects.all(), user, Action.VIEW_ADMIN_RELATIONSHIP)
        .filter(relationship=relationship)
        .select_related("group")
        .order_by("group__name", "pk")
    )


@dataclass
class HeldAccess:
    """One customer where the user holds roles through their groups: the relationship, the roles, the groups."""

    relationship: AdminRelationship
    roles: list
    groups: list[str]


def my_admin_access(*, user: User) -> list[HeldAccess]:
    """For the signed-in user, each active relationship and the roles they hold in it through their groups."""
    now = timezone.now()
    assignments = (
        policy.restrict(AccessAssignment.objects.all(), user, Action.VIEW_ADMIN_RELATIONSHIP)
        .filter(
            group__members=user,
            relationship__approved_at__isnull=False,
            relationship__terminated_at__isnull=True,
            relationship__ends_at__gt=now,
        )
        .select_related("relationship__customer", "group")
        .order_by("relationship__customer__company_name", "relationship__name", "relationship_id", "group__name")
    )
    held: dict[int, HeldAccess] = {}
    roles: dict[int, set[str]] = {}
    for assignment in assignments:
        entry = held.setdefault(
            assignment.relationship_id, HeldAccess(relationship=assignment.relationship, roles=[], groups=[])
        )
        entry.groups.append(assignment.group.name)
        roles.setdefault(assignment.relationship_id, set()).update(assignment.roles)
    for pk, entry in held.items():
        entry.roles = catalogue.roles_of(sorted(roles[pk]))
    return list(held.values())


def admin_relationship_for_token(token: str) -> AdminRelationship | None:
    """The relationship a link's raw token belongs to (None for an unknown token); opening it changes nothing."""
    return (
        AdminRelationship.objects.select_related("partner", "customer")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )


@dataclass(frozen=True)
class ApprovalRecipient:
    """Where a request's approval link goes: `email` ("" when nowhere yet) and on what ground (`basis`)."""

    # The grounds: the address proved by accepting an invitation, the contact of the partner's own tenant, none.
    INVITATION = "invitation"
    CONTACT = "contact"
    NONE = "none"

    email: str
    basis: str

    @property
    def verified(self) -> bool:
        return self.basis == self.INVITATION


def approval_recipient(*, partner_id: int, customer: Customer) -> ApprovalRecipient:
    """The mailbox that receives an approval link for this partner's request on this customer.

    The address that accepted the partner's latest accepted invitation for the customer (proved by the emailed code;
    an indirect provider's too, for invitations naming it) wins: staff cannot move it by editing the contact. Only
    for a customer the partner created or imported itself, which it already administers, does the contact email
    serve instead. Otherwise there is no address ("").
    """
    accepted = (
        Invitation.objects.filter(Q(partner_id=partner_id) | Q(provider_id=partner_id), customer=customer)
        .filter(status=Invitation.Status.ACCEPTED)
        .exclude(accepted_email="")
        .order_by("-accepted_at", "-id")
        .values_list("accepted_email", flat=True)
        .first()
    )
    if accepted:
        return ApprovalRecipient(email=accepted.strip().lower(), basis=ApprovalRecipient.INVITATION)
    own_tenant = Relationship.objects.filter(
        partner_id=partner_id,
        customer=customer,
        status=Relationship.Status.ACTIVE,
        source__in=(Relationship.Source.CREATED, Relationship.Source.IMPORT),
    ).exists()
    if own_tenant:
        return ApprovalRecipient(email=(customer.contact_email or "").strip().lower(), basis=ApprovalRecipient.CONTACT)
    return ApprovalRecipient(email="", basis=ApprovalRecipient.NONE)


def dap_customer_list(*, user: User) -> QuerySet:
    """The user's customers whose relationship with the user's partner still carries the legacy DAP flag
    (unordered: the caller paginates), each with the partner's live admin relationships (pending or active)
    prefetched as `live_admin_relationships`, so a page costs the same queries whatever its size."""
    now = timezone.now()
    live = (
        AdminRelationship.objects.with_status(now)
        .filter(partner_id=user.partner_id, current_status__in=(Status.APPROVAL_PENDING, Status.ACTIVE))
        .order_by("-requested_at", "-pk")
    )
    return (
        policy.restrict(Customer.objects.all(), user, Action.VIEW_ADMIN_RELATIONSHIP)
        .filter(
            relationships__partner_id=user.partner_id,
            relationships__status="active",
            relationships__dap=True,
        )
        .prefetch_related(Prefetch("admin_relationships", queryset=live, to_attr="live_admin_relationships"))
    )


def default_role_template(*, user: User) -> RoleTemplate | None:
    """The partner's default role template, if it chose one."""
    return role_templates_of(user=user).filter(is_default=True).first()
