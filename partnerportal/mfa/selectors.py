"""Reads of multi-factor state: a user's authenticator and recovery codes, and whether MFA is required of them."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnerportal.models import User

# What a signed-in session still owes (stored in the session under state.MFA_STATE).
STATE_NONE = "none"  # no authenticator and none required: the password was enough
STATE_VERIFY = "verify"  # has an authenticator: a code must be entered before anything else
STATE_ENROL = "enrol"  # MFA required and no authenticator yet: set one up before anything else
STATE_DONE = "done"  # verified with a code in this session


def totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def totp_device_pending(user: User) -> TOTPDevice | None:
    """The authenticator the user started to set up and has not confirmed with a code yet."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_device(user: User) -> StaticDevice | None:
    """The user's set of recovery codes (one django-otp static device)."""
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def mfa_enrolled(user: User) -> bool:
    """Whether the user has a confirmed authenticator."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_required(user: User) -> bool:
    """Whether the deployment (PORTAL_REQUIRE_MFA) or the user's partner requires a second factor of them."""
    if settings.PORTAL_REQUIRE_MFA:
        return True
    return bool(user.partner_id and user.partner is not None and user.partner.require_mfa)


def mfa_sign_in_state(user: User) -> str:
    """What a session that has just passed the password step still owes: a code, an enrolment, or nothing."""
    if mfa_enrolled(user):
        return STATE_VERIFY
    if mfa_required(user):
        return STATE_ENROL
    return STATE_NONE
