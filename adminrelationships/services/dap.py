"""From the legacy delegated admin (DAP) flag to admin relationships: the one-click least-privilege request for a
DAP customer, removing DAP once an admin relationship is active, and the default admin relationship that
"Add customer" creates active at once (the partner created the tenant, so there is nobody else to approve)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from adminrelationships import catalogue
from adminrelationships.emails import created_email_enqueue
from adminrelationships.models import DEFAULT_DAYS, AdminRelationship, RoleTemplate, Status
from adminrelationships.services.requests import TEMPLATE_UNKNOWN, admin_relationship_request
from customers.models import Customer
from partnerportal.infrastructure.tokens import token_new
from partnerportal.models import Partner, User
from permissions import policy
from permissions.roles import Action
from relationships.models import Relationship
from relationships.services import relationship_dap_remove

ALREADY_REQUESTED = _(
    "Your organisation already has a pending or active admin relationship with this customer: see its page."
)
NEEDS_ACTIVE = _("Delegated admin privileges can be removed once the customer has an active admin relationship.")
DEFAULT_TEMPLATE_GONE = _(
    "Your organisation's default role template was changed or deleted meanwhile: reload the page and try again."
)
NOT_DAP = _("This customer's relationship no longer carries delegated admin privileges.")

_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_\- ]+")


def admin_relationship_name_free(*, partner: Partner, base: str) -> str:
    """A name within the name rule (1–50 letters, digits, `-`, `_`, spaces) that the partner does not use yet:
    `base` cleaned, then `base-2`, `base-3`, …"""
    base = " ".join(_NAME_CHARACTERS.sub(" ", base).split())[:44].strip() or "GDAP"
    taken = {
        name.lower()
        for name in AdminRelationship.objects.filter(partner=partner, name__istartswith=base).values_list(
            "name", flat=True
        )
    }
    if base.lower() not in taken:
        return base
    number = 2
    while f"{base}-{number}".lower() in taken:
        number += 1
    return f"{base}-{number}"


def _live(partner_id: int, customer: Customer) -> bool:
    now = timezone.now()
    return (
        AdminRelationship.objects.with_status(now)
        .filter(partner_id=partner_id, customer=customer, current_status__in=(Status.APPROVAL_PENDING, Status.ACTIVE))
        .exists()
    )


def _dap_relationship(actor: User, customer: Customer) -> Relationship | None:
    assert actor.partner_id is not None  # partner staff only (the callers checked the policy)
    return Relationship.objects.filter(
        partner_id=actor.partner_id, customer=customer, status=Relationship.Status.ACTIVE, dap=True
    ).first()


@transaction.atomic
def dap_admin_relationship_request(*, actor: User, customer: Customer, template: RoleTemplate) -> AdminRelationship:
    """Request the least-privilege admin relationship of `template` for a DAP customer, named for it.

    Through `admin_relationship_request` (the email, the log and its recipient rule apply). The partner row is
    locked before the check, so two clicks at once make one request: the second sees the first and is refused.
    """
    if not policy.can(actor, Action.MANAGE_ADMIN_RELATIONSHIP, customer):
        raise PermissionDenied
    assert actor.partner_id is not None  # partner staff only (the policy gives nobody else the action)
    partner = Partner.objects.select_for_update().get(pk=actor.partner_id)
    if template.partner_id != partner.pk:
        raise ValidationError({"template": [TEMPLATE_UNKNOWN]})
    if _dap_relationship(actor, customer) is None:
        raise ValidationError(NOT_DAP)
    if _live(partner.pk, customer):
        raise ValidationError(ALREADY_REQUESTED)
    prefix = customer.primary_domain.split(".", 1)[0]
    return admin_relationship_request(
        actor=actor,
        customer=customer,
        name=admin_relationship_name_free(partner=partner, base=f"{template.name} {prefix}"),
        duration_days=DEFAULT_DAYS,
        template=template,
    )


@transaction.atomic
def dap_remove(*, actor: User, customer: Customer) -> Relationship:
    """Remove the legacy DAP flag from the partner's relationship with the customer, once an admin relationship
    of the partner with it is active (so the partner keeps the access it needs)."""
    if not policy.can(actor, Action.MANAGE_ADMIN_RELATIONSHIP, customer):
        raise PermissionDenied
    assert actor.partner_id is not None
    Partner.objects.select_for_update().get(pk=actor.partner_id)
    if _dap_relationship(actor, customer) is None:
        raise ValidationError(NOT_DAP)
    active = (
        AdminRelationship.objects.with_status()
        .filter(partner_id=actor.partner_id, customer=customer, current_status=Status.ACTIVE)
        .exists()
    )
    if not active:
        raise ValidationError(NEEDS_ACTIVE)
    return relationship_dap_remove(actor=actor, customer=customer)


def default_template_of(*, partner_id: int) -> RoleTemplate | None:
    """The partner's default role template, if it chose one."""
    return RoleTemplate.objects.filter(partner_id=partner_id, is_default=True).first()


@transaction.atomic
def admin_relationship_create_active(*, actor: User, customer: Customer, template: RoleTemplate) -> AdminRelationship:
    """Create the default admin relationship of a customer the partner just created, active at once.

    The partner created the tenant, so nobody else is asked: it starts now and ends after the default duration.
    No approval link exists (a hash of a token nobody holds fills the column); the customer's contact is told.
    Runs in the add-customer transaction: a failure here rolls the customer back too.
    """
    if not policy.has_action(actor, Action.MANAGE_ADMIN_RELATIONSHIP):
        raise PermissionDenied
    assert actor.partner_id is not None
    partner = Partner.objects.select_for_update().get(pk=actor.partner_id)
    # The customer was created by this partner in this transaction; its relationship says so (assigned-scope staff
    # do not yet hold the customer itself).
    if (
        template.partner_id != partner.pk
        or not Relationship.objects.filter(
            partner=partner, customer=customer, status=Relationship.Status.ACTIVE
        ).exists()
    ):
        raise PermissionDenied
    now = timezone.now()
    days = DEFAULT_DAYS
    _token, hashed = token_new()
    prefix = customer.primary_domain.split(".", 1)[0]
    relationship = AdminRelationship(
        partner=partner,
        customer=customer,
        name=admin_relationship_name_free(partner=partner, base=f"{template.name} {prefix}"),
        duration_days=days,
        roles=[role.template_id for role in catalogue.roles_of(template.roles)],
        auto_extend=False,
        requested_by=actor,
        requested_at=now,
        request_email=(customer.contact_email or "").strip().lower(),
        token_hash=hashed,
        approved_at=now,
        # Who "approved": the partner, which created the tenant (Partner Center's default relationship).
        approved_name=partner.name[:100],
        starts_at=now,
        ends_at=now + timedelta(days=days),
        created_with_customer=True,
    )
    relationship.full_clean(exclude=["request_email", "token_hash"])
    relationship.save()
    if relationship.request_email:
        created_email_enqueue(relationship)
    activity_record(
        action=Actions.ADMIN_RELATIONSHIP_CREATE_ACTIVE,
        actor=actor,
        partner=partner,
        customer=customer,
        after={
            "admin_relationship": relationship.pk,
            "name": relationship.name,
            "template": template.name,
            "role_names": [r.name for r in relationship.role_list],
            "status": Status.ACTIVE,
            "ends_at": relationship.ends_at.isoformat() if relationship.ends_at else "",
        },
    )
    return relationship


def default_relationship_apply(actor: User, customer: Customer, value: object) -> None:
    """The add-customer option (customers.hooks): create the default admin relationship when it stayed checked."""
    if not value:
        return
    assert actor.partner_id is not None
    template = default_template_of(partner_id=actor.partner_id)
    if template is None:
        raise ValidationError({"default_admin_relationship": [DEFAULT_TEMPLATE_GONE]})
    admin_relationship_create_active(actor=actor, customer=customer, template=template)
