"""Writes of sign-in state: ending a user's sessions, the sign-in events of the activity log."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils import timezone

from activity.services import Actions, activity_record
from partnerportal.accounts.models import PortalSession
from partnerportal.infrastructure.ratelimit import rate_limit_hit
from partnerportal.models import SetPasswordToken, User


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Delete every session of `user` (except `keep_session_key`, the caller's own); return how many ended.

    Called inside the transaction of the change that makes the sessions stale (deactivation, a role or scope
    change, a new password, an MFA reset), so the change and the sign-out commit together.
    """
    sessions = PortalSession.objects.filter(user_id=user.pk)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    deleted, _ = sessions.delete()
    return deleted


def _user_for_email(email: str) -> User | None:
    if not email:
        return None
    return User.objects.select_related("partner").filter(email__iexact=email.strip()[:254]).first()


def sign_in_record(*, user: User) -> None:
    """Log a successful sign-in."""
    activity_record(action=Actions.AUTH_SIGN_IN, actor=user, partner=user.partner, after={"email": user.email})


def sign_in_failed_record(*, email: str) -> None:
    """Log a failed sign-in, under the partner of the account it named (if any), with the address typed."""
    user = _user_for_email(email)
    activity_record(
        action=Actions.AUTH_SIGN_IN_FAILED,
        partner=user.partner if user is not None else None,
        after={"email": (email or "")[:254]},
    )


def lockout_record(*, email: str) -> None:
    """Log that an account or a client address was locked out after repeated failures."""
    user = _user_for_email(email)
    activity_record(
        action=Actions.AUTH_LOCKOUT,
        partner=user.partner if user is not None else None,
        after={"email": (email or "")[:254]},
    )


def sign_out_record(*, user: User) -> None:
    """Log a sign-out."""
    activity_record(action=Actions.AUTH_SIGN_OUT, actor=user, partner=user.partner, after={"email": user.email})


@transaction.atomic
def password_changed(*, user: User, keep_session_key: str | None) -> None:
    """After a user changed their own password: end their other sessions and log it."""
    user_sessions_end(user=user, keep_session_key=keep_session_key)
    activity_record(action=Actions.AUTH_PASSWORD_CHANGE, actor=user, partner=user.partner, after={"email": user.email})


@transaction.atomic
def password_reset_completed(*, user: User) -> None:
    """After a password was set through an emailed reset link: end every session of the user and log it."""
    user_sessions_end(user=user)
    activity_record(action=Actions.AUTH_PASSWORD_RESET, actor=user, partner=user.partner, after={"email": user.email})


def password_reset_allowed(*, email: str, address: str | None) -> bool:
    """Count one password-reset request against its email address and its client; False when either is over.

    The address is stored only as a digest in the counter key. Both counters always count, so spreading requests
    over many addresses or many clients does not dodge the other limit.
    """
    email_limit, email_window = settings.PORTAL_PASSWORD_RESET_RATE_LIMIT_EMAIL
    client_limit, client_window = settings.PORTAL_PASSWORD_RESET_RATE_LIMIT_ADDRESS
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()
    by_email = rate_limit_hit(key=f"password-reset:email:{digest}", limit=email_limit, seconds=email_window)
    by_client = rate_limit_hit(key=f"password-reset:client:{address or '-'}", limit=client_limit, seconds=client_window)
    return by_email.allowed and by_client.allowed


@transaction.atomic
def password_reset_use(*, user: User, token: str, password: str) -> User | None:
    """Set a password through a "forgot password" link, once even under concurrent submits; None when the link is
    no longer valid. Every session of the user ends and the reset is logged.

    Django's reset token stays valid until the password (or last sign-in) changes, so two submissions that both
    checked it before either saved would both succeed. Locking the user row and checking the token again against
    the locked row makes the first one to commit the only one: the others then see the new password hash, which
    the token no longer matches.
    """
    locked = User.objects.select_for_update().filter(pk=user.pk, is_active=True).first()
    if locked is None or not default_token_generator.check_token(locked, token):
        return None
    locked.set_password(password)
    locked.save(update_fields=["password"])
    SetPasswordToken.objects.filter(user=locked, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    password_reset_completed(user=locked)
    return locked


@transaction.atomic
def user_time_zone_set(*, user: User, time_zone: str) -> None:
    """Store the user's own time zone ("" for their market's). A personal display preference: no activity entry,
    like the language cookie, since it grants and changes nothing anyone else sees."""
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
