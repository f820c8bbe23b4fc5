"""Partner organisations and their staff users."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerportal.roles import AdminRole, AgentRole, Role, Scope

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Partner(models.Model):
    """A partner organisation (tenant): every staff user and every partner-private record belongs to one."""

    class Type(models.TextChoices):
        DIRECT_BILL = "direct_bill", _("Direct-bill partner")
        INDIRECT_PROVIDER = "indirect_provider", _("Indirect provider")
        INDIRECT_RESELLER = "indirect_reseller", _("Indirect reseller")

    name = models.CharField(_("name"), max_length=255)
    partner_id = models.CharField(_("partner ID"), max_length=32, unique=True)
    type = models.CharField(_("partner type"), max_length=32, choices=Type.choices)
    market = models.CharField(_("market"), max_length=2, help_text=_("ISO country code of the partner's market."))
    email_domain = models.CharField(
        _("email domain"),
        max_length=253,
        blank=True,
        help_text=_("The partner's own email domain; customer contacts may not use it."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    require_mfa = models.BooleanField(
        _("require MFA for all staff"),
        default=False,
        help_text=_("Every staff user signs in with an authenticator app; users without one set it up first."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name

    @property
    def is_indirect_provider(self) -> bool:
        return self.type == self.Type.INDIRECT_PROVIDER

    @property
    def is_indirect_reseller(self) -> bool:
        return self.type == self.Type.INDIRECT_RESELLER


class UserManager(BaseUserManager["User"]):
    """Creates users keyed by email address."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        """Platform operators: Django admin only, no partner."""
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: partner staff (one partner, up to one admin and one agent role) or an operator."""

    # Stored lower-case (the manager and forms normalise it), so a plain unique index is case-insensitive.
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=40, blank=True)
    last_name = models.CharField(_("last name"), max_length=40, blank=True)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="staff", null=True, blank=True, verbose_name=_("partner")
    )
    admin_role = models.CharField(_("admin role"), max_length=32, choices=AdminRole.choices, blank=True, default="")
    agent_role = models.CharField(_("agent role"), max_length=32, choices=AgentRole.choices, blank=True, default="")
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.PARTNER)
    is_active = models.BooleanField(_("active"), default=True)
    # Only platform operators (no partner) may be staff: the Django admin is not a partner tool.
    is_staff = models.BooleanField(_("operator"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # An IANA name ("Asia/Seoul"); blank: the zone of the partner's market. No `choices=`: the zone list grows with
    # tzdata, so the preferences form checks the name instead of a migration per release.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")

    objects = UserManager()

    if TYPE_CHECKING:
        # permissions.policy caches the user's actions on the instance for the request: (cloud, actions).
        _portal_actions: tuple[str, frozenset[str]]
        # …and the subquery of the customers the user reaches: ((actions, permission id), queryset).
        _portal_reach: tuple[tuple[frozenset[str], int | None], models.QuerySet]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(partner__isnull=True),
                name="partner_staff_are_never_operators",
            ),
        ]
        permissions = [("manage_staff", "Can manage the partner's staff users")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("staff:user_update", args=[self.pk])

    @property
    def roles(self) -> tuple[Role, ...]:
        """The roles this user holds, admin role first."""
        return tuple(Role(value) for value in (self.admin_role, self.agent_role) if value)

    @property
    def is_global_admin(self) -> bool:
        return self.admin_role == AdminRole.GLOBAL_ADMIN

    def role_labels(self) -> list[StrPromise]:
        return [Role(value).label for value in (self.admin_role, self.agent_role) if value]


class OutboundEmail(models.Model):
    """A message the portal must deliver: the durable record behind the email queue.

    The queued task only carries this row's id; the row keeps the message, its state and the last error,
    so a failed send stays visible to staff and is retried until it goes out, exactly once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, retrying")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="emails")
    to = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What the message is about (e.g. "invitation:42"), so pages can show the delivery state of their emails.
    topic = models.CharField(max_length=64, blank=True, db_index=True)
    # The raw one-time token of the link the message carries, kept only until it is sent: `body` holds
    # SECRET_MARKER in its place, so once this is blanked no row (nor a backup or /admin/) holds a usable link.
    secret = models.CharField(max_length=200, blank=True, editable=False)
    # The X-Request-ID of the request that queued the message, so the worker's log lines of its delivery carry it.
    request_id = models.CharField(max_length=64, blank=True, editable=False)

    SECRET_MARKER = "{one-time-token}"  # noqa: S105 -- a placeholder in the stored body, not a credential

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="outboundemail_status")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    def delivered_body(self) -> str:
        """The body as it goes out: the link's token put back while the message still holds it (until sent)."""
        if not self.secret:
            return self.body
        return self.body.replace(self.SECRET_MARKER, self.secret)


class SetPasswordToken(models.Model):
    """A one-time, expiring link for a staff user to choose a password; only the token's SHA-256 hash is stored.

    A token works once: `set_password_token_use` consumes it with one conditional UPDATE, so two concurrent
    submissions cannot both succeed. Issuing a new token for a user revokes the older ones.
    """

    class Purpose(models.TextChoices):
        WELCOME = "welcome", _("New account")
        RESET = "reset", _("Password reset")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="set_password_tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.WELCOME)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "used_at", "revoked_at"], name="setpasswordtoken_user_open")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_purpose_display()}"

    def is_usable(self, now=None) -> bool:
        """True while the link has not been used, revoked or passed its expiry."""
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class RateLimitCounter(models.Model):
    """Requests counted per key (a client address or a link) in one fixed time window; rows of past windows are
    deleted as new windows begin. Lives in PostgreSQL so every web process shares the counts (no Redis)."""

    key = models.CharField(max_length=128)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window")]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"


class ScheduledRun(models.Model):
    """One run of a periodic job for one period: the unique (job, period) row is the claim, so of several runners
    (nodes) exactly one runs a job per period. A claim whose run never finished is taken over after a lease."""

    job = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    runner = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-period_start", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "period_start"], name="scheduledrun_once_per_period")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """The last time one running task worker (or scheduler) went round its loop: what `/readyz` asks to decide
    whether anything is draining the queues. One row per process; a row nobody updates any more is a dead one."""

    class Kind(models.TextChoices):
        TASKS = "tasks", _("task worker")
        SCHEDULER = "scheduler", _("scheduler")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "seen_at"], name="workerheartbeat_kind_seen")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
