"""Settings for the test suite: real PostgreSQL, fast password hashing, tasks run by the worker under test."""

import os

from .base import *  # noqa: F403 -- settings modules extend the base namespace by design
from .base import DATABASES

SECRET_KEY = "test-only-not-secret"  # noqa: S105 -- a fixed key for tests only
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Several test runs may share one server (a developer's `make run` beside `make test`, parallel workers):
# the suffix keeps their test databases apart.
DATABASES["default"]["TEST"] = {"NAME": "test_partnerportal" + os.environ.get("TEST_DB_SUFFIX", "")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Retries of a failed email come after a fraction of a second, so the queue tests run quickly.
PORTAL_EMAIL_RETRY_SECONDS = 0.2
# Serve static files straight from the finders (no collectstatic in tests; the browser tests need them).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# django-axes logs every failed sign-in as a warning; the lockout tests make hundreds of them on purpose.
LOGGING = {**LOGGING, "loggers": {"axes": {"level": "ERROR"}}}  # noqa: F405 -- LOGGING comes from base
# Tests that need the deployment-wide requirement turn it on themselves.
PORTAL_REQUIRE_MFA = False
# Users without a zone of their own read UTC, the zone the tests compute "today" in, so a date rule ("not in the
# future") does not depend on the hour the suite runs; the time zone tests turn the market default on.
PORTAL_TIME_ZONE_FROM_MARKET = False
# Webhook tests use a receiver on 127.0.0.1 over plain HTTP, and retry after a fraction of a second.
PORTAL_WEBHOOKS_ALLOW_PRIVATE = True
PORTAL_WEBHOOKS_ALLOW_HTTP = True
PORTAL_WEBHOOK_RETRY_SECONDS = 0.2
PORTAL_WEBHOOK_TIMEOUT_SECONDS = 2
# Once per process: a re-read between two requests of one test would add a query to the second.
PORTAL_SEARCH_STATISTICS_MAX_AGE = None
