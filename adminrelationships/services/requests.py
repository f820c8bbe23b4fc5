"""Admin relationships: request (admin agent), the customer's approval or decline through the link, terminate.

Only a SHA-256 digest of an approval link's token is stored; the raw token exists only in the email (staff never
see it). Approving, declining and terminating are each one conditional UPDATE, so of two concurrent answers (two
approvals, approve against terminate) the database lets exactly one through.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateTimeField as DateTimeOutput
from django.db.models import ExpressionWrapper, F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from adminrelationships import catalogue
from adminrelationships.emails import outcome_emails_enqueue, request_email_enqueue, request_unsent_withdraw
from adminrelationships.models import (
    REQUEST_VALID_FOR,
    AccessAssignment,
    AdminRelationship,
    RoleTemplate,
    Status,
)
from adminrelationships.selectors import admin_relationship_for_token, approval_recipient
from customers.models import Customer
from partnerportal.infrastructure.tokens import token_new
from partnerportal.models import Partner, User
from partnerportal.webhooks.events import event_emit
from partnerportal.webhooks.models import EventType
from permissions import policy
from permissions.roles import Action
from relationships.models import Invitation
from relationships.selectors import partner_domain_address

NAME_TAKEN = _("Your organisation already has an admin relationship with this name. Choose another name.")
ROLES_REQUIRED = _("Choose at least one role, or a role template.")
UNKNOWN_ROLE = _("Choose roles from the list.")
TEMPLATE_UNKNOWN = _("Choose one of your organisation's role templates.")
AUTO_EXTEND_GLOBAL_ADMIN = _(
    "A relationship that includes Global Administrator cannot auto extend: it must end, and a new one be requested."
)
NO_CONTACT = _("The customer has no contact email address; add one to the customer's details first.")
NO_VERIFIED_ADDRESS = _(
    "No administrator of this customer has accepted an invitation from your organisation, so there is no proved "
    "address to send the approval link to. Invite the customer's global administrator first."
)
CONTACT_OWN_DOMAIN = _(
    "The customer's contact address is at %(domain)s, your own domain: the customer's global administrator must "
    "approve from a mailbox of the customer's organisation. Correct the contact address first."
)
VERIFIED_OWN_DOMAIN = _(
    "The address that accepted your invitation is at %(domain)s, your own domain: the customer's global "
    "administrator must approve from a mailbox of the customer's organisation. Invite them first."
)
LINK_CLOSED = _("This request can no longer be answered: it is %(status)s.")
CANNOT_TERMINATE = _("Only an active or pending admin relationship can be terminated; this one is %(status)s.")
REASON_REQUIRED = _("Give the reason for terminating.")


def roles_clean(roles: list[str] | tuple[str, ...]) -> list[str]:
    """The chosen template IDs in catalogue order, once each; ValidationError for an unknown one."""
    chosen = set(roles)
    if chosen - set(catalogue.TEMPLATE_IDS):
        raise ValidationError({"roles": [UNKNOWN_ROLE]})
    return [role.template_id for role in catalogue.ROLES_BY_PRIVILEGE if role.template_id in chosen]


def status_words(relationship: AdminRelationship) -> str:
    return str(relationship.status_label).lower()


def _linked(token: str) -> AdminRelationship:
    """The relationship behind an emailed link; ValidationError for an unknown token."""
    relationship = admin_relationship_for_token(token)
    if relationship is None:
        raise ValidationError(LINK_CLOSED % {"status": _("unknown")})
    return relationship


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("Use at most 500 characters.")]})
    return reason


def _ended(relationship: AdminRelationship, *, actor: User | None, before: str, reason: str) -> None:
    """After a termination by staff (`actor`) or by the customer (no actor): the groups lose the roles with the
    relationship, both sides are emailed, and it is logged."""
    removed = sorted(AccessAssignment.objects.filter(relationship=relationship).values_list("group__name", flat=True))
    AccessAssignment.objects.filter(relationship=relationship).delete()
    outcome_emails_enqueue(relationship, outcome="terminated")
    after: dict[str, object] = {
        "admin_relationship": relationship.pk,
        "name": relationship.name,
        "status": Status.TERMINATED,
        "termination_reason": reason,
    }
    if actor is None:
        after["terminated_by_customer"] = True
    after["assignments_removed"] = removed
    activity_record(
        action=Actions.ADMIN_RELATIONSHIP_TERMINATE,
        actor=actor,
        partner=relationship.partner,
        customer=relationship.customer,
        before={"status": before},
        after=after,
    )
    event_emit(EventType.ADMIN_RELATIONSHIP_TERMINATED, partner=relationship.partner_id, resource=relationship)


@transaction.atomic
def admin_relationship_request(
    *,
    actor: User,
    customer: Customer,
    name: str,
    duration_days: int,
    roles: list[str] | tuple[str, ...] = (),
    template: RoleTemplate | None = None,
    auto_extend: bool = False,
    invitation: Invitation | None = None,
) -> AdminRelationship:
    """Record a request for roles on the customer and email a one-time approval link to the customer's proved
    address (`selectors.approval_recipient`: the one that accepted the partner's invitation, or the contact of a
    customer the partner created itself).

    The roles come from `roles`, or from `template` when given; `invitation` names the accepted invitation that
    asked for it (logged). Raises PermissionDenied when the actor may not request admin relationships on this
    customer, ValidationError (by field) for bad input.
    """
    if not policy.can(actor, Action.MANAGE_ADMIN_RELATIONSHIP, customer):
        raise PermissionDenied
    assert actor.partner_id is not None  # partner staff only (the policy gives nobody else the action)
    # The partner row is locked so two requests with one name cannot both pass the uniqueness check.
    partner = Partner.objects.select_for_update().get(pk=actor.partner_id)
    errors: dict[str, list] = {}
    name = " ".join((name or "").split())
    if template is not None:
        if template.partner_id != partner.pk:
            errors["template"] = [TEMPLATE_UNKNOWN]
        roles = template.roles
    try:
        chosen = roles_clean(roles)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        chosen = []
    if not chosen and "roles" not in errors and "template" not in errors:
        errors["roles"] = [ROLES_REQUIRED]
    if auto_extend and catalogue.GLOBAL_ADMINISTRATOR in chosen:
        errors["auto_extend"] = [AUTO_EXTEND_GLOBAL_ADMIN]
    recipient = approval_recipient(partner_id=partner.pk, customer=customer)
    email = recipient.email
    if not email:
        errors.setdefault("__all__", []).append(
            NO_CONTACT if recipient.basis == recipient.CONTACT else NO_VERIFIED_ADDRESS
        )
    elif partner_domain_address(email, partner):
        # Staff read that mailbox: they could approve their own request.
        own = VERIFIED_OWN_DOMAIN if recipient.verified else CONTACT_OWN_DOMAIN
        errors.setdefault("__all__", []).append(own % {"domain": partner.email_domain})
    token, hashed = token_new()
    relationship = AdminRelationship(
        partner=partner,
        customer=customer,
        name=name,
        duration_days=duration_days,
        roles=chosen,
        auto_extend=auto_extend,
        requested_by=actor,
        requested_at=timezone.now(),
        request_email=email,
        token_hash=hashed,
    )
    try:
        relationship.full_clean(exclude=["token_hash", "request_email", "roles"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if "name" not in errors and AdminRelationship.objects.filter(partner=partner, name__iexact=name).exists():
        errors["name"] = [NAME_TAKEN]
    if errors:
        raise ValidationError(errors)
    relationship.save()
    request_email_enqueue(relationship, token)
    activity_record(
        action=Actions.ADMIN_RELATIONSHIP_REQUEST,
        actor=actor,
        partner=partner,
        customer=customer,
        after={
            "admin_relationship": relationship.pk,
            "name": relationship.name,
            "duration_days": relationship.duration_days,
            "role_names": [role.name for role in relationship.role_list],
            "auto_extend": relationship.auto_extend,
            "request_email": email,
            "template": template.name if template is not None else "",
            **({"invitation": invitation.pk} if invitation is not None else {}),
        },
    )
    event_emit(EventType.ADMIN_RELATIONSHIP_REQUESTED, partner=relationship.partner_id, resource=relationship)
    return relationship


def _open_request(now: datetime) -> Q:
    """Rows whose request can still be answered: neither approved, declined nor terminated, within 90 days."""
    return Q(
        approved_at__isnull=True,
        declined_at__isnull=True,
        terminated_at__isnull=True,
        requested_at__gt=now - REQUEST_VALID_FOR,
    )


@transaction.atomic
def admin_relationship_approve(*, token: str, approver_name: str) -> AdminRelationship:
    """Approve the whole request behind a link: active from now for its duration. The link works once.

    One conditional UPDATE: of concurrent approvals (or an approval racing a decline or termination) exactly one
    changes the row; the others get a ValidationError saying what became of it.
    """
    relationship = _linked(token)
    approver_name = " ".join((approver_name or "").split())
    if not approver_name:
        raise ValidationError({"name": [_("Enter your name.")]})
    if len(approver_name) > 100:
        raise ValidationError({"name": [_("Use at most 100 characters.")]})
    now = timezone.now()
    ends = ExpressionWrapper(Value(now) + F("duration_days") * Value(timedelta(days=1)), output_field=DateTimeOutput())
    changed = AdminRelationship.objects.filter(_open_request(now), pk=relationship.pk).update(
        approved_at=now, approved_name=approver_name, starts_at=now, ends_at=ends
    )
    relationship.refresh_from_db()
    if changed != 1:
        raise ValidationError(LINK_CLOSED % {"status": status_words(relationship)})
    outcome_emails_enqueue(relationship, outcome="approved")
    activity_record(
        action=Actions.ADMIN_RELATIONSHIP_APPROVE,
        partner=relationship.partner,
        customer=relationship.customer,
        before={"status": Status.APPROVAL_PENDING},
        after={
            "admin_relationship": relationship.pk,
            "name": relationship.name,
            "status": Status.ACTIVE,
            "approved_name": approver_name,
            "request_email": relationship.request_email,
            "ends_at": relationship.ends_at.isoformat() if relationship.ends_at else "",
        },
    )
    event_emit(EventType.ADMIN_RELATIONSHIP_APPROVED, partner=relationship.partner_id, resource=relationship)
    return relationship


@transaction.atomic
def admin_relationship_decline(*, token: str) -> AdminRelationship:
    """Decline the request behind a link (one conditional UPDATE, like approval)."""
    relationship = _linked(token)
    now = timezone.now()
    changed = AdminRelationship.objects.filter(_open_request(now), pk=relationship.pk).update(declined_at=now)
    relationship.refresh_from_db()
    if changed != 1:
        raise ValidationError(LINK_CLOSED % {"status": status_words(relationship)})
    outcome_emails_enqueue(relationship, outcome="declined")
    activity_record(
        action=Actions.ADMIN_RELATIONSHIP_DECLINE,
        partner=relationship.partner,
        customer=relationship.customer,
        before={"status": Status.APPROVAL_PENDING},
        after={"admin_relationship": relationship.pk, "name": relationship.name, "status": Status.DECLINED},
    )
    event_emit(EventType.ADMIN_RELATIONSHIP_DECLINED, partner=relationship.partner_id, resource=relationship)
    return relationship


@transaction.atomic
def admin_relationship_terminate(*, actor: User, relationship: AdminRelationship, reason: str) -> AdminRelationship:
    """End an active relationship, or withdraw a pending request (its link dies), and tell both sides."""
    if not policy.can(actor, Action.MANAGE_ADMIN_RELATIONSHIP, relationship.customer):
        raise PermissionDenied
    reason = _reason_clean(reason)
    assert actor.partner_id is not None  # partner staff only (checked by the policy above)
    now = timezone.now()
    before = relationship.status_at(now)
    active = Q(approved_at__isnull=False, terminated_at__isnull=True, ends_at__gt=now)
    changed = AdminRelationship.objects.filter(
        active | _open_request(now), pk=relationship.pk, partner_id=actor.partner_id
    ).update(terminated_at=now, terminated_by=actor, termination_reason=reason)
    relationship.refresh_from_db()
    if changed != 1:
        raise ValidationError(CANNOT_TERMINATE % {"status": status_words(relationship)})
    request_unsent_withdraw(relationship)
    _ended(relationship, actor=actor, before=before, reason=reason)
    return relationship


@transaction.atomic
def admin_relationship_end_by_customer(*, token: str, reason: str) -> AdminRelationship:
    """The customer's administrator ends an active relationship from the emailed link (one conditional UPDATE)."""
    relationship = _linked(token)
    reason = _reason_clean(reason)
    now = timezone.now()
    changed = AdminRelationship.objects.filter(
        pk=relationship.pk, approved_at__isnull=False, terminated_at__isnull=True, ends_at__gt=now
    ).update(terminated_at=now, terminated_by_customer=True, termination_reason=reason)
    relationship.refresh_from_db()
    if changed != 1:
        raise ValidationError(CANNOT_TERMINATE % {"status": status_words(relationship)})
    _ended(relationship, actor=None, before=Status.ACTIVE, reason=reason)
    return relationship
