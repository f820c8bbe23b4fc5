"""On every sign-in (the password step): note in the session what it still owes, and that the password was just
entered (a fresh confirmation for re-authentication)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in

from partnerportal.mfa import selectors
from partnerportal.mfa.state import MFA_STATE, reauth_stamp


def _on_logged_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if getattr(user, "otp_device", None) is not None:
        # Signed in with the code in the same form (the admin's login): verified already.
        request.session[MFA_STATE] = selectors.STATE_DONE
    else:
        request.session[MFA_STATE] = selectors.mfa_sign_in_state(user)
    reauth_stamp(request.session)


def connect() -> None:
    user_logged_in.connect(_on_logged_in, dispatch_uid="mfa.sign_in_state")
