"""Writes of multi-factor state: enrolment, recovery codes, verification with throttling, admin reset, requirement.

Recovery codes are stored as django-otp static tokens, but never in clear: the token column holds the first 16 hex
digits of the code's SHA-256 digest (64 bits; a code has 80 random bits), so a copy of the table reveals no code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from activity.services import Actions, activity_record
from partnerportal.accounts.services import user_sessions_end
from partnerportal.infrastructure.ratelimit import rate_limit_hit
from partnerportal.infrastructure.tokens import token_hash
from partnerportal.models import Partner, User

RECOVERY_CODE_COUNT = 10
# 16 characters of this alphabet are 80 random bits; shown in groups of four ("k7qm-2xwd-…").
RECOVERY_CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: nothing to misread
RECOVERY_CODE_LENGTH = 16
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Re-authentication by password: at most this many tries per user in each window of REAUTH_WINDOW seconds.
REAUTH_PASSWORD_LIMIT = 10
REAUTH_WINDOW = 900


def recovery_code_normalise(code: str) -> str:
    """A typed recovery code without spaces, dashes or case."""
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())[:64]


def recovery_code_digest(code: str) -> str:
    """What the static-token column stores for a recovery code (it holds at most 16 characters)."""
    return token_hash(recovery_code_normalise(code))[:16]


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def _recovery_codes_replace(user: User) -> list[str]:
    """Delete the user's recovery codes and store a fresh set (as digests); return the codes, to be shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_code_digest(code)) for code in codes)
    return codes


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """Begin setting up an authenticator: a new unconfirmed TOTP device (an earlier unconfirmed one is dropped).

    A confirmed authenticator the user already has keeps working until the new one is confirmed.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_device_confirm(
    *, user: User, code: str, keep_session_key: str | None = None
) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending authenticator with a current code from it; None when there is none or the code is wrong.

    On success the new device replaces any earlier authenticator and every recovery code, 10 new codes are made
    (returned, to be shown once), the user's other sessions end (they were signed in under the old factor) and the
    enrolment is logged.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None or not device.verify_token(_digits(code)):
        return None
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()[0] > 0
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user)
    user_sessions_end(user=user, keep_session_key=keep_session_key)
    activity_record(
        action=Actions.MFA_ENROL, actor=user, after={"email": user.email, "replaced_authenticator": replaced}
    )
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's recovery codes by 10 new ones (returned, to be shown once); the old ones stop working."""
    codes = _recovery_codes_replace(user)
    activity_record(action=Actions.MFA_RECOVERY_CODES_REGENERATE, actor=user, after={"email": user.email})
    return codes


@dataclass(frozen=True)
class VerifyOutcome:
    """The result of checking a code: the device that accepted it, or how long the account still refuses codes."""

    device: Device | None
    method: str = ""  # "totp" or "recovery_code" when accepted
    locked_seconds: int = 0


def _digits(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())[:32]


def _locked_seconds(devices: list[Device]) -> int:
    """Seconds the user's codes stay refused: PORTAL_MFA_FAILURE_LIMIT failures (counted on the devices by
    django-otp's throttling fields) lock every code until PORTAL_MFA_LOCKOUT_SECONDS after the last of them."""
    failures = sum(device.throttling_failure_count for device in devices)
    if failures < settings.PORTAL_MFA_FAILURE_LIMIT:
        return 0
    stamps = [device.throttling_failure_timestamp for device in devices if device.throttling_failure_timestamp]
    if not stamps:
        return 0
    left = settings.PORTAL_MFA_LOCKOUT_SECONDS - (timezone.now() - max(stamps)).total_seconds()
    return max(0, int(left + 0.999))


@transaction.atomic
def mfa_code_check(*, user: User, code: str, purpose: str = "sign_in") -> VerifyOutcome:
    """Check a second-factor code of `user`: a current TOTP code (never the same one twice) or an unused recovery
    code (used up by this). Wrong codes are counted and logged; after PORTAL_MFA_FAILURE_LIMIT of them every code,
    the right one too, is refused for PORTAL_MFA_LOCKOUT_SECONDS. The user's devices are locked while checking, so
    concurrent requests cannot both use one code.
    """
    totp = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"))
    static = list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"))
    devices: list[Device] = [*totp, *static]
    if not totp:
        return VerifyOutcome(device=None)
    locked = _locked_seconds(devices)
    if locked:
        return VerifyOutcome(device=None, locked_seconds=locked)
    typed = _digits(code)
    accepted: Device | None = None
    method = ""
    if typed.isdigit() and len(typed) <= 8:
        accepted = next((device for device in totp if device.verify_token(typed)), None)
        method = "totp"
    elif static:
        digest = recovery_code_digest(typed)
        accepted = next((device for device in static if device.verify_token(digest)), None)
        method = "recovery_code"
    if accepted is None:
        if method == "":
            # No device looked at the code (no recovery codes left): it still counts as a wrong code.
            totp[0].throttle_increment(commit=True)
        activity_record(action=Actions.MFA_FAILED, actor=user, after={"email": user.email, "purpose": purpose})
        devices = [*TOTPDevice.objects.filter(user=user, confirmed=True), *StaticDevice.objects.filter(user=user)]
        return VerifyOutcome(device=None, locked_seconds=_locked_seconds(devices))
    # One limit for both kinds of code: a right code clears the failures counted on every device.
    for device in devices:
        if device is not accepted and device.throttling_failure_count:
            device.throttle_reset(commit=True)
    if method == "recovery_code":
        activity_record(
            action=Actions.MFA_RECOVERY_CODE_USED,
            actor=user,
            after={"email": user.email, "codes_left": StaticToken.objects.filter(device__user=user).count()},
        )
    return VerifyOutcome(device=accepted, method=method)


def sign_in_verified_record(*, user: User, method: str) -> None:
    """Log that a sign-in was completed with a second factor."""
    activity_record(action=Actions.MFA_VERIFY, actor=user, after={"email": user.email, "method": method})


def password_reauth_check(*, user: User, password: str) -> bool:
    """Check the password of a signed-in user who confirms who they are (users without an authenticator);
    at most REAUTH_PASSWORD_LIMIT tries per REAUTH_WINDOW seconds."""
    hit = rate_limit_hit(key=f"reauth:user:{user.pk}", limit=REAUTH_PASSWORD_LIMIT, seconds=REAUTH_WINDOW)
    return hit.allowed and user.has_usable_password() and check_password(password or "", user.password)


@transaction.atomic
def mfa_reset(*, actor: User, user: User) -> int:
    """A global admin removes a staff user's authenticator and recovery codes; every session of the user ends.

    Returns how many sessions ended. The user signs in with their password next time (and sets up a new
    authenticator if MFA is required).
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    had_authenticator = TOTPDevice.objects.filter(user=locked).delete()[0] > 0
    StaticDevice.objects.filter(user=locked).delete()
    ended = user_sessions_end(user=locked)
    activity_record(
        action=Actions.MFA_RESET,
        actor=actor,
        partner=actor.partner,
        after={"email": locked.email, "had_authenticator": had_authenticator, "sessions_ended": ended},
    )
    return ended


@transaction.atomic
def partner_mfa_requirement_set(*, actor: User, partner: Partner, required: bool) -> Partner:
    """Turn "require MFA for all staff" on or off for a partner (a global admin's setting); logged when it changes.

    It applies from each user's next sign-in: then a user without an authenticator must set one up first.
    """
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    if locked.require_mfa != required:
        before = locked.require_mfa
        locked.require_mfa = required
        locked.save(update_fields=["require_mfa"])
        activity_record(
            action=Actions.MFA_REQUIREMENT_CHANGE,
            actor=actor,
            partner=locked,
            before={"require_mfa": before},
            after={"require_mfa": required},
        )
    return locked
