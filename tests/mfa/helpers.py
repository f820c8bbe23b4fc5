"""Test helpers for multi-factor sign-in: enrol a user through the services, compute real TOTP codes from the
device key, and mark a test client's session as verified (the counterpart of `client.force_login`)."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnerportal.mfa import services
from partnerportal.mfa.selectors import STATE_DONE
from partnerportal.mfa.state import MFA_STATE
from partnerportal.models import User


def totp_code(device: TOTPDevice, *, at: float | None = None, steps: int = 0) -> str:
    """The code the user's authenticator app (its clock right) shows at `at` (now by default), `steps` steps later."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = (at if at is not None else time.time()) + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def mfa_enrol(user: User, *, keep_session_key: str | None = None) -> tuple[TOTPDevice, list[str]]:
    """Enrol `user` through the services as the set-up page does; return the confirmed device and the recovery codes.

    The confirming code is the previous time step's (within django-otp's tolerance), so the current code stays
    unused for the test that follows; the clock drift django-otp learnt from it is then set back to none.
    """
    device = services.totp_device_start(user=user)
    result = services.totp_device_confirm(
        user=user, code=totp_code(device, steps=-1), keep_session_key=keep_session_key
    )
    assert result is not None
    device, codes = result
    TOTPDevice.objects.filter(pk=device.pk).update(drift=0)
    device.refresh_from_db()
    return device, codes


def login_verified(client: Client, user: User) -> Client:
    """`force_login`, then mark the session verified by the user's authenticator (as a code entered at sign-in)."""
    client.force_login(user)
    return session_verify(client, user)


def session_verify(client: Client, user: User) -> Client:
    """Mark the client's signed-in session verified by the user's authenticator."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[MFA_STATE] = STATE_DONE
    session.save()
    return client
