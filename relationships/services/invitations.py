"""Relationship invitations: send, resend, revoke, and the customer's acceptance through the emailed link.

Kept apart from `relationships.services` (which re-exports these functions) so two engineers can work on the app at
once. Only a SHA-256 hash of a link's token is stored; the raw token exists in the email and in the one response
that created it. Accepting is one conditional UPDATE, so a link works once even under concurrent clicks.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer
from partnerportal.emails import email_enqueue
from partnerportal.models import OutboundEmail, Partner, User
from partnerportal.tokens import token_hash, token_new
from permissions import policy
from permissions.roles import Action, AdminRole
from relationships.models import Invitation, Partnership, Relationship

NAME_MAX_LENGTH = 81
MESSAGE_MAX_LENGTH = 5000

ALREADY_PENDING = _(
    "An invitation to this address is already waiting for an answer. Resend it from the invitations list instead."
)
PROVIDER_REQUIRED = _("Choose the indirect provider the customer will also be linked to.")
PROVIDER_NOT_ACTIVE = _("Choose one of your active indirect providers.")
NOT_A_RESELLER = _("Only an indirect reseller chooses an indirect provider.")
CANNOT_RESEND = _("Only a pending or expired invitation can be sent again; this one was %(status)s.")
CANNOT_REVOKE = _("Only a pending invitation can be revoked; this one is %(status)s.")
RESTORE_NEEDS_ENDED = _("Only an ended relationship of your organisation can be restored.")
CONFIRM_GLOBAL_ADMIN = _("Only a global administrator of the organisation can accept. Confirm that you are one.")
ACCEPT_AGREEMENT = _("Accept the relationship and the customer agreement to continue.")
NAME_REQUIRED = _("Enter your name.")
NAME_TOO_LONG = _("Enter at most %(max)s characters.")
PROFILE_REQUIRED = _("Complete your organisation's profile.")
PARTNERSHIP_ENDED = _(
    "This invitation can no longer be accepted: %(reseller)s no longer works with %(provider)s. "
    "Ask %(reseller)s for a new invitation."
)
PARTNER_DOMAIN_EMAIL = _("Use your own organisation's email address, not one of the partner's.")


class InvitationClosed(Exception):
    """Raised when a link can no longer be accepted; `reason` says why (not_found, expired, revoked, accepted)."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def invitation_link(token: str) -> str:
    """The absolute acceptance URL for a raw token (emails are read outside any request)."""
    path = reverse("relationships:invitation_accept", kwargs={"token": token})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def invitation_topic(invitation: Invitation) -> str:
    """The OutboundEmail topic of the email that carries an invitation's link."""
    return f"invitation:{invitation.pk}"


def default_message(*, partner: Partner, customer: Customer | None = None) -> str:
    """The pre-filled, editable invitation text (the link itself is added below it when the email is sent)."""
    text = _(
        "%(partner)s would like to be your Cloud Solution Provider for your Microsoft Cloud account.\n\n"
        "To accept, open the link at the end of this message. A global administrator of your organisation must "
        "accept the reseller relationship and the customer agreement.\n\n"
        "If you have questions, reply to this message."
    ) % {"partner": partner.name}
    return str(text)


def active_providers(partner: Partner):
    """The indirect providers an indirect reseller is actively partnered with."""
    return Partner.objects.filter(
        reseller_links__reseller=partner, reseller_links__status=Partnership.Status.ACTIVE
    ).order_by("name")


def dap_forced(user: User) -> bool:
    """US Government cloud: the delegated-admin request cannot be left out (reference §15)."""
    return policy.has_action(user, Action.DELEGATED_ADMIN_FORCED)


def relationship_description(invitation: Invitation) -> str:
    """How the relationship the invitation offers reads to the customer."""
    if invitation.provider_id:
        return str(
            _("Indirect reseller: %(reseller)s, through the indirect provider %(provider)s")
            % {"reseller": invitation.partner.name, "provider": invitation.provider.name}
        )
    return str(_("Direct reseller: %(partner)s") % {"partner": invitation.partner.name})


def _email_invitation(invitation: Invitation, token: str) -> OutboundEmail:
    expires = formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
    lines = [
        invitation.message.strip(),
        "",
        str(_("Accept the invitation: %(link)s") % {"link": invitation_link(token)}),
        "",
        str(_("Relationship: %(relationship)s") % {"relationship": relationship_description(invitation)}),
        str(
            _("Delegated admin privileges requested: %(answer)s") % {"answer": _("yes") if invitation.dap else _("no")}
        ),
        str(_("The link works once and expires on %(date)s.") % {"date": expires}),
    ]
    return email_enqueue(
        to=invitation.email,
        subject=str(_("%(partner)s invites you to a reseller relationship") % {"partner": invitation.partner.name}),
        body="\n".join(lines) + "\n",
        partner=invitation.partner,
        topic=invitation_topic(invitation),
    )


def _withdraw_unsent(invitation: Invitation) -> None:
    # A superseded link is dead: an email still waiting to carry it would only confuse the customer.
    OutboundEmail.objects.filter(
        topic=invitation_topic(invitation),
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED],
    ).delete()


def status_label(invitation: Invitation) -> str:
    """The state a person should read (a pending invitation past its expiry reads "Expired")."""
    return str(Invitation.Status(invitation.effective_status).label)


def _expiry():
    return timezone.now() + timedelta(days=settings.PORTAL_INVITATION_DAYS)


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    email: str,
    message: str,
    dap: bool,
    customer: Customer | None = None,
    provider: Partner | None = None,
    purpose: str = Invitation.Purpose.NEW,
    restores: Relationship | None = None,
) -> tuple[Invitation, str]:
    """Record an invitation, email its link and return it with the raw token (the only time the token exists).

    The caller decides that the actor may invite (and may see `customer`). An indirect reseller must name one of its
    active providers; DAP is always requested in the US Government cloud.
    """
    partner = Partner.objects.select_for_update().get(pk=actor.partner_id)
    email = (email or "").strip().lower()
    errors: dict[str, list] = {}
    if purpose == Invitation.Purpose.RESTORE:
        if restores is None or restores.partner_id != partner.pk or restores.status != Relationship.Status.ENDED:
            raise ValidationError(RESTORE_NEEDS_ENDED)
        customer = restores.customer
    if policy.has_action(actor, Action.CHOOSE_PROVIDER):
        if provider is None:
            errors["provider"] = [PROVIDER_REQUIRED]
        elif not active_providers(partner).filter(pk=provider.pk).exists():
            errors["provider"] = [PROVIDER_NOT_ACTIVE]
    elif provider is not None:
        errors["provider"] = [NOT_A_RESELLER]
    if dap_forced(actor):
        dap = True
    token, hashed = token_new()
    invitation = Invitation(
        partner=partner,
        created_by=actor,
        customer=customer,
        provider=provider,
        purpose=purpose,
        restores=restores,
        email=email,
        message=(message or "").strip(),
        dap=dap,
        token_hash=hashed,
        expires_at=_expiry(),
    )
    try:
        invitation.full_clean(exclude=["token_hash"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    # The partner row is locked above, so a double submit cannot slip a second pending invitation past this check.
    if "email" not in errors and (
        Invitation.objects.filter(
            partner=partner,
            email=email,
            customer=customer,
            status=Invitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        ).exists()
    ):
        errors["email"] = [ALREADY_PENDING]
    if errors:
        raise ValidationError(errors)
    invitation.save()
    _email_invitation(invitation, token)
    activity_record(
        action=Actions.INVITATION_CREATE,
        actor=actor,
        partner=partner,
        customer=customer,
        after={
            "invitation": invitation.pk,
            "email": email,
            "dap": dap,
            "purpose": purpose,
            "provider": provider.name if provider else "",
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return invitation, token


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> tuple[Invitation, str]:
    """Issue a fresh link with a fresh expiry and email it again; the old link stops working at once."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("partner", "provider").get(pk=invitation.pk)
    )
    if invitation.status not in (Invitation.Status.PENDING, Invitation.Status.EXPIRED):
        raise ValidationError(CANNOT_RESEND % {"status": status_label(invitation).lower()})
    before = {"status": invitation.effective_status, "expires_at": invitation.expires_at.isoformat()}
    token, hashed = token_new()
    invitation.token_hash = hashed
    invitation.status = Invitation.Status.PENDING
    invitation.expires_at = _expiry()
    invitation.full_clean(exclude=["token_hash"])
    invitation.save(update_fields=["token_hash", "status", "expires_at"])
    _withdraw_unsent(invitation)
    _email_invitation(invitation, token)
    activity_record(
        action=Actions.INVITATION_RESEND,
        actor=actor,
        partner=invitation.partner,
        customer=invitation.customer,
        before=before,
        after={"invitation": invitation.pk, "email": invitation.email, "expires_at": invitation.expires_at.isoformat()},
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Revoke a pending invitation: its link answers "revoked" from now on."""
    now = timezone.now()
    changed = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED, revoked_at=now
    )
    invitation.refresh_from_db()
    if changed != 1:
        raise ValidationError(CANNOT_REVOKE % {"status": status_label(invitation).lower()})
    _withdraw_unsent(invitation)
    activity_record(
        action=Actions.INVITATION_REVOKE,
        actor=actor,
        partner=invitation.partner,
        customer=invitation.customer,
        before={"status": Invitation.Status.PENDING},
        after={"invitation": invitation.pk, "email": invitation.email, "status": Invitation.Status.REVOKED},
    )
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link points to (whatever its state), or None. Reads only: opening a link changes nothing."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("partner", "provider", "customer", "restores")
        .filter(token_hash=token_hash(token))
        .first()
    )


def closed_reason(invitation: Invitation | None) -> str | None:
    """Why a link cannot be accepted (not_found, expired, revoked, accepted), or None while it can."""
    if invitation is None:
        return "not_found"
    status = invitation.effective_status
    return None if status == Invitation.Status.PENDING else status


def _validate_acceptor(*, invitation: Invitation, name: str, email: str, confirm_global_admin, accept_agreement):
    errors: dict[str, list] = {}
    if not name:
        errors["name"] = [NAME_REQUIRED]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [NAME_TOO_LONG % {"max": NAME_MAX_LENGTH}]
    try:
        validate_email(email)
    except ValidationError as exc:
        errors["email"] = list(exc.messages)
    else:
        domain = email.rsplit("@", 1)[1]
        own = (invitation.partner.email_domain or "").lower()
        if own and (domain == own or domain.endswith("." + own)):
            errors["email"] = [PARTNER_DOMAIN_EMAIL]
    if confirm_global_admin is not True:
        errors["confirm_global_admin"] = [CONFIRM_GLOBAL_ADMIN]
    if accept_agreement is not True:
        errors["accept_agreement"] = [ACCEPT_AGREEMENT]
    if errors:
        raise ValidationError(errors)


def _create_customer(*, invitation: Invitation, profile: dict[str, Any]) -> Customer:
    """A customer new to the portal: created from the acceptor's profile with the same rules as Add customer."""
    from customers.services import customer_create

    fields = {f.name for f in Customer._meta.concrete_fields if f.editable and not f.primary_key}
    data = {key: value for key, value in profile.items() if key in fields}
    return customer_create(
        actor=invitation.created_by,
        partner=invitation.partner,
        data=data,
        domain_prefix=profile.get("domain_prefix") or "",
        provider=invitation.provider,
        source=Relationship.Source.INVITATION,
        log=False,
    )


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


def _partnership_active(invitation: Invitation) -> bool:
    # Locked, so the partnership cannot be removed between this check and the relationship rows it justifies.
    return (
        Partnership.objects.select_for_update()
        .filter(provider_id=invitation.provider_id, reseller_id=invitation.partner_id, status=Partnership.Status.ACTIVE)
        .exists()
    )


def _inviter_recipients(invitation: Invitation) -> list[str]:
    inviter = invitation.created_by
    if inviter is not None and inviter.is_active:
        return [inviter.email]
    return list(
        User.objects.filter(partner=invitation.partner, admin_role=AdminRole.GLOBAL_ADMIN, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    name: str,
    email: str,
    confirm_global_admin: bool,
    accept_agreement: bool,
    profile: dict[str, Any] | None = None,
) -> Invitation:
    """Accept an invitation: mark the link used, find or create the customer, begin the relationship (both partners of
    an indirect one), record the agreement and notify the inviter, all in one transaction.

    An invitation sent for a known customer links that customer; any other invitation creates a new customer from
    `profile` (the Add customer fields). Raises InvitationClosed when the link is unknown, expired, revoked or used
    (exactly one of any number of concurrent acceptances succeeds), ValidationError on bad input (nothing changes).
    """
    name = " ".join((name or "").split())
    email = (email or "").strip().lower()
    invitation = invitation_by_token(token)
    reason = closed_reason(invitation)
    if reason:
        raise InvitationClosed(reason, invitation)
    _validate_acceptor(
        invitation=invitation,
        name=name,
        email=email,
        confirm_global_admin=confirm_global_admin,
        accept_agreement=accept_agreement,
    )
    if invitation.customer_id is None and not profile:
        raise ValidationError(PROFILE_REQUIRED)
    if invitation.provider_id and not _partnership_active(invitation):
        raise ValidationError(
            PARTNERSHIP_ENDED % {"reseller": invitation.partner.name, "provider": invitation.provider.name}
        )
    now = timezone.now()
    # The one statement that decides who wins: concurrent acceptances queue on the row lock and, once the winner
    # commits, find the status changed and update nothing. A failure below rolls it back and the link stays valid.
    won = Invitation.objects.filter(
        pk=invitation.pk, token_hash=invitation.token_hash, status=Invitation.Status.PENDING, expires_at__gt=now
    ).update(status=Invitation.Status.ACCEPTED, accepted_at=now, accepted_name=name, accepted_email=email)
    if won != 1:
        invitation.refresh_from_db()
        raise InvitationClosed(closed_reason(invitation) or Invitation.Status.ACCEPTED, invitation)
    invitation.refresh_from_db()

    # Imported here: relationships.services re-exports this module, so a module-level import would be circular.
    from relationships.services import relationship_begin

    if invitation.customer_id is None:
        customer = _create_customer(invitation=invitation, profile=profile or {})
    else:
        customer = Customer.objects.select_for_update().get(pk=invitation.customer_id)
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
    elif invitation.customer_id is None:
        # customer_create began the relationship with its default DAP; the customer granted none.
        Relationship.objects.filter(pk__in=[r.pk for r in relationships]).update(dap=False)
    own = next(r for r in relationships if r.partner_id == invitation.partner_id)
    if invitation.purpose == Invitation.Purpose.RESTORE and invitation.restores_id:
        from relationships.services import relationship_snapshot_apply

        own = relationship_snapshot_apply(relationship=own, snapshot=invitation.restores.snapshot)
        if own.dap != invitation.dap:
            # The customer granted what this invitation asked for, whatever the relationship had before it ended.
            own.dap = invitation.dap
            own.save(update_fields=["dap"])

    before = {"agreement_status": customer.agreement_status}
    customer.agreement_status = Customer.Agreement.ACCEPTED_BY_CUSTOMER
    customer.agreement_name = name
    customer.agreement_email = email
    customer.agreement_date = timezone.localdate()
    customer.full_clean(validate_unique=False, validate_constraints=False)
    customer.save(update_fields=["agreement_status", "agreement_name", "agreement_email", "agreement_date"])
    invitation.customer = customer
    invitation.relationship = own
    invitation.save(update_fields=["customer", "relationship"])

    details = {
        "invitation": invitation.pk,
        "accepted_by": name,
        "accepted_email": email,
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
    subject = str(_("%(customer)s accepted your invitation") % {"customer": customer.company_name})
    body = str(
        _(
            "%(name)s (%(email)s) accepted the reseller relationship and the customer agreement for %(customer)s "
            "(%(domain)s).\n\nThe customer is now in your customer list: %(link)s\n"
        )
        % {
            "name": name,
            "email": email,
            "customer": customer.company_name,
            "domain": customer.primary_domain,
            "link": settings.PORTAL_BASE_URL.rstrip("/") + customer.get_absolute_url(),
        }
    )
    for recipient in _inviter_recipients(invitation):
        email_enqueue(
            to=recipient,
            subject=subject,
            body=body,
            partner=invitation.partner,
            topic=f"invitation-accepted:{invitation.pk}",
        )
    return invitation
