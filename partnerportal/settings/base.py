"""Settings shared by every environment; everything that differs between deployments comes from the environment."""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list, ignoring blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    # The Django admin with the portal's site: operators sign in with a password and a one-time code.
    "partnerportal.mfa.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "csp",
    # ISO 3166-1 country names and their translations (customers/countries.py)
    "django_countries",
    "crispy_forms",
    "crispy_bootstrap5",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "partnerportal",
    "partnerportal.accounts",
    "partnerportal.mfa",
    "permissions",
    "customers",
    "relationships",
    "adminrelationships",
    "leads",
    "profiles",
    "activity",
    "partnerportal.webhooks",
    "api",
    # After partnerportal: its `db_worker` (the same worker, recording a heartbeat for /readyz) is the one that runs.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First and last (before axes): request counts and latency by view for /metrics (django-prometheus).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request's ID on the response and on every log line, and one log line per request.
    "partnerportal.infrastructure.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "partnerportal.accounts.middleware.SessionLifetimeMiddleware",
    # Dates and times in the signed-in user's zone (their own, or their partner's market's).
    "partnerportal.accounts.timezones.TimeZoneMiddleware",
    # request.user.is_verified(): whether this session confirmed a one-time code (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # A signed-in session that still owes its second factor (or its enrolment) reaches only those pages.
    "partnerportal.mfa.middleware.MFAMiddleware",
    # Django's LoginRequiredMiddleware, with a withheld feature's pages answering 404 before sign-in is asked for.
    "partnerportal.views.middleware.PortalLoginRequiredMiddleware",
    "partnerportal.infrastructure.middleware.RequestContextMiddleware",
    # With a read replica: which database the request's read-only selectors read (removes itself without one).
    "partnerportal.infrastructure.replica.ReplicaRoutingMiddleware",
    "partnerportal.infrastructure.headers.SecurityHeadersMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes requires: it turns a refused (locked-out) sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partnerportal.urls"
WSGI_APPLICATION = "partnerportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "partnerportal.context_processors.portal",
            ],
        },
    },
]

# --- Database: DATABASE_URL, or the embedded PostgreSQL server under var/ -----------------------------------
# Two roles: DATABASES is the portal's own (the web process and the worker), which may only read and add to the
# activity log; DATABASE_OWNER holds the credentials of the role that owns the tables, used by `manage.py migrate`
# alone (partnerportal/management/commands/migrate.py), or None: then migrate runs as DATABASE_URL's role, as a
# single-role deployment does (and `check --deploy` warns). Set DATABASE_OWNER_URL only where migrate runs.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    DATABASE_OWNER = (
        dj_database_url.parse(os.environ["DATABASE_OWNER_URL"]) if os.environ.get("DATABASE_OWNER_URL") else None
    )
else:
    # Only without DATABASE_URL: the embedded server is started (or reused) here, at settings time, and both of
    # its roles are created for you.
    from partnerportal.infrastructure.db import embedded_database_urls

    _portal_url, _owner_url = embedded_database_urls()
    DATABASES = {"default": dj_database_url.parse(_portal_url, conn_max_age=60)}
    DATABASE_OWNER = dj_database_url.parse(_owner_url)
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# --- Read replica (optional): DATABASE_REPLICA_URL ---------------------------------------------------------------
# A streaming replica of the primary, reached as the portal role. Read-only selectors (customer list, search,
# export, helpdesk lookup) read it unless the request is in a transaction, has written, or follows the user's own
# recent write that the replica has not replayed yet (partnerportal/infrastructure/replica.py). Without the
# variable there is no "replica" alias, no router, and the routing middleware removes itself at start-up.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    # The test suite never needs the replica: the alias reads the test database through default's settings.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["partnerportal.infrastructure.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "partnerportal.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in of a locked-out account or client address before a password is checked.
    "partnerportal.backends.PortalLockoutBackend",
    "partnerportal.backends.PortalModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# Sessions: rows of PortalSession (the user's id in an indexed column, so all of a user's sessions end in one
# DELETE). A session ends after PORTAL_SESSION_IDLE_MINUTES without a request and PORTAL_SESSION_MAX_HOURS after
# sign-in, whatever happens (partnerportal.accounts.middleware); the cookie and the row live as long as the idle time.
SESSION_ENGINE = "partnerportal.accounts.sessions"
PORTAL_SESSION_IDLE_SECONDS = int(float(os.environ.get("PORTAL_SESSION_IDLE_MINUTES", "30")) * 60)
PORTAL_SESSION_MAX_SECONDS = int(float(os.environ.get("PORTAL_SESSION_MAX_HOURS", "12")) * 3600)
SESSION_COOKIE_AGE = PORTAL_SESSION_IDLE_SECONDS

# Brute-force protection (django-axes, database handler): after AXES_FAILURE_LIMIT failed sign-ins an account
# (whatever address it is tried from) and, separately, a client address (whatever account it tries) are refused
# for AXES_COOLOFF_TIME, counted from the failure that reached the limit: tries during the lockout are refused
# without a password check and do not prolong it, so the page can tell the real time left. The portal's login and
# /admin/login/ both authenticate through the backend above, so both are covered.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("PORTAL_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("PORTAL_SIGNIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The sign-in forms post the email address as "username"; it is counted lower-cased, as sign-in matches it.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "partnerportal.accounts.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "partnerportal.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "partnerportal.infrastructure.middleware.request_client_address"
# Successful sign-ins and sign-outs are in the activity log already.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Password-reset requests: at most N per email address and N per client address in each window of S seconds.
PORTAL_PASSWORD_RESET_RATE_LIMIT_EMAIL = (int(os.environ.get("PORTAL_PASSWORD_RESET_RATE_LIMIT_EMAIL", "3")), 3600)
PORTAL_PASSWORD_RESET_RATE_LIMIT_ADDRESS = (
    int(os.environ.get("PORTAL_PASSWORD_RESET_RATE_LIMIT_ADDRESS", "10")),
    3600,
)

# Multi-factor sign-in (django-otp): TOTP authenticators and single-use recovery codes. PORTAL_REQUIRE_MFA makes it
# mandatory for every staff user and operator of the deployment (production: on); a partner can require it for its
# own staff (Partner.require_mfa). Without either, a user who enrolled an authenticator still has to use it.
PORTAL_REQUIRE_MFA = env_bool("PORTAL_REQUIRE_MFA", False)
# Wrong codes: after PORTAL_MFA_FAILURE_LIMIT of them (without a right one between) the account refuses every code,
# the right one too, for PORTAL_MFA_LOCKOUT_MINUTES from the last failure.
PORTAL_MFA_FAILURE_LIMIT = int(os.environ.get("PORTAL_MFA_FAILURE_LIMIT", "5"))
PORTAL_MFA_LOCKOUT_SECONDS = int(float(os.environ.get("PORTAL_MFA_LOCKOUT_MINUTES", "15")) * 60)
# Staff management and MFA changes need a password or code confirmed within this many seconds.
PORTAL_REAUTH_SECONDS = int(float(os.environ.get("PORTAL_REAUTH_MINUTES", "10")) * 60)
OTP_TOTP_ISSUER = os.environ.get("PORTAL_MFA_ISSUER", "Partner Portal")
# django-otp's own growing delay is off (factor 0): it would silently drop quick retries uncounted; the failures it
# counts on each device drive the fixed lockout above instead.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# guardian: direct foreign-key permission models live on Customer; no anonymous user object is needed.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
GUARDIAN_MONKEY_PATCH_GROUP = False

# --- Internationalisation -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# A user who has not chosen a time zone reads times in their partner's market's zone (partnerportal/accounts/
# timezones.py); off, such users read UTC.
PORTAL_TIME_ZONE_FROM_MARKET = True
# One date and one date-time format per language, the time zone in every date-time (partnerportal/formats/).
FORMAT_MODULE_PATH = ["partnerportal.formats"]
# Country names are django-countries' (customers/countries.py), but for the one name staff read most: the short
# form, as Partner Center writes it ("United States of America" otherwise).
COUNTRIES_OVERRIDE = {"US": _("United States")}

# --- Static files: Bootstrap comes from npm (node_modules), served by whitenoise; no CDN -------------------
STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Response headers ---------------------------------------------------------------------------------------
# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from the portal's own static files;
# no inline script or style anywhere (templates load static/js and static/css). `data:` images are Bootstrap's
# form-control icons (SVG in its stylesheet). No frames, plugins, <base> or form posts elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "frame-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
    },
}
# Browser features the portal never uses, switched off for it and anything it could embed.
PORTAL_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Email: queued through django-tasks (database backend), sent by `manage.py db_worker` --------------------
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Partner Portal <no-reply@partnerportal.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- The portal ---------------------------------------------------------------------------------------------
PORTAL_CLOUD = os.environ.get("PORTAL_CLOUD", "commercial")
if PORTAL_CLOUD not in {"commercial", "us_gov"}:
    raise ValueError(f"PORTAL_CLOUD must be 'commercial' or 'us_gov', not {PORTAL_CLOUD!r}")
PORTAL_DOMAIN_SUFFIX = os.environ.get("PORTAL_DOMAIN_SUFFIX", ".onmicrosoft.com")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
PORTAL_INVITATION_DAYS = int(os.environ.get("PORTAL_INVITATION_DAYS", "30"))
PORTAL_PAGE_SIZE = 50
# Lists count their rows up to this many ("1–50 of 200+" beyond): a bounded COUNT whose cost stays within about the
# page query's own (a count reads every row it counts; a page reads size + 1 rows).
PORTAL_COUNT_CAP = 200
# The customer search reads the planner's sample of the search column (customers.search_statistics) again after this
# many seconds, so a new ANALYZE reaches running processes; None: once per process.
PORTAL_SEARCH_STATISTICS_MAX_AGE: float | None = 3600
# The email queue's retry backoff: the first retry waits this many seconds, each next one twice as long (≤30 min).
PORTAL_EMAIL_RETRY_SECONDS = float(os.environ.get("PORTAL_EMAIL_RETRY_SECONDS", "5"))
# The public invitation page: at most N requests per client address, and per link, in each fixed window of S seconds.
# "Contact me" on the find-a-partner directory: submissions per client address and per business profile.
PORTAL_CONTACT_RATE_LIMIT_ADDRESS = (int(os.environ.get("PORTAL_CONTACT_RATE_LIMIT_ADDRESS", "5")), 3600)
PORTAL_CONTACT_RATE_LIMIT_PROFILE = (int(os.environ.get("PORTAL_CONTACT_RATE_LIMIT_PROFILE", "50")), 86400)
# The full text of the customer agreement a customer accepts with a relationship (the Microsoft Customer Agreement),
# linked from the public page /customer-agreement/ that the acceptance page opens.
PORTAL_CUSTOMER_AGREEMENT_URL = os.environ.get(
    "PORTAL_CUSTOMER_AGREEMENT_URL", "https://www.microsoft.com/licensing/docs/customeragreement"
)
PORTAL_INVITE_RATE_LIMIT_ADDRESS = (int(os.environ.get("PORTAL_INVITE_RATE_LIMIT_ADDRESS", "60")), 600)
PORTAL_INVITE_RATE_LIMIT_TOKEN = (int(os.environ.get("PORTAL_INVITE_RATE_LIMIT_TOKEN", "30")), 600)
# Acceptance codes emailed to an invitation's address: at most N per invitation, and per client address, per hour.
PORTAL_ACCEPTANCE_CODE_RATE_LIMIT_INVITATION = (
    int(os.environ.get("PORTAL_ACCEPTANCE_CODE_RATE_LIMIT_INVITATION", "5")),
    3600,
)
PORTAL_ACCEPTANCE_CODE_RATE_LIMIT_ADDRESS = (
    int(os.environ.get("PORTAL_ACCEPTANCE_CODE_RATE_LIMIT_ADDRESS", "10")),
    3600,
)

# --- The JSON API (/api/v1/): bearer tokens only, JSON only, problem details for every error ----------------------
PORTAL_API_REQUESTS_PER_MINUTE = int(os.environ.get("PORTAL_API_REQUESTS_PER_MINUTE", "120"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.access.PolicyPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "UNICODE_JSON": True,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner Portal API",
    "DESCRIPTION": "Customers of a cloud-reseller partner, on the same access rules as the portal's pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set that several resources share (otherwise drf-spectacular numbers them).
    "ENUM_NAME_OVERRIDES": {
        "RelationshipKindEnum": "relationships.models.Relationship.Kind",
        "RelationshipStatusEnum": "relationships.models.Relationship.Status",
        "InvitationStatusEnum": "relationships.models.Invitation.Status",
        "InvitationStatusFilterEnum": "api.serializers_invitations.STATUS_FILTERS",
        "AdminRoleEnum": "partnerportal.roles.AdminRole",
        "AgentRoleEnum": "partnerportal.roles.AgentRole",
        "ScopeEnum": "partnerportal.roles.Scope",
        "StaffStatusEnum": "partnerportal.staff.selectors.STAFF_STATUSES",
        "StaffRoleFilterEnum": "partnerportal.staff.selectors.STAFF_ROLE_FILTERS",
        "AdminRelationshipStatusEnum": "adminrelationships.models.Status",
        "EntraRoleEnum": "adminrelationships.catalogue.CHOICES",
        "SubscriptionStatusEnum": "customers.models.Subscription.Status",
        "PartnershipStatusEnum": "relationships.models.Partnership.Status",
        "PurchasePermissionProductEnum": "permissions.models.PurchasePermission.Product",
        "BusinessProfileStatusEnum": "profiles.models.BusinessProfile.Status",
    },
}

# --- Logs: to the console (stderr), as text or — LOG_FORMAT=json — one JSON object per line ---------------------
# Every line carries the request ID (X-Request-ID from the proxy, or a fresh one; also on work the request queued,
# in the worker's lines) and the signed-in user's id (partnerportal.infrastructure.logs). LOG_LEVEL is the root
# level (WARNING); in JSON mode the portal's own loggers log at INFO, which adds one line per request
# (partnerportal.requests: method, path, status, duration_ms) and one per email or webhook delivered.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ValueError(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING").strip().upper()
LOGGING: dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "partnerportal.infrastructure.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(request_tag)s%(message)s"},
        "json": {"()": "partnerportal.infrastructure.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_context"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # JSON: Django's own loggers lose the handlers of its default configuration (a plain-text console while DEBUG is
    # on, mail to ADMINS), so each of their lines reaches the JSON console handler once, through the root.
    "loggers": {"partnerportal": {"level": "INFO"}, "django": {"handlers": [], "propagate": True}}
    if LOG_FORMAT == "json"
    else {},
}

# --- Operations: readiness, metrics -----------------------------------------------------------------------------
# The reverse proxies in front of gunicorn (CIDRs, comma-separated): from them, the client address is taken from
# X-Forwarded-For (partnerportal.infrastructure.middleware.request_client_address), for the rate limits, the sign-in
# lockout, the activity log and the /metrics allow-list. Empty: the connection's address (REMOTE_ADDR).
PORTAL_TRUSTED_PROXIES = env_list("PORTAL_TRUSTED_PROXIES")
# /readyz answers 503 when the freshest task worker's heartbeat is older than this (seconds).
PORTAL_WORKER_HEARTBEAT_MAX_AGE = float(os.environ.get("PORTAL_WORKER_HEARTBEAT_MAX_AGE", "120"))
# /metrics (Prometheus): a bearer token and/or the client networks allowed to scrape (CIDRs, comma-separated); each
# one set must match. With neither, /metrics answers 404.
PORTAL_METRICS_TOKEN = os.environ.get("PORTAL_METRICS_TOKEN", "")
PORTAL_METRICS_ALLOW = env_list("PORTAL_METRICS_ALLOW")
# A typo in a network list must stop the process at start, not fail every request later.
for _name, _cidrs in (
    ("PORTAL_TRUSTED_PROXIES", PORTAL_TRUSTED_PROXIES),
    ("PORTAL_METRICS_ALLOW", PORTAL_METRICS_ALLOW),
):
    for _cidr in _cidrs:
        try:
            ipaddress.ip_network(_cidr, strict=False)
        except ValueError as _exc:
            raise ValueError(f"{_name}: {_cidr!r} is not a network (e.g. 10.0.0.0/8 or 127.0.0.1/32)") from _exc

# Webhooks (partnerportal.webhooks): a try waits this long for the connection and for the response, a failed one
# is retried after PORTAL_WEBHOOK_RETRY_SECONDS, doubling, until the message is a day old. Endpoints must be HTTPS
# URLs resolving to public addresses; local and test settings relax both so a receiver on 127.0.0.1 works.
PORTAL_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("PORTAL_WEBHOOK_TIMEOUT_SECONDS", "5"))
PORTAL_WEBHOOK_RETRY_SECONDS = float(os.environ.get("PORTAL_WEBHOOK_RETRY_SECONDS", "30"))
PORTAL_WEBHOOK_RETRY_WINDOW_SECONDS = 24 * 3600
PORTAL_WEBHOOKS_ALLOW_PRIVATE = False
PORTAL_WEBHOOKS_ALLOW_HTTP = False
