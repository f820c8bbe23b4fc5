"""Customers (the partners' client organisations), their tags and subscriptions."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Cast, Concat, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from customers.countries import country_name as iso_country_name


class Customer(models.Model):
    """A customer organisation; partners reach it only through an active relationship."""

    if TYPE_CHECKING:
        # Annotated by customers.selectors (the user's partner's relationship) and labelled by the pages.
        rel_kind: str | None
        rel_indirect_partner_name: str | None
        relationship_label: str

    class Agreement(models.TextChoices):
        NOT_PROVIDED = "not_provided", _("Not provided")
        ATTESTED_BY_PARTNER = "attested_by_partner", _("Confirmed by partner")
        ACCEPTED_BY_CUSTOMER = "accepted_by_customer", _("Accepted by customer")

    id = models.UUIDField(_("customer ID"), primary_key=True, default=uuid.uuid4, editable=False)
    company_name = models.CharField(_("company name"), max_length=255)
    # The full primary domain (prefix + the deployment's suffix), stored lower-case; never changes.
    primary_domain = models.CharField(_("primary domain"), max_length=253, unique=True, editable=False)
    country = models.CharField(_("country/region"), max_length=2)
    address_line1 = models.CharField(_("address line 1"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state/province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    contact_first_name = models.CharField(_("first name"), max_length=40)
    contact_last_name = models.CharField(_("last name"), max_length=40)
    contact_email = models.EmailField(_("email address"))
    contact_phone = models.CharField(_("phone number"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=2, default="en")
    culture = models.CharField(_("culture"), max_length=10, default="en-US")
    registration_id = models.CharField(_("company registration ID"), max_length=64, blank=True)
    agreement_status = models.CharField(
        _("customer agreement"), max_length=32, choices=Agreement.choices, default=Agreement.NOT_PROVIDED
    )
    agreement_name = models.CharField(_("accepted by"), max_length=81, blank=True)
    agreement_email = models.EmailField(_("acceptor email"), blank=True)
    agreement_date = models.DateField(_("acceptance date"), null=True, blank=True)
    # Indexed by customer_created_keyset (created_at, id), which serves every query on created_at alone too.
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # One lower-case text over everything the search box matches, so one trigram index serves every search
    # and the query filters on exactly the indexed expression.
    search_text = models.GeneratedField(
        expression=Lower(
            Concat(
                "company_name",
                models.Value(" "),
                "primary_domain",
                models.Value(" "),
                "contact_email",
                models.Value(" "),
                Cast("id", output_field=models.TextField()),
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["company_name", "id"]
        indexes = [
            models.Index(fields=["company_name", "id"], name="customer_name_keyset"),
            models.Index(fields=["-created_at", "-id"], name="customer_created_keyset"),
            models.Index(Lower("contact_email"), name="customer_contact_email_ci"),
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="customer_search_trgm"),
        ]
        permissions = [
            ("manage_customer_tags", "Can manage the customer's tags"),
            ("manage_subscriptions", "Can manage the customer's subscriptions"),
            ("attest_customer_agreement", "Can attest the customer agreement"),
            ("invite_customer", "Can request a relationship with the customer"),
            ("end_relationship", "Can end the relationship with the customer"),
            ("change_purchase_permission", "Can change customer purchase permissions"),
            ("import_customers", "Can import existing customers"),
        ]

    def __str__(self) -> str:
        return self.company_name

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.pk])

    @property
    def domain_prefix(self) -> str:
        return self.primary_domain.split(".", 1)[0]

    @property
    def country_name(self) -> str:
        """The country/region's name in the reader's language (its code when it is no ISO 3166-1 country)."""
        return iso_country_name(self.country)

    @property
    def contact_name(self) -> str:
        return f"{self.contact_first_name} {self.contact_last_name}".strip()


class CustomerUserObjectPermission(UserObjectPermissionBase):
    """Per-customer permissions of one user (scope "assigned customers only")."""

    # No single-column indexes: (content_object, user) below and guardian's unique (user, permission,
    # content_object) lead with these columns, and the one permission stored needs no index of its own.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False)
    permission = models.ForeignKey("auth.Permission", on_delete=models.CASCADE, db_index=False)
    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE, db_index=False)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["content_object", "user"], name="customer_userperm_obj")]


class CustomerGroupObjectPermission(GroupObjectPermissionBase):
    """Per-customer permissions of a partner's role group (scope "whole partner")."""

    # No single-column indexes: (content_object, group) below and guardian's unique (group, permission,
    # content_object) lead with these columns, and the one permission stored needs no index of its own.
    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, db_index=False)
    permission = models.ForeignKey("auth.Permission", on_delete=models.CASCADE, db_index=False)
    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE, db_index=False)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["content_object", "group"], name="customer_groupperm_obj")]


class Tag(models.Model):
    """A partner-private label; the same name is one tag per partner, whatever its case."""

    MAX_LENGTH = 50
    MAX_PER_CUSTOMER = 150

    partner = models.ForeignKey("partnerportal.Partner", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("tag"), max_length=MAX_LENGTH)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("partner", Lower("name"), name="unique_partner_tag_ci")]

    def __str__(self) -> str:
        return self.name


class CustomerTag(models.Model):
    """A tag on a customer (tags belong to a partner, so each partner sees only its own)."""

    # Indexed by unique_customer_tag (customer, tag) and customertag_tag_customer (tag, customer).
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="customer_tags", db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="customer_tags", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "tag"], name="unique_customer_tag")]
        indexes = [models.Index(fields=["tag", "customer"], name="customertag_tag_customer")]

    def __str__(self) -> str:
        return f"{self.customer} · {self.tag}"


class Subscription(models.Model):
    """A minimal subscription a partner sold to a customer: enough for the relationship and permission rules."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled")

    # Indexed by subscription_customer_partner (customer, partner, status).
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="subscriptions", db_index=False)
    partner = models.ForeignKey("partnerportal.Partner", on_delete=models.PROTECT, related_name="subscriptions")
    offer_name = models.CharField(_("offer"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    is_azure_plan = models.BooleanField(_("Azure plan"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "partner", "status"], name="subscription_customer_partner")]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="subscription_quantity_positive")
        ]

    def __str__(self) -> str:
        return self.offer_name

    @property
    def is_active_azure_plan(self) -> bool:
        """Whether this subscription lets its partner turn on the customer's purchase permissions (§6)."""
        return self.is_azure_plan and self.status == self.Status.ACTIVE


def domain_suffix() -> str:
    """The deployment's fixed primary-domain suffix (".onmicrosoft.com" unless configured)."""
    return settings.PORTAL_DOMAIN_SUFFIX
