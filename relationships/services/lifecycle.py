"""Ending a partner's relationship with a customer, and sending the invitation that restores it.

What ending removes is kept as a snapshot (`snapshots.py`) and reapplied when the restore invitation is accepted;
the list of ended relationships is a read (`relationships.selectors.ended_relationships`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer, CustomerTag, Subscription
from partnerportal.models import Partner, User
from partnerportal.webhooks.events import event_emit
from partnerportal.webhooks.models import EventType
from permissions import policy
from permissions.models import PurchasePermission
from permissions.roles import Action
from permissions.services import customer_access_revoke
from relationships.models import Invitation, Relationship
from relationships.services.invitation_emails import invitation_link
from relationships.services.invitations import invitation_create, invitation_revoke
from relationships.services.snapshots import relationship_snapshot_take

ALREADY_ENDED = _("This relationship has already been ended.")
HAS_BLOCKERS = _(
    "Suspend or cancel the customer's active subscriptions with your organisation before ending the relationship."
)
REASON_REQUIRED = _("Give a reason for ending the relationship.")
DETAILS_REQUIRED = _("Describe the reason for ending the relationship.")
REASON_MAX_LENGTH = 1000


def relationship_blockers(*, partner: Partner | None, customer: Customer) -> QuerySet:
    """What keeps the partner from ending the relationship: its active subscriptions for the customer."""
    return Subscription.objects.filter(customer=customer, partner=partner, status=Subscription.Status.ACTIVE).order_by(
        "offer_name", "pk"
    )


def relationship_end(*, actor: User, customer: Customer, reason: str, details: str = "") -> Relationship:
    """End the actor's partner's active relationship with the customer, keeping a snapshot for a later restore.

    One transaction: the relationship row is locked first, so of two concurrent requests one ends it and the
    other finds it ended. Only the acting partner's row ends: in an indirect chain the other partner's own
    relationship (and its access) stays as it is. `reason` is a `Relationship.EndReason` code; `details` are
    free text, required for "other".
    """
    details = (details or "").strip()
    if reason not in Relationship.EndReason.values:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    if reason == Relationship.EndReason.OTHER and not details:
        raise ValidationError({"details": [DETAILS_REQUIRED]})
    if len(details) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"details": [_("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}]}
        )
    partner = actor.partner
    assert partner is not None  # partner staff only: the policy gives users without a partner no actions
    with transaction.atomic():
        relationship = (
            Relationship.objects.select_for_update()
            .filter(partner=partner, customer=customer, status=Relationship.Status.ACTIVE)
            .first()
        )
        if relationship is None:
            raise ValidationError(ALREADY_ENDED, code="already_ended")
        # Re-checked under the lock: a subscription activated since the page was shown still blocks.
        blockers = list(relationship_blockers(partner=partner, customer=customer).select_for_update())
        if blockers:
            raise ValidationError(HAS_BLOCKERS, code="blocked")
        snapshot = relationship_snapshot_take(relationship=relationship)
        now = timezone.now()
        before = {"status": relationship.status, "dap": relationship.dap, **snapshot}
        relationship.status = Relationship.Status.ENDED
        relationship.ended_at = now
        relationship.end_reason = reason
        relationship.end_reason_details = details
        relationship.ended_by = actor
        relationship.dap = False
        relationship.snapshot = snapshot
        relationship.full_clean(validate_unique=False, validate_constraints=False)
        relationship.save(
            update_fields=["status", "ended_at", "end_reason", "end_reason_details", "ended_by", "dap", "snapshot"]
        )

        for permission in snapshot["purchase_permissions"]:
            activity_record(
                action=Actions.PURCHASE_PERMISSION_DELETE,
                actor=actor,
                customer=customer,
                before=permission,
                cause=Actions.RELATIONSHIP_END,
            )
        PurchasePermission.objects.filter(partner=partner, customer=customer).delete()
        CustomerTag.objects.filter(customer=customer, tag__partner=partner).delete()
        revoked = _pending_invitations_revoke(actor=actor, customer=customer)
        customer_access_revoke(partner=partner, customer=customer)
        activity_record(
            action=Actions.RELATIONSHIP_END,
            actor=actor,
            customer=customer,
            before=before,
            after={
                "status": relationship.status,
                "dap": False,
                "reason": reason,
                **({"reason_details": details} if details else {}),
                "invitations_revoked": revoked,
            },
        )
        event_emit(EventType.RELATIONSHIP_ENDED, partner=partner, resource=relationship)
    return relationship


def _pending_invitations_revoke(*, actor: User, customer: Customer) -> int:
    """Revoke the partner's pending invitations to the customer (their unsent emails are withdrawn too)."""
    assert actor.partner_id is not None  # partner staff only: the policy gives users without a partner no actions
    revoked = 0
    pending = Invitation.objects.select_for_update().filter(
        partner_id=actor.partner_id, customer=customer, status=Invitation.Status.PENDING
    )
    for invitation in pending:
        try:
            invitation_revoke(actor=actor, invitation=invitation)
        except ValidationError:
            continue  # accepted or revoked a moment ago by someone else
        revoked += 1
    return revoked


def restore_invitation_send(
    *, actor: User, relationship: Relationship, email: str, message: str
) -> tuple[Invitation, str]:
    """Send a restore invitation for an ended relationship; returns it and the link to copy.

    DAP is requested as the relationship had it when it ended (always in the US Government cloud); an indirect
    reseller's invitation names its indirect provider again.
    """
    if relationship.status != Relationship.Status.ENDED or relationship.partner_id != actor.partner_id:
        raise ValidationError(_("Only your organisation's ended relationships can be restored."), code="not_ended")
    provider = None
    # The relationship is the actor's partner's: a reseller restores it through the same provider.
    if relationship.kind == Relationship.Kind.INDIRECT and policy.has_action(actor, Action.CHOOSE_PROVIDER):
        provider = relationship.indirect_partner
    dap = policy.has_action(actor, Action.DELEGATED_ADMIN_FORCED) or bool(
        (relationship.snapshot or {}).get("dap", True)
    )
    invitation, token = invitation_create(
        actor=actor,
        email=email,
        message=message,
        dap=dap,
        customer=relationship.customer,
        provider=provider,
        purpose=Invitation.Purpose.RESTORE,
        restores=relationship,
    )
    return invitation, invitation_link(token)
