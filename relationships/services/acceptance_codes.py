"""The mailbox check before an invitation is accepted: a one-time code emailed to the invited address.

A link alone proves nothing (partner staff see it when they send it), so whoever accepts first enters a 6-digit
code mailed to the invitation's address. A code is stored only as a keyed hash, works for 15 minutes, for 5 tries
and once; a new code replaces the previous one. Each try is one conditional UPDATE, so concurrent guesses cannot
share the last try and two right answers confirm once. Sending is rate limited per invitation and per client.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Sum, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from partnerportal.infrastructure.emails import email_enqueue, email_render, email_unsent_withdraw
from partnerportal.infrastructure.ratelimit import rate_limit_hit
from relationships.models import AcceptanceCode, Invitation

CODE_DIGITS = 6
CODE_VALID_FOR = AcceptanceCode.VALID_FOR
MAX_TRIES = AcceptanceCode.MAX_TRIES

CODE_NONE = _("Send yourself a code first: it goes to the invited address.")
CODE_WRONG = _("That code is not right. Check the newest email; %(left)s tries left.")
CODE_TRIES_USED = _("Too many wrong tries for this code. Send yourself a new code.")
CODE_EXPIRED = _("This code has expired. Send yourself a new code.")
CODE_USED = _("This code was already used. Send yourself a new code.")
CODE_REPLACED = _("A newer code was sent: enter the code from the newest email.")
CODE_FORMAT = _("Enter the 6-digit code from the email.")
CODES_SPENT = _(
    "Too many wrong codes were entered for this invitation, so no more codes are sent. Ask %(partner)s to send you a "
    "new invitation."
)


class CodeRefused(Exception):
    """A code was not accepted; `message` says why, for the code field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CodesSpent(Exception):
    """The invitation's codes took all the tries an invitation allows; `message` says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CodeSendLimited(Exception):
    """Too many codes were asked for; `retry_after` is the number of seconds until another may be sent."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def acceptance_code_hash(*, invitation_id: int, code: str) -> str:
    """The stored form of a code: HMAC-SHA256 keyed with SECRET_KEY, bound to the invitation."""
    return salted_hmac("relationships.AcceptanceCode", f"{invitation_id}:{code}", algorithm="sha256").hexdigest()


def masked_address(email: str) -> str:
    """The address as the acceptance page shows it to anyone holding the link: "j***@contoso.com"."""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def acceptance_code_store(*, invitation: Invitation, code: str, client_address: str | None = None) -> AcceptanceCode:
    """Record a new code for the invitation (hashed) and retire every earlier unconfirmed one.

    The one place a code row is written: `acceptance_code_send` calls it (and logs and emails the code); the tests'
    factory calls it to make a code they know, hashed the same way.
    """
    now = timezone.now()
    AcceptanceCode.objects.filter(invitation=invitation, verified_at__isnull=True, replaced_at__isnull=True).update(
        replaced_at=now
    )
    return AcceptanceCode.objects.create(
        invitation=invitation,
        code_hash=acceptance_code_hash(invitation_id=invitation.pk, code=code),
        created_at=now,
        expires_at=now + CODE_VALID_FOR,
        client_address=client_address,
    )


def _send_limits(invitation: Invitation, client_address: str | None) -> None:
    """Count this request against both send limits (each count commits on its own); CodeSendLimited when over."""
    checks = [
        (f"acceptance-code:invitation:{invitation.pk}", settings.PORTAL_ACCEPTANCE_CODE_RATE_LIMIT_INVITATION),
        (f"acceptance-code:addr:{client_address or 'unknown'}", settings.PORTAL_ACCEPTANCE_CODE_RATE_LIMIT_ADDRESS),
    ]
    for key, (limit, seconds) in checks:
        result = rate_limit_hit(key=key, limit=limit, seconds=seconds)
        if not result.allowed:
            raise CodeSendLimited(result.retry_after)


def _code_email_enqueue(invitation: Invitation, code: str) -> None:
    """Queue the email with the code; the outbox keeps the code apart from the body and blanks it once delivered."""
    topic = f"acceptance-code:{invitation.pk}"
    # An earlier code not yet delivered is dead: do not send it any more.
    email_unsent_withdraw(topic=topic)
    subject, body = email_render(
        subject_template="relationships/email/acceptance_code_subject.txt",
        body_template="relationships/email/acceptance_code.txt",
        context={
            "code": code,
            "partner": invitation.partner.name,
            "minutes": int(CODE_VALID_FOR.total_seconds() // 60),
        },
    )
    email_enqueue(to=invitation.email, subject=subject, body=body, partner=invitation.partner, topic=topic, secret=code)


def acceptance_code_send(*, invitation: Invitation, client_address: str | None = None) -> AcceptanceCode:
    """Email a fresh code to the invitation's address, replacing any earlier one.

    Raises CodeSendLimited past the per-invitation or per-client limit (nothing is written then, but the request
    still counts), CodesSpent once the invitation's codes took `AcceptanceCode.MAX_TRIES_PER_INVITATION` tries.
    The caller has checked that the invitation is still open.
    """
    _send_limits(invitation, client_address)
    spent = AcceptanceCode.objects.filter(invitation=invitation).aggregate(total=Sum("tries"))["total"] or 0
    if spent >= AcceptanceCode.MAX_TRIES_PER_INVITATION:
        raise CodesSpent(str(CODES_SPENT % {"partner": invitation.partner.name}))
    code = "".join(secrets.choice("0123456789") for _digit in range(CODE_DIGITS))
    with transaction.atomic():
        row = acceptance_code_store(invitation=invitation, code=code, client_address=client_address)
        _code_email_enqueue(invitation, code)
        activity_record(
            action=Actions.INVITATION_CODE_SEND,
            partner=invitation.partner,
            customer=invitation.customer,
            after={"invitation": invitation.pk, "email": invitation.email, "expires_at": row.expires_at.isoformat()},
        )
    return row


def _refusal(row: AcceptanceCode) -> str:
    """Why a code row takes no more tries."""
    if row.verified_at is not None:
        return str(CODE_USED)
    if row.replaced_at is not None:
        return str(CODE_REPLACED)
    if row.expires_at <= timezone.now():
        return str(CODE_EXPIRED)
    return str(CODE_TRIES_USED)


def acceptance_code_verify(*, invitation: Invitation, code: str) -> AcceptanceCode:
    """Try a code against the invitation's newest one; return it confirmed, or raise CodeRefused.

    A wrong code uses up one of the code's tries (counted and logged before the refusal is raised); a code that
    takes no more tries (used, replaced, expired, out of tries) or is not 6 digits changes nothing.
    """
    row, refusal = _code_try(invitation=invitation, code="".join((code or "").split()))
    if refusal:
        raise CodeRefused(refusal)
    assert row is not None  # no refusal: the code was confirmed
    return row


@transaction.atomic
def _code_try(*, invitation: Invitation, code: str) -> tuple[AcceptanceCode | None, str]:
    """One try: the confirmed code, or the refusal to show next to the field.

    One conditional UPDATE takes the try and, when the code is right, confirms it: PostgreSQL re-checks its WHERE
    on the locked row, so of concurrent tries only those within the limit count, and of concurrent right answers
    only the first confirms.
    """
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        return None, str(CODE_FORMAT)
    row = AcceptanceCode.objects.filter(invitation=invitation).order_by("-created_at", "-id").first()
    if row is None:
        return None, str(CODE_NONE)
    now = timezone.now()
    hashed = acceptance_code_hash(invitation_id=invitation.pk, code=code)
    took = AcceptanceCode.objects.filter(
        pk=row.pk, verified_at__isnull=True, replaced_at__isnull=True, expires_at__gt=now, tries__lt=MAX_TRIES
    ).update(
        tries=F("tries") + 1,
        verified_at=Case(When(code_hash=hashed, then=Value(now)), default=Value(None)),
    )
    row.refresh_from_db()
    if took != 1:
        return None, _refusal(row)
    if row.verified_at is None:  # this try set verified_at unless the code was wrong (the WHERE required NULL)
        activity_record(
            action=Actions.INVITATION_CODE_WRONG,
            partner=invitation.partner,
            customer=invitation.customer,
            after={"invitation": invitation.pk, "tries": row.tries},
        )
        left = MAX_TRIES - row.tries
        return None, str(CODE_WRONG % {"left": left}) if left else str(CODE_TRIES_USED)
    activity_record(
        action=Actions.INVITATION_CODE_VERIFY,
        partner=invitation.partner,
        customer=invitation.customer,
        after={"invitation": invitation.pk, "email": invitation.email, "tries": row.tries},
    )
    return row, ""
