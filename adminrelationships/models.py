"""Admin relationships (granular delegated admin): named, time-boxed directory roles a customer approves."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adminrelationships import catalogue

NAME_PATTERN = r"^[A-Za-z0-9_\- ]{1,50}$"
NAME_RULE = _("Use 1 to 50 letters (A–Z), digits, hyphens, underscores or spaces.")
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 730, 730
# How long a customer has to answer a request (Partner Center: "GDAP relationship requests expire after 90 days").
REQUEST_VALID_FOR = timedelta(days=90)
AUTO_EXTEND_DAYS = 180


def _roles_field(verbose_name) -> ArrayField:
    return ArrayField(
        models.CharField(max_length=36, choices=catalogue.CHOICES), verbose_name=verbose_name, default=list
    )


class Status(models.TextChoices):
    APPROVAL_PENDING = "approval_pending", _("Approval pending")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    DECLINED = "declined", _("Declined")
    TERMINATED = "terminated", _("Terminated")


class AdminRelationshipQuerySet(models.QuerySet):
    """Adds the derived status (`with_status`), so lists filter on it without a job ever flipping a column."""

    def with_status(self, now: datetime | None = None) -> AdminRelationshipQuerySet:
        now = now or timezone.now()
        return self.annotate(
            current_status=Case(
                When(terminated_at__isnull=False, then=Value(Status.TERMINATED)),
                When(declined_at__isnull=False, then=Value(Status.DECLINED)),
                When(approved_at__isnull=True, requested_at__lte=now - REQUEST_VALID_FOR, then=Value(Status.EXPIRED)),
                When(approved_at__isnull=True, then=Value(Status.APPROVAL_PENDING)),
                # An auto-extending relationship stays active past its end until the sweep extends it (see status_at).
                When(ends_at__lte=now, auto_extend=False, then=Value(Status.EXPIRED)),
                default=Value(Status.ACTIVE),
                output_field=models.CharField(),
            )
        )


class AdminRelationship(models.Model):
    """A partner's request for chosen directory roles in a customer's tenant, for a time, approved by the customer.

    The status is derived from the dates in one place (`status_at`, mirrored by `with_status()` for queries).
    """

    partner = models.ForeignKey("partnerportal.Partner", on_delete=models.CASCADE, related_name="admin_relationships")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="admin_relationships")
    name = models.CharField(
        _("admin relationship name"),
        max_length=50,
        validators=[RegexValidator(NAME_PATTERN, NAME_RULE)],
        help_text=NAME_RULE,
    )
    duration_days = models.PositiveSmallIntegerField(
        _("duration in days"),
        default=DEFAULT_DAYS,
        validators=[MinValueValidator(MIN_DAYS), MaxValueValidator(MAX_DAYS)],
    )
    roles = _roles_field(_("Microsoft Entra roles"))
    auto_extend = models.BooleanField(_("auto extend"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    request_email = models.EmailField(_("sent to"))
    # SHA-256 of the approval link's token: the raw token exists only in the email.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_name = models.CharField(_("approved by"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("terminated"), null=True, blank=True)
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    termination_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Ended by the customer's administrator from the emailed link (terminated_by stays empty then).
    terminated_by_customer = models.BooleanField(_("ended by the customer"), default=False)
    # Created active with the customer by the partner that created the tenant (no request, no approval link).
    created_with_customer = models.BooleanField(_("created with the customer"), default=False)

    objects = AdminRelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-requested_at", "-id"], name="adminrel_partner_requested"),
            models.Index(fields=["customer", "partner"], name="adminrel_customer"),
            # The expiry sweep: live (approved, not ended by anyone) relationships by end date, so "ending before X"
            # is one range scan over the few live rows near their end, at any size of the table.
            models.Index(
                fields=["ends_at", "id"],
                name="adminrel_expiry_sweep",
                condition=Q(approved_at__isnull=False, terminated_at__isnull=True, declined_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint("partner", Lower("name"), name="adminrel_name_unique_per_partner"),
            models.CheckConstraint(condition=Q(name__regex=NAME_PATTERN), name="adminrel_name_characters"),
            models.CheckConstraint(
                condition=Q(duration_days__gte=MIN_DAYS, duration_days__lte=MAX_DAYS), name="adminrel_duration_days"
            ),
            models.CheckConstraint(condition=Q(roles__len__gte=1), name="adminrel_some_role"),
            models.CheckConstraint(
                condition=Q(roles__contained_by=list(catalogue.TEMPLATE_IDS)), name="adminrel_catalogue_roles"
            ),
            models.CheckConstraint(
                condition=~Q(auto_extend=True, roles__contains=[catalogue.GLOBAL_ADMINISTRATOR]),
                name="adminrel_no_auto_extend_with_global_admin",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(starts_at__isnull=False, ends_at__isnull=False),
                name="adminrel_approved_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(declined_at__isnull=True),
                name="adminrel_approved_or_declined",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("adminrelationships:adminrelationship_detail", kwargs={"pk": self.pk})

    def status_at(self, now: datetime) -> str:
        """The status at a moment, from the dates (the same rule as `with_status()`)."""
        if self.terminated_at is not None:
            return Status.TERMINATED
        if self.declined_at is not None:
            return Status.DECLINED
        if self.approved_at is None:
            return Status.EXPIRED if self.requested_at <= now - REQUEST_VALID_FOR else Status.APPROVAL_PENDING
        assert self.ends_at is not None  # approved rows carry their dates (constraint)
        # An auto-extending relationship never reads "expired": between its end and the expiry sweep (which extends
        # it by 180 days) it is still active, so it cannot read expired and then come back.
        return Status.EXPIRED if self.ends_at <= now and not self.auto_extend else Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def request_expires_at(self) -> datetime:
        return self.requested_at + REQUEST_VALID_FOR

    @property
    def days_left(self) -> int | None:
        """Whole days until the end of an active relationship (None otherwise)."""
        if self.status != Status.ACTIVE or self.ends_at is None:
            return None
        return max(0, (self.ends_at - timezone.now()).days)

    @property
    def role_list(self) -> list[catalogue.EntraRole]:
        return catalogue.roles_of(self.roles)


class RoleTemplate(models.Model):
    """A partner's named set of roles to request from ("Helpdesk standard")."""

    partner = models.ForeignKey("partnerportal.Partner", on_delete=models.CASCADE, related_name="role_templates")
    name = models.CharField(_("template name"), max_length=100)
    roles = _roles_field(_("Microsoft Entra roles"))
    # The partner's default template (at most one): what "Add customer" offers as the default admin relationship.
    is_default = models.BooleanField(_("default template"), default=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("partner", Lower("name"), name="roletemplate_name_unique_per_partner"),
            models.UniqueConstraint(
                fields=["partner"], condition=Q(is_default=True), name="roletemplate_one_default_per_partner"
            ),
            models.CheckConstraint(condition=Q(roles__len__gte=1), name="roletemplate_some_role"),
            models.CheckConstraint(
                condition=Q(roles__contained_by=list(catalogue.TEMPLATE_IDS)), name="roletemplate_catalogue_roles"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("adminrelationships:roletemplate_update", kwargs={"pk": self.pk})

    @property
    def role_list(self) -> list[catalogue.EntraRole]:
        return catalogue.roles_of(self.roles)


class SecurityGroup(models.Model):
    """A named team of the partner's staff that admin relationships' roles are assigned to."""

    partner = models.ForeignKey("partnerportal.Partner", on_delete=models.CASCADE, related_name="security_groups")
    name = models.CharField(_("group name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="security_groups")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint("partner", Lower("name"), name="securitygroup_name_unique_per_partner")]

    def __str__(self) -> str:
        return self.name


class AccessAssignment(models.Model):
    """Which of an active relationship's approved roles a security group holds (a subset; checked by the service)."""

    relationship = models.ForeignKey(AdminRelationship, on_delete=models.CASCADE, related_name="assignments")
    group = models.ForeignKey(SecurityGroup, on_delete=models.CASCADE, related_name="assignments")
    roles = _roles_field(_("Microsoft Entra roles"))
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        ordering = ["group__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["relationship", "group"], name="assignment_one_per_group"),
            models.CheckConstraint(condition=Q(roles__len__gte=1), name="assignment_some_role"),
        ]

    def __str__(self) -> str:
        return f"{self.group} in {self.relationship}"

    @property
    def role_list(self) -> list[catalogue.EntraRole]:
        return catalogue.roles_of(self.roles)


class NoticeKind(models.TextChoices):
    DAYS_30 = "30d", _("30 days before the end")
    DAYS_7 = "7d", _("7 days before the end")
    DAYS_1 = "1d", _("1 day before the end")
    EXPIRED = "expired", _("Expired")
    EXTENDED = "extended", _("Extended")


class ExpiryNotice(models.Model):
    """The claim of one expiry notice (or extension) of a relationship for one end date: the unique row makes each
    one happen exactly once, whichever of several sweeps inserts it first."""

    relationship = models.ForeignKey(AdminRelationship, on_delete=models.CASCADE, related_name="expiry_notices")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    # The end date the notice is about: an extended relationship's notices start again for its new end.
    period_end = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period_end", "id"]
        constraints = [
            models.UniqueConstraint(fields=["relationship", "kind", "period_end"], name="expirynotice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.relationship_id} {self.kind} {self.period_end:%Y-%m-%d}"


class InvitationRequest(models.Model):
    """An invitation that also asks for an admin relationship: the roles it names (copied from the chosen template
    when sent, so the email and the request say the same), and the request made once the customer accepted."""

    invitation = models.OneToOneField(
        "relationships.Invitation", on_delete=models.CASCADE, related_name="admin_request"
    )
    template = models.ForeignKey(RoleTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    template_name = models.CharField(_("template name"), max_length=100, editable=False)
    roles = _roles_field(_("Microsoft Entra roles"))
    duration_days = models.PositiveSmallIntegerField(
        _("duration in days"),
        default=DEFAULT_DAYS,
        validators=[MinValueValidator(MIN_DAYS), MaxValueValidator(MAX_DAYS)],
    )
    # One request per invitation, whatever happens: the unique column is the last line of defence against two
    # acceptances (the invitation's own single-use claim is the first).
    admin_relationship = models.OneToOneField(
        AdminRelationship, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitation_request"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(roles__len__gte=1), name="invitationrequest_some_role"),
            models.CheckConstraint(
                condition=Q(roles__contained_by=list(catalogue.TEMPLATE_IDS)), name="invitationrequest_catalogue_roles"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_name} with invitation {self.invitation_id}"

    @property
    def role_list(self) -> list[catalogue.EntraRole]:
        return catalogue.roles_of(self.roles)
