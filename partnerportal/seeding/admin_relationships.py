"""Demo admin relationships (PRODUCT.md §11): role templates, security groups and a relationship in every state.

Templates and groups (a few per partner) go through the real services. The relationships themselves carry dates
in the past (approved a year ago, ended last month), which no service writes, so they are inserted in one
`bulk_create` per partner: a handful of rows whose status the model derives from those dates, with the activity
entries the services would have written at those dates (request, approval or decline, assignments, termination).
No email is sent:
an approval-pending row stores the digest of a token nobody ever sees, so it has no usable link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships import catalogue
from adminrelationships.models import AccessAssignment, AdminRelationship, RoleTemplate, SecurityGroup, Status
from adminrelationships.services import role_template_create, security_group_save
from customers.models import Customer
from partnerportal.infrastructure.tokens import token_new
from partnerportal.models import Partner, User
from permissions.roles import AdminRole, AgentRole
from relationships.models import Relationship

DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
SERVICE_SUPPORT_ADMINISTRATOR = "f023fd81-a637-4b56-95fd-791ac0226033"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
LICENSE_ADMINISTRATOR = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
EXCHANGE_ADMINISTRATOR = "29232cdf-9323-42fd-ade2-1d097af3e4de"

HELPDESK_STANDARD = [DIRECTORY_READERS, HELPDESK_ADMINISTRATOR, SERVICE_SUPPORT_ADMINISTRATOR]
READ_ONLY = [DIRECTORY_READERS, GLOBAL_READER]
USER_MANAGEMENT = [DIRECTORY_READERS, USER_ADMINISTRATOR, LICENSE_ADMINISTRATOR, EXCHANGE_ADMINISTRATOR]

TEMPLATES = [("Helpdesk standard", HELPDESK_STANDARD), ("Read only", READ_ONLY), ("User management", USER_MANAGEMENT)]
# Group name, then the demo staff (local parts) in it.
GROUPS = [("Helpdesk", ["helpdesk.agent"]), ("Admins", ["admin.agent", "global.admin"])]


@dataclass(frozen=True)
class Plan:
    """One demo relationship: its state, by dates relative to the seeding day (all offsets in days)."""

    name: str
    roles: list[str]
    duration: int
    requested: int  # days ago
    approved: int | None = None  # days ago (None: never approved)
    declined: int | None = None
    terminated: int | None = None
    auto_extend: bool = False
    # Group name → the roles it holds (active relationships only).
    assignments: tuple[tuple[str, list[str]], ...] = ()


PLANS = [
    # active for most of two years, the helpdesk holds the helpdesk roles, the admins all of them
    Plan(
        "Helpdesk standard",
        HELPDESK_STANDARD,
        730,
        requested=45,
        approved=40,
        assignments=(("Helpdesk", [DIRECTORY_READERS, HELPDESK_ADMINISTRATOR]), ("Admins", HELPDESK_STANDARD)),
    ),
    # active and extending itself by 180 days at its end
    Plan(
        "Read only auto extend",
        READ_ONLY,
        180,
        requested=102,
        approved=100,
        auto_extend=True,
        assignments=(("Helpdesk", READ_ONLY),),
    ),
    # ends in 10 days: the expiring-soon case
    Plan(
        "User management",
        USER_MANAGEMENT,
        730,
        requested=722,
        approved=720,
        assignments=(("Admins", USER_MANAGEMENT), ("Helpdesk", [DIRECTORY_READERS])),
    ),
    Plan("Helpdesk pending", HELPDESK_STANDARD, 730, requested=3),
    # ended 35 days ago
    Plan("Helpdesk 2025", HELPDESK_STANDARD, 365, requested=402, approved=400),
    Plan("Exchange migration", [DIRECTORY_READERS, EXCHANGE_ADMINISTRATOR], 90, requested=20, declined=18),
    Plan("Licence review", [DIRECTORY_READERS, LICENSE_ADMINISTRATOR], 730, requested=210, approved=200, terminated=10),
]
TERMINATION_REASON = "The customer moved its licences to another partner."


def seed_admin_relationships(*, partner: Partner, prefix: str, now: datetime) -> None:
    """Templates, groups and one relationship per state in PLANS on the partner's own demo customers (idempotent)."""
    admin = User.objects.filter(partner=partner, admin_role=AdminRole.GLOBAL_ADMIN).order_by("pk").first()
    agent = User.objects.filter(partner=partner, agent_role=AgentRole.ADMIN_AGENT).order_by("pk").first()
    assert admin is not None and agent is not None  # seeded with the partner
    existing_templates = set(RoleTemplate.objects.filter(partner=partner).values_list("name", flat=True))
    for name, roles in TEMPLATES:
        if name not in existing_templates:
            # "Helpdesk standard" is the default: the DAP page and Add customer offer it first.
            role_template_create(actor=agent, name=name, roles=roles, is_default=name == TEMPLATES[0][0])
    groups = {group.name: group for group in SecurityGroup.objects.filter(partner=partner)}
    domain = partner.email_domain
    for name, locals_ in GROUPS:
        if name not in groups:
            members = list(User.objects.filter(email__in=[f"{local}@{domain}" for local in locals_]))
            groups[name] = security_group_save(actor=admin, name=name, members=members)
    taken = set(AdminRelationship.objects.filter(partner=partner).values_list("name", flat=True))
    plans = [plan for plan in PLANS if plan.name not in taken]
    if not plans:
        return
    # The partner's own demo customers with an active relationship (never the bulk seeder's), first ones first.
    customers = list(
        Customer.objects.filter(
            primary_domain__startswith=prefix,
            relationships__partner=partner,
            relationships__status=Relationship.Status.ACTIVE,
        ).order_by("primary_domain")[: len(PLANS)]
    )
    assert customers, "the demo customers are seeded first"
    day = timedelta(days=1)
    rows = []
    for plan in plans:
        customer = customers[PLANS.index(plan) % len(customers)]
        approved = now - plan.approved * day if plan.approved is not None else None
        rows.append(
            AdminRelationship(
                partner=partner,
                customer=customer,
                name=plan.name,
                duration_days=plan.duration,
                roles=plan.roles,
                auto_extend=plan.auto_extend,
                requested_by=agent,
                requested_at=now - plan.requested * day,
                request_email=customer.contact_email.lower(),
                token_hash=token_new()[1],  # the token itself is dropped: no usable link exists
                approved_at=approved,
                approved_name=f"{customer.contact_first_name} {customer.contact_last_name}" if approved else "",
                starts_at=approved,
                ends_at=approved + plan.duration * day if approved else None,
                declined_at=now - plan.declined * day if plan.declined is not None else None,
                terminated_at=now - plan.terminated * day if plan.terminated is not None else None,
                terminated_by=agent if plan.terminated is not None else None,
                termination_reason=TERMINATION_REASON if plan.terminated is not None else "",
            )
        )
    AdminRelationship.objects.bulk_create(rows)
    AccessAssignment.objects.bulk_create(
        AccessAssignment(relationship=row, group=groups[group], roles=roles, assigned_at=row.starts_at or now)
        for row, plan in zip(rows, plans, strict=True)
        for group, roles in plan.assignments
    )
    ActivityEntry.objects.bulk_create(
        entry for row, plan in zip(rows, plans, strict=True) for entry in _history(row, plan, agent, groups)
    )


def _history(row: AdminRelationship, plan: Plan, agent: User, groups: dict[str, SecurityGroup]) -> list[ActivityEntry]:
    """The log entries of one seeded relationship, with the details the services record."""

    def entry(action: Actions, at: datetime, *, actor: User | None, before=None, after=None) -> ActivityEntry:
        details = {"before": before} if before else {}
        details["after"] = {"admin_relationship": row.pk, "name": row.name, **(after or {})}
        return ActivityEntry(
            created_at=at,
            partner=row.partner,
            actor=actor,
            actor_email=actor.email if actor else "",
            customer=row.customer,
            customer_name=row.customer.company_name,
            action=action,
            details=details,
        )

    role_names = [role.name for role in row.role_list]
    entries = [
        entry(
            Actions.ADMIN_RELATIONSHIP_REQUEST,
            row.requested_at,
            actor=agent,
            after={
                "duration_days": row.duration_days,
                "role_names": role_names,
                "auto_extend": row.auto_extend,
                "request_email": row.request_email,
                "template": next((name for name, roles in TEMPLATES if roles == plan.roles), ""),
            },
        )
    ]
    pending = {"status": Status.APPROVAL_PENDING}
    if row.approved_at is not None and row.ends_at is not None:
        entries.append(
            entry(
                Actions.ADMIN_RELATIONSHIP_APPROVE,
                row.approved_at,
                actor=None,
                before=pending,
                after={
                    "status": Status.ACTIVE,
                    "approved_name": row.approved_name,
                    "request_email": row.request_email,
                    "ends_at": row.ends_at.isoformat(),
                },
            )
        )
        for group, roles in plan.assignments:
            entries.append(
                entry(
                    Actions.ADMIN_RELATIONSHIP_ASSIGN,
                    row.approved_at,
                    actor=agent,
                    before={"roles": []},
                    after={"security_group": groups[group].name, "roles": [r.name for r in catalogue.roles_of(roles)]},
                )
            )
    if row.declined_at is not None:
        entries.append(
            entry(
                Actions.ADMIN_RELATIONSHIP_DECLINE,
                row.declined_at,
                actor=None,
                before=pending,
                after={"status": Status.DECLINED},
            )
        )
    if row.terminated_at is not None:
        entries.append(
            entry(
                Actions.ADMIN_RELATIONSHIP_TERMINATE,
                row.terminated_at,
                actor=agent,
                before={"status": Status.ACTIVE},
                after={
                    "status": Status.TERMINATED,
                    "termination_reason": row.termination_reason,
                    "assignments_removed": [],
                },
            )
        )
    return entries
