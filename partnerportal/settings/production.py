"""Production settings: refuse to start without a secret key, allowed hosts, a database URL and the public base URL."""

import os
import re

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403 -- settings modules extend the base namespace by design
from .base import ALLOWED_HOSTS, SECRET_KEY

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random string of at least 50 characters.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names the portal answers to.")
# Two database roles (README, Database): DATABASE_URL is the portal's own — neither superuser nor owner of the
# tables, it may only read and add to the activity log (`check --deploy` warns otherwise, partnerportal.W101–W103);
# DATABASE_OWNER_URL is the owner of the database and its tables, set only in the environment that runs
# `manage.py migrate` (which migrates as the owner and then grants the portal role its privileges). The web process
# and the worker never get the owner's credentials.
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must point at the production PostgreSQL server.")
# Every emailed link (invitations, restores, partnerships, set-password) starts with it; the development default
# would mail links to a machine that is not the portal.
if not re.fullmatch(r"https://[^\s/?#]+(/[^\s?#]*)?", os.environ.get("PORTAL_BASE_URL", "")):
    raise ImproperlyConfigured(
        "PORTAL_BASE_URL must be the portal's public https:// address (e.g. https://portal.example.com)."
    )

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# Load-balancer health checks and the Prometheus scraper reach gunicorn directly over plain HTTP (docs/deploy.md).
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# X_FRAME_OPTIONS, SECURE_CONTENT_TYPE_NOSNIFF, SECURE_REFERRER_POLICY and the Content-Security-Policy come from base.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Every staff user and operator signs in with a second factor unless the deployment says otherwise explicitly.
PORTAL_REQUIRE_MFA = env_bool("PORTAL_REQUIRE_MFA", True)  # noqa: F405 -- env_bool comes from base
