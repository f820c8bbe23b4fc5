"""Signal receivers: sign-in, failed sign-in, lockout and sign-out become activity entries."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from partnerportal.accounts import services
from partnerportal.accounts.middleware import session_lifetime_start


def _on_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_lifetime_start(request.session)
    services.sign_in_record(user=user)


def _on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None and getattr(user, "pk", None):
        services.sign_out_record(user=user)


def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is None:
        # Authentication outside a request (a shell, a test client's login()) is not a sign-in attempt.
        return
    services.sign_in_failed_record(email=str(credentials.get("username") or ""))


def _on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    services.lockout_record(email=str(username or ""))


def connect() -> None:
    user_logged_in.connect(_on_logged_in, dispatch_uid="accounts.sign_in")
    user_logged_out.connect(_on_logged_out, dispatch_uid="accounts.sign_out")
    user_login_failed.connect(_on_login_failed, dispatch_uid="accounts.sign_in_failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="accounts.lockout")
