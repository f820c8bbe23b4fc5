"""Which customers a staff user with scope "assigned customers only" supports."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class CustomerAssignment(models.Model):
    """A customer assigned to one staff user; grants access only while the user's scope is "assigned"."""

    user = models.ForeignKey("partnerportal.User", on_delete=models.CASCADE, related_name="assignments")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "customer"], name="unique_customer_assignment")]

    def __str__(self) -> str:
        return f"{self.user} → {self.customer}"
