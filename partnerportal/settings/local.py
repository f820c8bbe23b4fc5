"""Settings for a developer's machine (`make run`)."""

import os

from .base import *  # noqa: F403 -- settings modules extend the base namespace by design
from .base import BASE_DIR

DEBUG = True
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "local-development-only-not-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Without an SMTP server configured, mail is written to var/mail/ where a developer can open it
# (the invitation link is in the message body).
if not os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
# runserver serves static files from the finders; no collectstatic needed for development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The demo users are not enrolled: a second factor is asked only of users who set one up, or of a partner's staff
# when that partner requires it (staff › Security settings).
PORTAL_REQUIRE_MFA = False
# A developer's receiver runs on this machine over plain HTTP.
PORTAL_WEBHOOKS_ALLOW_PRIVATE = True
PORTAL_WEBHOOKS_ALLOW_HTTP = True
