"""Leads: a customer's request, sent through a partner's published business profile, to be contacted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CompanySize(models.TextChoices):
    """A customer's size, as the "Contact me" form asks it and as a business profile targets it."""

    SMALL = "small", _("Small (1–50 employees)")
    MEDIUM = "medium", _("Medium (51–1,000 employees)")
    LARGE = "large", _("Large (1,001–10,000 employees)")
    ENTERPRISE = "enterprise", _("Enterprise (more than 10,000 employees)")


class Lead(models.Model):
    """One lead of one partner. The status column holds what a person decided; `expired` is derived from dates."""

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

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [models.Index(fields=["partner", "-received_at", "-id"], name="lead_partner_received")]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.contact_name})"
