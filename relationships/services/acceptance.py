"""The customer's acceptance of an invitation through the emailed link, as a sequence of named steps.

The link alone is not enough: the acceptor first confirms a code emailed to the invited address
(`acceptance_codes.py`) and accepts as that address. Only a SHA-256 hash of a link's token is stored. Accepting is
one conditional UPDATE, so a link works once even under concurrent clicks; everything after it (customer,
relationship, snapshot, agreement, log, notice, and what the invitation also asked for: `relationships.hooks`)
happens in the same transaction and rolls back with it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer
from partnerportal.infrastructure.tokens import token_hash
from partnerportal.models import Partner
from partnerportal.webhooks.events import event_emit
from partnerportal.webhooks.models import EventType
from relationships import hooks
from relationships.models import AcceptanceCode, Invitation, Partnership, Relationship
from relationships.selectors import closed_reason, invitation_by_token, mailbox_proof, partner_domain_address
from relationships.services.invitation_emails import acceptance_email_enqueue
from relationships.services.onboarding import customer_onboard
from relationships.services.relationships import relationship_begin
from relationships.services.snapshots import relationship_snapshot_apply

NAME_MAX_LENGTH = 81
CONFIRM_GLOBAL_ADMIN = _("Only a global administrator of the organisation can accept. Confirm that you are one.")
ACCEPT_AGREEMENT = _("Accept the relationship and the customer agreement to continue.")
NAME_REQUIRED = _("Enter your name.")
NAME_TOO_LONG = _("Enter at most %(max)s characters.")
PROFILE_REQUIRED = _("Complete your organisation's profile.")
PARTNERSHIP_ENDED = _(
    "This invitation can no longer be accepted: %(reseller)s no longer works with %(provider)s. "
    "Ask %(reseller)s for a new invitation."
)
INVITED_AT_PARTNER_DOMAIN = _(
    "This invitation was sent to an address of the partner's own organisation, so it cannot be accepted. "
    "Ask %(partner)s to invite your organisation's global administrator."
)
# How the log records the way the acceptor proved the address (a code; its label is in activity_labels.py).
VERIFIED_BY_EMAILED_CODE = "emailed_code"


class MailboxNotVerified(Exception):
    """Raised when the acceptance comes without a recently confirmed code for the invitation's address."""


class InvitationClosed(Exception):
    """Raised when a link can no longer be accepted; `reason` says why (not_found, expired, revoked, accepted)."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def _open_invitation(token: str) -> Invitation:
    """The invitation behind the link; InvitationClosed when it is unknown, expired, revoked or used."""
    invitation = invitation_by_token(token)
    reason = closed_reason(invitation)
    if reason:
        raise InvitationClosed(reason, invitation)
    assert invitation is not None  # closed_reason answers "not_found" for no invitation
    return invitation


def invitation_hold(token: str) -> Invitation:
    """Lock the link's invitation row until the caller's transaction ends and return it while it is still open;
    InvitationClosed otherwise. Must run inside `transaction.atomic`.

    The acceptance page holds this lock while it validates the forms and accepts, so concurrent submissions run one
    after another: a submission that opened the link before the winner committed waits here and then finds the
    link used, instead of validating its profile against the winner's new customer ("domain already in use").
    """
    if not token or len(token) > 200:
        raise InvitationClosed("not_found")
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("partner", "provider", "customer", "restores")
        .filter(token_hash=token_hash(token))
        .first()
    )
    reason = closed_reason(invitation)
    if reason or invitation is None:
        raise InvitationClosed(reason or "not_found", invitation)
    return invitation


def _validate_acceptor(
    *, invitation: Invitation, name: str, confirm_global_admin: bool, accept_agreement: bool
) -> None:
    """The acceptor's name and the two confirmations (the address is the invited one); one ValidationError."""
    errors: dict[str, list] = {}
    if not name:
        errors["name"] = [NAME_REQUIRED]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [NAME_TOO_LONG % {"max": NAME_MAX_LENGTH}]
    if partner_domain_address(invitation.email, invitation.partner, invitation.provider):
        # Invitations are no longer sent to such addresses; one sent earlier must not let staff accept it.
        errors["__all__"] = [INVITED_AT_PARTNER_DOMAIN % {"partner": invitation.partner.name}]
    if confirm_global_admin is not True:
        errors["confirm_global_admin"] = [CONFIRM_GLOBAL_ADMIN]
    if accept_agreement is not True:
        errors["accept_agreement"] = [ACCEPT_AGREEMENT]
    if errors:
        raise ValidationError(errors)


def _verified_code(invitation: Invitation, code_id: int | None) -> AcceptanceCode:
    """The code the acceptor confirmed for this invitation; MailboxNotVerified without a recent one."""
    code = mailbox_proof(invitation, code_id)
    if code is None:
        raise MailboxNotVerified()
    return code


def _partnership_active(invitation: Invitation) -> bool:
    # Locked, so the partnership cannot be removed between this check and the relationship rows it justifies.
    return (
        Partnership.objects.select_for_update()
        .filter(provider_id=invitation.provider_id, reseller_id=invitation.partner_id, status=Partnership.Status.ACTIVE)
        .exists()
    )


def _check_acceptable(invitation: Invitation, *, profile: dict[str, Any] | None) -> None:
    """Refuse (ValidationError) an invitation for a new customer without a profile, or one whose partnership ended."""
    if invitation.customer_id is None and not profile:
        raise ValidationError(PROFILE_REQUIRED)
    if invitation.provider is not None and not _partnership_active(invitation):
        raise ValidationError(
            PARTNERSHIP_ENDED % {"reseller": invitation.partner.name, "provider": invitation.provider.name}
        )


def _claim(invitation: Invitation, *, name: str) -> Invitation:
    """Mark the link used: the one statement that decides who wins among concurrent acceptances.

    Concurrent acceptances queue on the row lock and, once the winner commits, find the status changed and update
    nothing. A failure later in the transaction rolls it back and the link stays valid.
    """
    now = timezone.now()
    won = Invitation.objects.filter(
        pk=invitation.pk, token_hash=invitation.token_hash, status=Invitation.Status.PENDING, expires_at__gt=now
    ).update(status=Invitation.Status.ACCEPTED, accepted_at=now, accepted_name=name, accepted_email=invitation.email)
    invitation.refresh_from_db()
    if won != 1:
        raise InvitationClosed(closed_reason(invitation) or Invitation.Status.ACCEPTED, invitation)
    return invitation


def _chain(invitation: Invitation) -> dict[str, Partner | None]:
    """The other partner of an indirect relationship, named the way `relationship_begin` takes it."""
    if invitation.provider_id:
        return {"provider": invitation.provider}
    restores = invitation.restores
    if invitation.purpose == Invitation.Purpose.RESTORE and restores and restores.kind == Relationship.Kind.INDIRECT:
        if invitation.partner.is_indirect_provider:
            return {"reseller": restores.indirect_partner}
        return {"provider": restores.indirect_partner}
    return {}


def _customer_for(invitation: Invitation, *, profile: dict[str, Any]) -> Customer:
    """The invited customer, locked; a customer new to the portal is onboarded from the acceptor's profile with the
    same rules as Add customer (no "customer created" entry: the acceptance is logged instead)."""
    if invitation.customer_id is not None:
        return Customer.objects.select_for_update().get(pk=invitation.customer_id)
    fields = {f.name for f in Customer._meta.concrete_fields if f.editable and not f.primary_key}
    return customer_onboard(
        actor=invitation.created_by,
        partner=invitation.partner,
        data={key: value for key, value in profile.items() if key in fields},
        domain_prefix=profile.get("domain_prefix") or "",
        source=Relationship.Source.INVITATION,
        dap=invitation.dap,
        log=False,
        **_chain(invitation),
    )


def _relationships_begin(invitation: Invitation, customer: Customer) -> tuple[list[Relationship], Relationship]:
    """The active relationship rows (both partners' for an indirect one) with the DAP the customer granted, and the
    inviting partner's own row (with its snapshot reapplied when the invitation restores an ended relationship)."""
    relationships = relationship_begin(
        partner=invitation.partner,
        customer=customer,
        source=Relationship.Source.INVITATION,
        dap=invitation.dap,
        **_chain(invitation),
    )
    if invitation.dap:
        # Accepting DAP grants it even on a relationship that was already active without it.
        Relationship.objects.filter(pk__in=[r.pk for r in relationships], dap=False).update(dap=True)
    own = next(r for r in relationships if r.partner_id == invitation.partner_id)
    if invitation.purpose == Invitation.Purpose.RESTORE and invitation.restores is not None:
        own = relationship_snapshot_apply(relationship=own, snapshot=invitation.restores.snapshot)
        if own.dap != invitation.dap:
            # The customer granted what this invitation asked for, whatever the relationship had before it ended.
            own.dap = invitation.dap
            own.save(update_fields=["dap"])
    return relationships, own


def _agreement_record(customer: Customer, *, name: str, email: str) -> dict[str, Any]:
    """Record that the customer accepted the customer agreement; returns the state before, for the log."""
    before = {"agreement_status": customer.agreement_status}
    customer.agreement_status = Customer.Agreement.ACCEPTED_BY_CUSTOMER
    customer.agreement_name = name
    customer.agreement_email = email
    customer.agreement_date = timezone.localdate()
    customer.full_clean(validate_unique=False, validate_constraints=False)
    customer.save(update_fields=["agreement_status", "agreement_name", "agreement_email", "agreement_date"])
    return before


def _log(
    invitation: Invitation,
    *,
    customer: Customer,
    relationships: list[Relationship],
    before: dict[str, Any],
    name: str,
    code: AcceptanceCode,
) -> None:
    """One "invitation accepted" entry per partner holding the relationship: who invited, and who accepted, as which
    address, proven how and when."""
    inviter = invitation.created_by
    details = {
        "invitation": invitation.pk,
        "invited_by": inviter.email if inviter is not None else "",
        "accepted_by": name,
        "accepted_email": invitation.email,
        "verified_by": VERIFIED_BY_EMAILED_CODE,
        "verified_at": code.verified_at.isoformat() if code.verified_at else "",
        "dap": invitation.dap,
        "purpose": invitation.purpose,
        "agreement_status": Customer.Agreement.ACCEPTED_BY_CUSTOMER,
    }
    for relationship in relationships:
        activity_record(
            action=Actions.INVITATION_ACCEPT,
            actor=None,
            partner=relationship.partner,
            customer=customer,
            before=before,
            after={**details, "relationship": relationship.pk},
        )


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    name: str,
    confirm_global_admin: bool,
    accept_agreement: bool,
    verified_code_id: int | None,
    profile: dict[str, Any] | None = None,
) -> Invitation:
    """Accept an invitation: mark the link used, find or onboard the customer, begin the relationship (both partners
    of an indirect one), record the agreement and notify the inviter, all in one transaction.

    An invitation sent for a known customer links that customer; any other invitation creates a new customer from
    `profile` (the Add customer fields). The acceptor is the invited address: `verified_code_id` names the code
    confirmed by the acceptor's session (`acceptance_codes.acceptance_code_verify`), at most
    `AcceptanceCode.VERIFIED_FOR` ago. Raises MailboxNotVerified without one, InvitationClosed when the link is
    unknown, expired, revoked or used (exactly one of any number of concurrent acceptances succeeds),
    ValidationError on bad input (nothing changes in every case).
    """
    name = " ".join((name or "").split())
    invitation = _open_invitation(token)
    code = _verified_code(invitation, verified_code_id)
    _validate_acceptor(
        invitation=invitation, name=name, confirm_global_admin=confirm_global_admin, accept_agreement=accept_agreement
    )
    _check_acceptable(invitation, profile=profile)
    invitation = _claim(invitation, name=name)
    email = invitation.email
    customer = _customer_for(invitation, profile=profile or {})
    relationships, own = _relationships_begin(invitation, customer)
    before = _agreement_record(customer, name=name, email=email)
    invitation.customer = customer
    invitation.relationship = own
    invitation.save(update_fields=["customer", "relationship"])
    _log(invitation, customer=customer, relationships=relationships, before=before, name=name, code=code)
    acceptance_email_enqueue(invitation, customer=customer, name=name, email=email)
    for extension in hooks.invitation_extensions():
        # What the invitation also asked for (an admin relationship request, mailed to the proved address).
        extension.accepted(invitation, customer)
    event_emit(EventType.INVITATION_ACCEPTED, partner=invitation.partner_id, resource=invitation)
    return invitation


def invitation_accepted_notices(invitation: Invitation) -> list[str]:
    """What the acceptance page tells the customer about the requests that follow from the acceptance."""
    return [notice for extension in hooks.invitation_extensions() for notice in extension.notices(invitation)]
