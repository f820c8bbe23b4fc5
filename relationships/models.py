"""Reseller relationships between partners and customers, and provider↔reseller partnerships."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Relationship(models.Model):
    """One partner's reseller relationship with one customer; staff reach a customer only while it is active."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct reseller")
        INDIRECT = "indirect", _("Indirect")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class Source(models.TextChoices):
        CREATED = "created", _("Created by partner")
        INVITATION = "invitation", _("Invitation accepted")
        IMPORT = "import", _("Imported")

    class EndReason(models.TextChoices):
        """Why a partner ended the relationship; "other" always comes with details."""

        NO_LONGER_TRANSACTING = "no_longer_transacting", _("We no longer transact with this customer")
        CUSTOMER_REQUEST = "customer_request", _("The customer asked to end the relationship")
        MOVED_PARTNER = "moved_partner", _("The customer moved to another partner")
        CREATED_BY_MISTAKE = "created_by_mistake", _("The relationship was created by mistake")
        OTHER = "other", _("Other reason")

    # Indexed by relationship_partner_status (partner, …) and relationship_customer_partner (customer, …).
    partner = models.ForeignKey(
        "partnerportal.Partner", on_delete=models.PROTECT, related_name="relationships", db_index=False
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="relationships", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DIRECT)
    # For an indirect relationship, the other partner in the chain: the provider on the reseller's row,
    # the reseller on the provider's row.
    indirect_partner = models.ForeignKey(
        "partnerportal.Partner",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("indirect partner"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    dap = models.BooleanField(_("delegated admin privileges"), default=True)
    source = models.CharField(_("began by"), max_length=16, choices=Source.choices, default=Source.CREATED)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=32, choices=EndReason.choices, blank=True)
    end_reason_details = models.TextField(_("reason details"), blank=True)
    ended_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the relationship carried when it ended (tags, DAP, purchase permissions), reapplied on restore.
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        permissions = [("restore_relationship", "Can list ended relationships and send restore invitations")]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "customer"],
                condition=models.Q(status="active"),
                name="one_active_relationship_per_partner_customer",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="direct", indirect_partner__isnull=True)
                | models.Q(kind="indirect", indirect_partner__isnull=False),
                name="indirect_relationship_names_its_partner",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", ended_at__isnull=True)
                | models.Q(status="ended", ended_at__isnull=False),
                name="ended_relationship_has_end_date",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "partner", "status"], name="relationship_customer_partner"),
            models.Index(fields=["partner", "status", "indirect_partner"], name="relationship_partner_status"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} → {self.customer}"

    @property
    def end_reason_text(self) -> str:
        """The reason as shown, in the reader's language: the label with the details ("other": the details)."""
        if not self.end_reason:
            return ""
        if self.end_reason == self.EndReason.OTHER and self.end_reason_details:
            return self.end_reason_details
        label = self.get_end_reason_display()
        return f"{label}: {self.end_reason_details}" if self.end_reason_details else label

    @property
    def label(self) -> str:
        """How the list shows it: "Direct reseller", "Indirect reseller via Fabrikam", "Indirect provider for …"."""
        return relationship_label(
            self.kind, self.partner.is_indirect_provider, self.indirect_partner.name if self.indirect_partner else ""
        )


def relationship_label(kind: str | None, partner_is_provider: bool, indirect_partner_name: str | None) -> str:
    """The relationship as a partner's staff read it, from the partner's side of the chain."""
    if kind == Relationship.Kind.DIRECT:
        return str(_("Direct reseller"))
    if kind == Relationship.Kind.INDIRECT and partner_is_provider:
        return str(_("Indirect provider for %(partner)s") % {"partner": indirect_partner_name})
    if kind == Relationship.Kind.INDIRECT:
        return str(_("Indirect reseller via %(partner)s") % {"partner": indirect_partner_name})
    return ""


class Partnership(models.Model):
    """An indirect provider's partnership with one of its indirect resellers."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        REMOVED = "removed", _("Removed")

    provider = models.ForeignKey("partnerportal.Partner", on_delete=models.CASCADE, related_name="reseller_links")
    reseller = models.ForeignKey(
        "partnerportal.Partner", on_delete=models.CASCADE, related_name="provider_links", null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.INVITED)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    activated_at = models.DateTimeField(_("authorized"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    # The email invitation the provider sends; the reseller's staff authorize it signed in, through the link.
    email = models.EmailField(_("reseller email"), blank=True)
    message = models.TextField(_("message"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    invited_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    authorized_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reseller"],
                condition=models.Q(status="active"),
                name="one_active_partnership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} ↔ {self.reseller}"


class Invitation(models.Model):
    """A request for a reseller relationship, sent by email; the customer's global admin accepts it by link.

    Only a SHA-256 hash of the link's token is stored. A pending invitation past `expires_at` reads as expired
    without a job having to run.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    class Purpose(models.TextChoices):
        NEW = "new", _("New relationship")
        RESTORE = "restore", _("Restore relationship")

    partner = models.ForeignKey("partnerportal.Partner", on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        "partnerportal.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("sent by")
    )
    # Set when the invitation is for a customer the portal already knows (sent from its page, or a restore).
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    # For an indirect reseller's invitation: the indirect provider the customer will also be linked to.
    provider = models.ForeignKey(
        "partnerportal.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indirect provider"),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.NEW)
    restores = models.ForeignKey(
        Relationship, on_delete=models.SET_NULL, null=True, blank=True, related_name="restore_invitations"
    )
    email = models.EmailField(_("recipient email"))
    message = models.TextField(_("message"), max_length=5000)
    dap = models.BooleanField(_("request delegated admin privileges"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_name = models.CharField(_("accepted by"), max_length=81, blank=True)
    accepted_email = models.EmailField(_("acceptor email"), blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    relationship = models.ForeignKey(
        Relationship, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    # When the expiry sweep announced that the invitation expired (`invitation.expired`); a resend moves
    # `expires_at` past it, so the new expiry is announced once again.
    expiry_announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "status", "-created_at"], name="invitation_partner_status"),
            # The expiry sweep's rows: pending invitations whose current expiry nobody announced yet. Announced
            # ones leave the index, so it holds about the live pending invitations however many expired.
            models.Index(
                fields=["expires_at", "id"],
                name="invitation_expiry_unannounced",
                condition=models.Q(status="pending")
                & (
                    models.Q(expiry_announced_at__isnull=True)
                    | models.Q(expiry_announced_at__lt=models.F("expires_at"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} → {self.email}"

    @property
    def effective_status(self) -> str:
        """The status a person should see: a pending invitation past its expiry is expired."""
        if self.status == self.Status.PENDING and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status


class AcceptanceCode(models.Model):
    """A one-time code emailed to an invitation's address: entering it proves the acceptor reads that mailbox.

    Only a keyed hash of the code is stored (HMAC with the secret key and the invitation's id: six digits would be
    found from a plain digest in a moment). A code works for a short time, for a few tries and once; a newer code
    for the same invitation replaces it.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="acceptance_codes")
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    verified_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    client_address = models.GenericIPAddressField(_("requested from"), null=True, blank=True)

    VALID_FOR = timedelta(minutes=15)
    MAX_TRIES = 5
    # Tries over all of an invitation's codes: past this no new code is sent, so a link holder who keeps asking for
    # codes gets at most this many guesses (25 in a million) before the partner must send a new invitation.
    MAX_TRIES_PER_INVITATION = 25
    # How long a confirmed code lets the browser session that confirmed it accept the invitation.
    VERIFIED_FOR = timedelta(minutes=30)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["invitation", "-created_at"], name="acceptance_code_invitation")]
        constraints = [
            models.CheckConstraint(condition=models.Q(tries__lte=5), name="acceptance_code_at_most_five_tries"),
        ]

    def __str__(self) -> str:
        return f"code for {self.invitation_id} sent {self.created_at:%Y-%m-%d %H:%M}"
