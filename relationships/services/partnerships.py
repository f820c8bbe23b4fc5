"""Provider ↔ reseller partnerships: an indirect provider requests one by email, the reseller's staff authorize it.

Only a SHA-256 hash of the link's token is stored. Authorizing is one conditional UPDATE, so a link works once
even when two people click it at the same moment.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from partnerportal.infrastructure.emails import email_enqueue
from partnerportal.infrastructure.tokens import token_hash, token_new
from partnerportal.models import Partner, User
from partnerportal.webhooks.events import event_emit
from partnerportal.webhooks.models import EventType
from permissions import policy
from permissions.roles import Action
from relationships.models import Partnership

NOT_A_PROVIDER = _("Only an indirect provider can request a partnership with an indirect reseller.")
NOT_A_RESELLER = _("Only an indirect reseller can authorize an indirect provider. Sign in with your reseller account.")
LINK_EXPIRED = _("This partnership link has expired. Ask the indirect provider to send a new one.")
LINK_USED = _("This partnership link has already been used.")
LINK_WITHDRAWN = _("The indirect provider has withdrawn this partnership request.")
ALREADY_PARTNERS = _("Your organisation is already partnered with this indirect provider.")


def partnership_link(token: str) -> str:
    """The absolute link the reseller follows to authorize the provider."""
    path = reverse("relationships:partnership_authorize", kwargs={"token": token})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def partnership_default_message(*, partner: Partner) -> str:
    """The editable message pre-filled on the request form."""
    return str(
        _(
            "%(provider)s would like to be your indirect provider. Open the link below, sign in to the partner "
            "portal with your reseller account and authorize the partnership."
        )
        % {"provider": partner.name}
    )


def partnership_request(*, actor: User, email: str, message: str) -> tuple[Partnership, str]:
    """Record the actor's provider's partnership request and email its one-time link; returns it and the token."""
    partner = actor.partner
    assert partner is not None  # partner staff only: the policy gives users without a partner no actions
    if not policy.has_action(actor, Action.REQUEST_PARTNERSHIP):
        raise ValidationError(NOT_A_PROVIDER, code="wrong_partner_type")
    token, hashed = token_new()
    expires_at = timezone.now() + timedelta(days=settings.PORTAL_INVITATION_DAYS)
    partnership = Partnership(
        provider=partner,
        status=Partnership.Status.INVITED,
        email=(email or "").strip().lower(),
        message=(message or "").strip(),
        token_hash=hashed,
        expires_at=expires_at,
        invited_by=actor,
    )
    partnership.full_clean(exclude=["reseller"], validate_constraints=False)
    link = partnership_link(token)
    with transaction.atomic():
        partnership.save()
        email_enqueue(
            to=partnership.email,
            subject=str(_("%(provider)s invites you to a partnership") % {"provider": partner.name}),
            body=render_to_string(
                "relationships/partnership_request_email.txt",
                {"partnership": partnership, "provider": partner, "link": link, "actor": actor},
            ),
            partner=partner,
            topic="partnership",
            secret=token,
        )
        activity_record(
            action=Actions.PARTNERSHIP_REQUEST,
            actor=actor,
            after={"email": partnership.email, "expires_at": expires_at.isoformat()},
        )
    return partnership, token


def partnership_by_token(token: str) -> Partnership | None:
    """The partnership a link names, or None for an unknown link."""
    if not token or len(token) > 200:
        return None
    return Partnership.objects.select_related("provider", "reseller").filter(token_hash=token_hash(token)).first()


def partnership_link_problem(partnership: Partnership, *, user: User) -> str | None:
    """Why the user cannot authorize this link for their partner now (None when they can)."""
    partner = user.partner
    if partnership.status == Partnership.Status.REMOVED and partnership.activated_at is None:
        return str(LINK_WITHDRAWN)
    if partnership.status != Partnership.Status.INVITED:
        return str(LINK_USED)
    if partnership.expires_at is not None and partnership.expires_at <= timezone.now():
        return str(LINK_EXPIRED)
    if not policy.has_action(user, Action.AUTHORIZE_PARTNERSHIP):
        return str(NOT_A_RESELLER)
    if Partnership.objects.filter(
        provider_id=partnership.provider_id, reseller=partner, status=Partnership.Status.ACTIVE
    ).exists():
        return str(ALREADY_PARTNERS)
    return None


def partnership_authorize(*, actor: User, token: str) -> Partnership:
    """Make the link's partnership active between its provider and the actor's reseller organisation (once)."""
    partner = actor.partner
    assert partner is not None  # partner staff only: the policy gives users without a partner no actions
    partnership = partnership_by_token(token)
    if partnership is None:
        raise ValidationError(_("This partnership link is not valid."), code="unknown")
    problem = partnership_link_problem(partnership, user=actor)
    if problem:
        raise ValidationError(problem, code="unavailable")
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                # The conditional update is the lock: of concurrent clicks exactly one finds the row still invited.
                updated = Partnership.objects.filter(
                    pk=partnership.pk,
                    token_hash=partnership.token_hash,
                    status=Partnership.Status.INVITED,
                    expires_at__gt=now,
                ).update(status=Partnership.Status.ACTIVE, reseller=partner, activated_at=now, authorized_by=actor)
        except IntegrityError as exc:
            raise ValidationError(ALREADY_PARTNERS, code="already_partners") from exc
        if not updated:
            partnership.refresh_from_db()
            raise ValidationError(partnership_link_problem(partnership, user=actor) or LINK_USED, code="used")
        partnership.refresh_from_db()
        for own in (partner, partnership.provider):
            activity_record(
                action=Actions.PARTNERSHIP_AUTHORIZE,
                actor=actor,
                partner=own,
                after={"provider": partnership.provider.name, "reseller": partner.name},
            )
            event_emit(EventType.PARTNERSHIP_AUTHORIZED, partner=own, resource=partnership)
        if partnership.invited_by and partnership.invited_by.is_active:
            email_enqueue(
                to=partnership.invited_by.email,
                subject=str(_("%(reseller)s authorized your partnership") % {"reseller": partner.name}),
                body=render_to_string(
                    "relationships/partnership_authorized_email.txt",
                    {"partnership": partnership, "reseller": partner, "actor": actor},
                ),
                partner=partnership.provider,
                topic="partnership",
            )
    return partnership


def partnership_remove(*, actor: User, partnership: Partnership) -> Partnership:
    """End the provider's partnership (or withdraw its pending request); customer relationships stay as they are."""
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        if locked.provider_id != actor.partner_id:
            raise ValidationError(_("Only the indirect provider can remove this partnership."), code="not_provider")
        if locked.status == Partnership.Status.REMOVED:
            raise ValidationError(_("This partnership has already been removed."), code="already_removed")
        before = locked.status
        locked.status = Partnership.Status.REMOVED
        locked.removed_at = timezone.now()
        locked.save(update_fields=["status", "removed_at"])
        activity_record(
            action=Actions.PARTNERSHIP_REMOVE,
            actor=actor,
            before={"status": before},
            after={"status": locked.status, "reseller": locked.reseller.name if locked.reseller else locked.email},
        )
        for own in (locked.provider_id, locked.reseller_id):
            event_emit(EventType.PARTNERSHIP_REMOVED, partner=own, resource=locked)
    return locked


def partnership_list(*, user: User) -> QuerySet:
    """A provider's resellers (requested, active, removed) or a reseller's providers; nothing for others."""
    mine = policy.restrict(Partnership.objects.all(), user, Action.MANAGE_PARTNERSHIPS)
    return mine.select_related("reseller", "invited_by", "provider", "authorized_by")
