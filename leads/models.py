"""Leads: a customer's request, sent through a partner's published business profile, to be contacted."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Concat, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A received lead nobody answered in this long reads as expired (reference §7: 14 days), derived from its date.
EXPIRY = timedelta(days=14)
# The flame mark on a lead whose customer asked to be contacted, for this long after it arrived.
FLAME_FOR = timedelta(hours=72)


class CompanySize(models.TextChoices):
    """A customer's size, as the "Contact me" form asks it and as a business profile targets it."""

    SMALL = "small", _("Small (1–50 employees)")
    MEDIUM = "medium", _("Medium (51–1,000 employees)")
    LARGE = "large", _("Large (1,001–10,000 employees)")
    ENTERPRISE = "enterprise", _("Enterprise (more than 10,000 employees)")


class Currency(models.TextChoices):
    """The ISO 4217 currencies an estimated deal value may be given in."""

    USD = "USD", "USD"
    EUR = "EUR", "EUR"
    GBP = "GBP", "GBP"
    JPY = "JPY", "JPY"
    KRW = "KRW", "KRW"
    CAD = "CAD", "CAD"
    AUD = "AUD", "AUD"
    CHF = "CHF", "CHF"
    INR = "INR", "INR"
    BRL = "BRL", "BRL"


class DeclineReason(models.TextChoices):
    """Why a partner declined a lead (the customer is told to choose another partner)."""

    NOT_A_FIT = "not_a_fit", _("Not a fit for our services")
    NO_CAPACITY = "no_capacity", _("No capacity at the moment")
    OUTSIDE_REGION = "outside_region", _("Outside the regions we serve")
    TOO_SMALL = "too_small", _("Deal too small")
    OTHER = "other", _("Other")


def expiry_cutoff(now: datetime | None = None) -> datetime:
    """A received lead that arrived at or before this moment reads as expired."""
    return (now or timezone.now()) - EXPIRY


class LeadQuerySet(models.QuerySet):
    """Leads with their derived state."""

    def with_status(self, now: datetime | None = None) -> LeadQuerySet:
        """Annotate `state`: the stored status, except `expired` for a received lead older than 14 days."""
        return self.annotate(
            state=Case(
                When(status=Lead.Status.RECEIVED, received_at__lte=expiry_cutoff(now), then=Value(Lead.EXPIRED)),
                default=F("status"),
                output_field=models.CharField(),
            )
        )

    def in_state(self, state: str, now: datetime | None = None) -> LeadQuerySet:
        """The leads whose derived state is `state` (a status or `expired`), as a filter on indexed columns."""
        cutoff = expiry_cutoff(now)
        if state == Lead.EXPIRED:
            return self.filter(status=Lead.Status.RECEIVED, received_at__lte=cutoff)
        if state == Lead.Status.RECEIVED:
            return self.filter(status=Lead.Status.RECEIVED, received_at__gt=cutoff)
        return self.filter(status=state)


class Lead(models.Model):
    """One lead of one partner. The status column holds what a person decided; `expired` is derived from dates."""

    EXPIRED = "expired"

    class Source(models.TextChoices):
        FIND_A_PARTNER = "find_a_partner", _("Find a partner")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        DECLINED = "declined", _("Declined")
        CLOSED_AS_ERROR = "closed_as_error", _("Closed as error")

    partner = models.ForeignKey("partnerportal.Partner", on_delete=models.CASCADE, related_name="leads")
    source = models.CharField(_("source"), max_length=32, choices=Source.choices, default=Source.FIND_A_PARTNER)
    # The business profile's country the lead came through (the profile itself may be deleted; the lead stays).
    profile_country = models.CharField(_("profile country/region"), max_length=2, blank=True)
    # Who is emailed about the lead: the profile's lead contact at the time it arrived.
    lead_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead contact"),
    )
    company_name = models.CharField(_("company name"), max_length=255)
    contact_name = models.CharField(_("contact name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    country = models.CharField(_("country/region"), max_length=2)
    company_size = models.CharField(_("company size"), max_length=16, choices=CompanySize.choices)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    # The customer asked to be contacted (the "Contact me" form); marked with a flame for its first 72 hours.
    contact_requested = models.BooleanField(_("asked to be contacted"), default=True)
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    # What accepting asks for (editable while accepted).
    deal_name = models.CharField(_("deal name"), max_length=200, blank=True)
    estimated_value = models.DecimalField(_("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True)
    estimated_purchase_date = models.DateField(_("estimated purchase date"), null=True, blank=True)
    team_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="lead_teams", verbose_name=_("team members")
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    crm_id = models.CharField(_("CRM ID"), max_length=100, blank=True)
    campaign_id = models.CharField(_("campaign ID"), max_length=100, blank=True)
    decline_reason = models.CharField(_("decline reason"), max_length=32, choices=DeclineReason.choices, blank=True)
    decline_notes = models.TextField(_("decline notes"), max_length=2000, blank=True)

    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    won_at = models.DateTimeField(_("won"), null=True, blank=True)
    lost_at = models.DateTimeField(_("lost"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed as error"), null=True, blank=True)

    # What the accepted lead became (set by "Add customer" / "Invite customer"); the lead outlives them.
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invitation = models.ForeignKey(
        "relationships.Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The search box matches company, contact and email through one lower-case column and its trigram index.
    search_text = models.GeneratedField(
        expression=Lower(
            Concat(
                "company_name",
                models.Value(" "),
                "contact_name",
                models.Value(" "),
                "email",
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["partner", "-received_at", "-id"], name="lead_partner_received"),
            models.Index(fields=["partner", "company_name", "id"], name="lead_partner_company"),
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="lead_search_trgm"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="lead_declined_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.contact_name})"

    def get_absolute_url(self) -> str:
        return reverse("leads:lead_detail", kwargs={"pk": self.pk})

    def state_at(self, now: datetime | None = None) -> str:
        """The derived state of this row (as `with_status` computes it in the database)."""
        if self.status == self.Status.RECEIVED and self.received_at <= expiry_cutoff(now):
            return self.EXPIRED
        return self.status

    @property
    def state(self) -> str:
        return getattr(self, "_state_annotated", None) or self.state_at()

    @state.setter
    def state(self, value: str) -> None:
        self._state_annotated = value

    @property
    def is_expired(self) -> bool:
        return self.state == self.EXPIRED

    @property
    def is_archived(self) -> bool:
        return self.state not in (self.Status.RECEIVED, self.Status.ACCEPTED)

    @property
    def flame(self) -> bool:
        """The customer asked to be contacted and the lead is at most 72 hours old (and still open)."""
        return self.contact_requested and not self.is_archived and timezone.now() - self.received_at <= FLAME_FOR


def state_label(state: str) -> str:
    """The label of a derived state, in the current language."""
    if state == Lead.EXPIRED:
        return str(_("Expired"))
    return str(Lead.Status(state).label)


STATE_CHOICES = [*Lead.Status.choices[:2], (Lead.EXPIRED, _("Expired")), *Lead.Status.choices[2:]]


class LeadFavourite(models.Model):
    """One user's favourite mark on one lead (the heart of the list)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="favourites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lead"], name="leadfavourite_once")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.lead_id}"


class LeadNotificationDay(models.Model):
    """How many leads one lead contact received on one day (UTC), and the claim of that day's digest.

    The counter is raised by one atomic upsert per lead, so of concurrent submissions each gets its own number:
    numbers 1–10 are emailed one by one, from 11 on none; after the day the digest job claims the row with one
    conditional UPDATE (`digest_claimed_at IS NULL`), so of several runners one sends the digest.
    """

    contact = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    digest_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "day"], name="leadnotificationday_once")]
        indexes = [
            models.Index(fields=["day"], name="leadnotify_digest_due", condition=Q(digest_claimed_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.day} ({self.count})"
