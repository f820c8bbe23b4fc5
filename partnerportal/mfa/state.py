"""Per-session MFA state: what the session still owes, when its user last confirmed who they are."""

from __future__ import annotations

import time

import django_otp
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django_otp.models import Device

from partnerportal.mfa.selectors import STATE_DONE

MFA_STATE = "portal_mfa"
REAUTH_AT = "portal_reauth_at"


def reauth_stamp(session: SessionBase) -> None:
    """Record that the user has just proven who they are (a password at sign-in or re-authentication, or a code)."""
    session[REAUTH_AT] = int(time.time())


def reauth_fresh(request: HttpRequest) -> bool:
    """Whether the session's user confirmed a password or code within the last PORTAL_REAUTH_SECONDS."""
    confirmed_at = request.session.get(REAUTH_AT)
    return confirmed_at is not None and int(time.time()) - confirmed_at < settings.PORTAL_REAUTH_SECONDS


def session_verified(request: HttpRequest, device: Device) -> None:
    """Mark the session as verified by `device`: a new session key (the old one dies), the device, a fresh re-auth."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[MFA_STATE] = STATE_DONE
    reauth_stamp(request.session)
