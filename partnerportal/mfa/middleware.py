"""The second-factor gate: a signed-in session that still owes a code (or an enrolment) reaches only a few pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.http import urlencode

from partnerportal.mfa import selectors
from partnerportal.mfa.state import MFA_STATE

# What a session that owes its code may reach: the code page, sign-out, the language switch.
VERIFY_ALLOWED = frozenset({"mfa:verify", "logout", "set_language"})
# What a session that must first set up an authenticator may reach: the set-up pages, sign-out, the language switch.
ENROL_ALLOWED = frozenset({"mfa:overview", "mfa:setup", "mfa:confirm", "mfa:reauth", "logout", "set_language"})


def _route_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


class MFAMiddleware:
    """Send a signed-in session that has not entered its code to the code page, and one that must enrol to the
    set-up page, whatever it asks for (static files excepted); JSON requests get a 403.

    What a session owes is decided once, at the password step (`receivers`), and kept in the session, so an ordinary
    request costs no query here. A session marked verified whose device is gone (re-enrolled elsewhere) owes a code
    again; a session from before this rule is decided on its first request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            state = request.session.get(MFA_STATE)
            if state is None or (state == selectors.STATE_DONE and not user.is_verified()):  # type: ignore[attr-defined]  # OTPMiddleware adds it
                state = selectors.mfa_sign_in_state(user)
                request.session[MFA_STATE] = state
            if state in (selectors.STATE_VERIFY, selectors.STATE_ENROL):
                refused = self._refuse(request, state)
                if refused is not None:
                    return refused
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, state: str) -> HttpResponse | None:
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        allowed = VERIFY_ALLOWED if state == selectors.STATE_VERIFY else ENROL_ALLOWED
        if _route_name(request) in allowed:
            return None
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"detail": "Second factor required."}, status=403)
        target = "mfa:verify" if state == selectors.STATE_VERIFY else "mfa:overview"
        response = redirect(target)
        if request.method == "GET":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
