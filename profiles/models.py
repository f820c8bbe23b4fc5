"""Business profiles (one per partner and country) and their locations, each a page of the find-a-partner directory."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import CompanySize
from profiles import catalogue

DESCRIPTION_MAX_LENGTH = 2500
LOCATIONS_MAX = 5
LINKEDIN_HOSTS = ("linkedin.com", "www.linkedin.com")


def validate_linkedin_company_url(value: str) -> None:
    """A LinkedIn company page: https://www.linkedin.com/company/<name>."""
    parts = urlsplit(value)
    segments = [s for s in parts.path.split("/") if s]
    if (
        parts.scheme != "https"
        or (parts.hostname or "").lower() not in LINKEDIN_HOSTS
        or len(segments) < 2
        or segments[0] != "company"
    ):
        raise ValidationError(
            _("Enter your LinkedIn company page, such as https://www.linkedin.com/company/contoso."),
            code="linkedin_company",
        )


class BusinessProfile(models.Model):
    """A partner's business profile in one country/region: what the directory shows and who receives its leads."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    partner = models.ForeignKey("partnerportal.Partner", on_delete=models.CASCADE, related_name="business_profiles")
    country = models.CharField(_("country/region"), max_length=2)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)]
    )
    website = models.URLField(
        _("website"), max_length=200, blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    linkedin_url = models.URLField(
        _("LinkedIn company page"), max_length=200, blank=True, validators=[validate_linkedin_company_url]
    )
    # The logo as the PNG the server re-encoded (never the uploaded bytes), kept in the database so every node
    # serves it without shared storage; the hash names its version in URLs and ETags.
    logo_png = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_hash = models.CharField(max_length=64, blank=True, editable=False)
    industries = ArrayField(
        models.CharField(max_length=catalogue.CODE_MAX_LENGTH, choices=catalogue.Industry.choices),
        verbose_name=_("industries"),
        default=list,
        blank=True,
    )
    products = ArrayField(
        models.CharField(max_length=catalogue.CODE_MAX_LENGTH, choices=catalogue.Product.choices),
        verbose_name=_("products"),
        default=list,
        blank=True,
    )
    service_types = ArrayField(
        models.CharField(max_length=catalogue.CODE_MAX_LENGTH, choices=catalogue.ServiceType.choices),
        verbose_name=_("service types"),
        default=list,
        blank=True,
    )
    skills = ArrayField(
        models.CharField(max_length=catalogue.SKILL_MAX_LENGTH),
        verbose_name=_("solutions, skills and capabilities"),
        size=catalogue.SKILLS_MAX,
        default=list,
        blank=True,
    )
    target_sizes = ArrayField(
        models.CharField(max_length=16, choices=CompanySize.choices),
        verbose_name=_("target customer sizes"),
        default=list,
        blank=True,
    )
    lead_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead contact"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # Lower-case company name, description and skills, written by the services on every change (the company name
    # lives on another table and skills in an array, so a generated column cannot hold it); one trigram index
    # serves the directory's free-text search.
    search_text = models.TextField(default="", editable=False)

    class Meta:
        verbose_name = _("business profile")
        verbose_name_plural = _("business profiles")
        ordering = ["country", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "country"], name="businessprofile_one_per_country"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="businessprofile_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "country"], name="businessprofile_directory"),
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="businessprofile_search_trgm"),
            GinIndex(fields=["industries"], name="businessprofile_industries"),
            GinIndex(fields=["products"], name="businessprofile_products"),
            GinIndex(fields=["service_types"], name="businessprofile_services"),
            GinIndex(fields=["target_sizes"], name="businessprofile_sizes"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.country}"

    def get_absolute_url(self) -> str:
        return reverse("profiles:profile_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ProfileLocation(models.Model):
    """One of a profile's (at most five) locations: each is its own page in the directory."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    profile = models.ForeignKey(BusinessProfile, on_delete=models.CASCADE, related_name="locations")
    address_line1 = models.CharField(_("address line 1"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state/province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("profile location")
        verbose_name_plural = _("profile locations")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["profile", "created_at"], name="profilelocation_profile")]

    def __str__(self) -> str:
        return f"{self.address_line1}, {self.city}"

    def get_absolute_url(self) -> str:
        return reverse("profiles:directory_location", args=[self.pk])
