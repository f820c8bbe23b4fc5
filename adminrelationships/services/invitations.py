"""Invitations that also ask for an admin relationship: the choice recorded when sent, the request made on acceptance.

Registered with `relationships.hooks` from the app's `ready` (relationships cannot import this app). The request is
made as the inviter, once the customer proved the invited mailbox and accepted, and its approval link goes to that
proved address (the recipient rule of `selectors.approval_recipient`).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adminrelationships.models import NAME_PATTERN, AdminRelationship, InvitationRequest, RoleTemplate
from adminrelationships.services.requests import admin_relationship_request
from customers.models import Customer
from partnerportal.models import Partner, User
from permissions import policy
from permissions.roles import Action
from relationships.hooks import InvitationExtension
from relationships.models import Invitation

FIELD = "admin_template"
TEMPLATE_UNKNOWN = _("Choose one of your organisation's role templates.")
NOT_ALLOWED = _("Only an admin agent can ask for an admin relationship.")
_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_\- ]")


def _may_request(user: User) -> bool:
    # US Government mode keeps the legacy forced DAP on every invitation and asks for no admin relationship.
    return policy.has_action(user, Action.MANAGE_ADMIN_RELATIONSHIP) and not policy.has_action(
        user, Action.DELEGATED_ADMIN_FORCED
    )


def invitation_template_choices(user: User) -> list[tuple[str, str]] | None:
    """The partner's role templates to offer on the new-invitation form; None for users who may not request."""
    if not _may_request(user):
        return None
    templates = policy.restrict(RoleTemplate.objects.all(), user, Action.VIEW_ADMIN_RELATIONSHIP)
    return [
        (str(template.pk), f"{template.name}: {', '.join(role.name for role in template.role_list)}")
        for template in templates
    ]


def invitation_request_attach(invitation: Invitation, actor: User, value: str) -> str:
    """Record that a new invitation asks for the roles of the chosen template (copied now); ValidationError else."""
    if not _may_request(actor):
        raise ValidationError({FIELD: [NOT_ALLOWED]})
    template = None
    if value.isdigit():
        template = RoleTemplate.objects.filter(pk=int(value), partner_id=invitation.partner_id).first()
    if template is None:
        raise ValidationError({FIELD: [TEMPLATE_UNKNOWN]})
    request = InvitationRequest(
        invitation=invitation, template=template, template_name=template.name, roles=list(template.roles)
    )
    request.full_clean()
    request.save()
    return template.name


def _request_of(invitation: Invitation) -> InvitationRequest | None:
    return InvitationRequest.objects.filter(invitation_id=invitation.pk).first()


def invitation_email_lines(invitation: Invitation) -> list[str]:
    """What the invitation email says the partner will also ask for (role names stay in English)."""
    request = _request_of(invitation)
    if request is None:
        return []
    roles = ", ".join(role.name for role in request.role_list)
    return [
        str(
            _(
                "After you accept, %(partner)s will also ask for an admin relationship for %(days)s days with these "
                "Microsoft Entra roles: %(roles)s. You approve or decline it separately, from a link we email to the "
                "address that accepts."
            )
            % {"partner": invitation.partner.name, "days": request.duration_days, "roles": roles}
        )
    ]


def admin_relationship_name(*, partner: Partner, customer: Customer) -> str:
    """A free name within the name rule: "<customer> <date> <n>", the customer's name cut to fit (partner locked)."""
    date = timezone.localdate().isoformat()
    base = " ".join(_NAME_CHARACTERS.sub("", customer.company_name).split()) or "Customer"
    taken = {
        name.lower()
        for name in AdminRelationship.objects.filter(partner=partner, name__istartswith=base[:20]).values_list(
            "name", flat=True
        )
    }
    n = 1
    while True:
        suffix = f" {date} {n}"
        name = base[: 50 - len(suffix)].rstrip() + suffix
        if name.lower() not in taken:
            assert re.fullmatch(NAME_PATTERN, name)
            return name
        n += 1


def invitation_request_accepted(invitation: Invitation, customer: Customer) -> None:
    """Ask for the invitation's admin relationship as the inviter, once; nothing when the inviter may no longer.

    Runs inside the acceptance's transaction. The row is locked and must still be unlinked, so a second acceptance
    (which the invitation's single-use claim already stops) could not make a second request either. A request the
    rules refuse (the proved address at the partner's own domain) leaves the acceptance as it is.
    """
    request = InvitationRequest.objects.select_for_update().filter(invitation_id=invitation.pk).first()
    if request is None or request.admin_relationship_id is not None:
        return
    inviter = invitation.created_by
    if inviter is None or not inviter.is_active or not policy.can(inviter, Action.MANAGE_ADMIN_RELATIONSHIP, customer):
        return
    partner = Partner.objects.select_for_update().get(pk=invitation.partner_id)
    try:
        with transaction.atomic():
            relationship = admin_relationship_request(
                actor=inviter,
                customer=customer,
                name=admin_relationship_name(partner=partner, customer=customer),
                duration_days=request.duration_days,
                roles=request.roles,
                invitation=invitation,
            )
    except ValidationError:
        return
    request.admin_relationship = relationship
    request.save(update_fields=["admin_relationship"])


def invitation_request_notices(invitation: Invitation) -> list[str]:
    """What the acceptance page tells the customer about the admin relationship request (never its link)."""
    request = InvitationRequest.objects.select_related("admin_relationship").filter(invitation_id=invitation.pk).first()
    if request is None or request.admin_relationship is None:
        return []
    relationship = request.admin_relationship
    return [
        str(
            _(
                "%(partner)s also asks for an admin relationship (%(roles)s). We are emailing the approval link to "
                "%(email)s: approve or decline it from there."
            )
            % {
                "partner": invitation.partner.name,
                "roles": ", ".join(role.name for role in relationship.role_list),
                "email": relationship.request_email,
            }
        )
    ]


EXTENSION = InvitationExtension(
    key=FIELD,
    label=_("Also request an admin relationship"),
    help_text=_(
        "After the customer accepts, an admin relationship with the roles of this template is requested for "
        "730 days in your name; its approval link goes to the address that accepted."
    ),
    empty_label=_("No admin relationship"),
    choices=invitation_template_choices,
    attach=invitation_request_attach,
    email_lines=invitation_email_lines,
    accepted=invitation_request_accepted,
    notices=invitation_request_notices,
)
