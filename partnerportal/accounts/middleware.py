"""Session lifetime: a signed-in session ends after an idle period and, however busy, after an absolute lifetime."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext_lazy as _

SIGNED_IN_AT = "portal_signed_in_at"
LAST_SEEN = "portal_last_seen"
# The last-seen time is rewritten at most this often, so a busy page costs no session write per request; the idle
# timeout is therefore exact to within this many seconds.
LAST_SEEN_RESOLUTION = 60
SESSION_EXPIRED = _("Your session has expired. Please sign in again.")


def session_lifetime_start(session) -> None:
    """Stamp a session that has just been signed into (called on every sign-in)."""
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


class SessionLifetimeMiddleware:
    """Sign out a session idle longer than `PORTAL_SESSION_IDLE_SECONDS` or older than `PORTAL_SESSION_MAX_SECONDS`.

    Sits after the authentication middleware and before `LoginRequiredMiddleware`, which then sends the now
    anonymous request to the login page. A signed-in session without a sign-in time (one from before this rule)
    counts as expired.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.get(SIGNED_IN_AT)
            last_seen = request.session.get(LAST_SEEN, signed_in_at)
            if (
                signed_in_at is None
                or now - signed_in_at >= settings.PORTAL_SESSION_MAX_SECONDS
                or now - last_seen >= settings.PORTAL_SESSION_IDLE_SECONDS
            ):
                logout(request)
                messages.info(request, SESSION_EXPIRED)
            elif now - last_seen >= LAST_SEEN_RESOLUTION:
                # Saving the session also renews its cookie and its row's expiry (SESSION_COOKIE_AGE = idle time).
                request.session[LAST_SEEN] = now
        return self.get_response(request)
