"""Access records: each partner's staff group, the customers assigned to staff, customer purchase permissions."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PartnerGroup(models.Model):
    """The auth group of a partner's whole-partner staff; it holds the partner's reach on each of its customers."""

    partner = models.OneToOneField("partnerportal.Partner", on_delete=models.CASCADE, related_name="staff_group")
    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="partner_group")

    def __str__(self) -> str:
        return f"{self.partner} · staff"


class CustomerAssignment(models.Model):
    """A customer assigned to one staff user; grants access only while the user's scope is "assigned"."""

    user = models.ForeignKey("partnerportal.User", on_delete=models.CASCADE, related_name="assignments")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "customer"], name="unique_customer_assignment")]

    def __str__(self) -> str:
        return f"{self.user} → {self.customer}"


class PurchasePermission(models.Model):
    """Whether a partner lets a customer buy one product itself (PRODUCT.md §6); no row means "not allowed".

    An expired permission reads as not allowed without a job having to run (see `is_effective`).
    """

    class Product(models.TextChoices):
        AZURE_RESERVATIONS = "azure_reservations", _("Azure reservations")
        AZURE_SAVINGS_PLANS = "azure_savings_plans", _("Azure savings plans")

    partner = models.ForeignKey("partnerportal.Partner", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="purchase_permissions")
    product = models.CharField(_("product"), max_length=32, choices=Product.choices)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey("partnerportal.User", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "customer", "product"], name="unique_purchase_permission")
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_product_display()}"

    def is_effective(self, today: date | None = None) -> bool:
        """True while the permission has not passed its expiry date."""
        today = today or timezone.localdate()
        return self.expires_on is None or self.expires_on >= today
