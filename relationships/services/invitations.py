"""Relationship invitations: send, resend, revoke (the customer's acceptance is `acceptance.py`).

Only a SHA-256 hash of a link's token is stored; the raw token exists in the email and in the one response that
created it. The email text is in templates (`invitation_emails.py`); reads are in `relationships.selectors`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer
from partnerportal.infrastructure.tokens import token_new
from partnerportal.models import Partner, User
from permissions import policy
from permissions.roles import Action
from relationships import hooks
from relationships.models import Invitation, Relationship
from relationships.selectors import active_providers, dap_forced, partner_domain_address, status_label
from relationships.services.invitation_emails import invitation_email_enqueue, invitation_unsent_withdraw

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
OWN_DOMAIN = _(
    "Invite an address of the customer's organisation, not one at %(domain)s: the customer accepts with a code "
    "sent to this address."
)
CANNOT_RESEND_OWN_DOMAIN = _(
    "This invitation went to an address at %(domain)s, a partner's own domain, so it cannot be sent again. "
    "Revoke it and invite an address of the customer's organisation."
)


def _own_domain(email: str, partner: Partner, provider: Partner | None) -> str:
    """The partner domain the address is at (the inviting partner's, or its indirect provider's), or ""."""
    for candidate in (partner, provider):
        if candidate is not None and partner_domain_address(email, candidate):
            return candidate.email_domain
    return ""


def _expiry() -> datetime:
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
    extras: dict[str, str] | None = None,
) -> tuple[Invitation, str]:
    """Record an invitation, email its link and return it with the raw token (the only time the token exists).

    The caller decides that the actor may invite (and may see `customer`). An indirect reseller must name one of its
    active providers; DAP is always requested in the US Government cloud. `extras` maps a registered extension's key
    (`relationships.hooks`) to the value chosen on the form; each extension checks it and records it with the
    invitation (none in the US Government cloud, where the forced DAP stays the one request).
    """
    assert actor.partner_id is not None  # partner staff only: the policy gives users without a partner no actions
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
    own_domain = _own_domain(email, partner, provider) if "email" not in errors else ""
    if own_domain:
        # Staff read that mailbox: they could confirm the acceptance code themselves.
        errors["email"] = [OWN_DOMAIN % {"domain": own_domain}]
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
    extensions = {e.key: e for e in hooks.invitation_extensions()} if not dap_forced(actor) else {}
    chosen = {key: value for key, value in (extras or {}).items() if value and key in extensions}
    if errors:
        raise ValidationError(errors)
    invitation.save()
    # Each extension checks and records its value (a refusal, by field, rolls the invitation back with it) and
    # says what the log shows of it.
    logged = {key: extensions[key].attach(invitation, actor, value) for key, value in chosen.items()}
    invitation_email_enqueue(invitation, token)
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
            **logged,
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
    own_domain = _own_domain(invitation.email, invitation.partner, invitation.provider)
    if own_domain:
        raise ValidationError(CANNOT_RESEND_OWN_DOMAIN % {"domain": own_domain})
    before = {"status": invitation.effective_status, "expires_at": invitation.expires_at.isoformat()}
    token, hashed = token_new()
    invitation.token_hash = hashed
    invitation.status = Invitation.Status.PENDING
    invitation.expires_at = _expiry()
    invitation.full_clean(exclude=["token_hash"])
    invitation.save(update_fields=["token_hash", "status", "expires_at"])
    invitation_unsent_withdraw(invitation)
    invitation_email_enqueue(invitation, token)
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
    invitation_unsent_withdraw(invitation)
    activity_record(
        action=Actions.INVITATION_REVOKE,
        actor=actor,
        partner=invitation.partner,
        customer=invitation.customer,
        before={"status": Invitation.Status.PENDING},
        after={"invitation": invitation.pk, "email": invitation.email, "status": Invitation.Status.REVOKED},
    )
    return invitation
