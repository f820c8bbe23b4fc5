"""Ending a partner's relationship with a customer, the list of ended relationships, and restoring them.

Kept apart from `relationships.services` (invitations live there) so two engineers can work on the app at once;
`relationships.services` re-exports the public functions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer, CustomerTag, Subscription, Tag
from partnerportal.models import User
from permissions import policy
from permissions.models import PurchasePermission
from permissions.roles import Action
from permissions.services import customer_access_revoke
from relationships.models import Invitation, Relationship

ALREADY_ENDED = _("This relationship has already been ended.")
HAS_BLOCKERS = _(
    "Suspend or cancel the customer's active subscriptions with your organisation before ending the relationship."
)
REASON_REQUIRED = _("Give a reason for ending the relationship.")
DETAILS_REQUIRED = _("Describe the reason for ending the relationship.")
REASON_MAX_LENGTH = 1000


def relationship_blockers(*, partner, customer: Customer) -> QuerySet:
    """What keeps the partner from ending the relationship: its active subscriptions for the customer."""
    return Subscription.objects.filter(customer=customer, partner=partner, status=Subscription.Status.ACTIVE).order_by(
        "offer_name", "pk"
    )


def _snapshot(*, relationship: Relationship) -> dict[str, Any]:
    """What the relationship carries that ending removes: the partner's tags, DAP, purchase permissions."""
    tags = list(
        CustomerTag.objects.filter(customer_id=relationship.customer_id, tag__partner_id=relationship.partner_id)
        .order_by("tag__name")
        .values_list("tag__name", flat=True)
    )
    permissions = [
        {
            "product": p.product,
            "expires_on": p.expires_on.isoformat() if p.expires_on else None,
            "note": p.note,
        }
        for p in PurchasePermission.objects.filter(
            partner_id=relationship.partner_id, customer_id=relationship.customer_id
        ).order_by("product")
    ]
    return {"tags": tags, "dap": relationship.dap, "purchase_permissions": permissions}


def relationship_end(*, actor, customer: Customer, reason: str, details: str = "") -> Relationship:
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
        snapshot = _snapshot(relationship=relationship)
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
    return relationship


def _pending_invitations_revoke(*, actor, customer: Customer) -> int:
    """Revoke the partner's pending invitations to the customer (their unsent emails are withdrawn too)."""
    # Imported here: relationships.services re-exports both modules, so module-level imports would be circular.
    from relationships.services.invitations import invitation_revoke

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


def ended_relationships(*, user: User) -> QuerySet:
    """The user's partner's ended relationships, one per customer (the latest), hiding customers it is active with
    again; empty for users who may not restore.

    Partner-wide on purpose (see the registry): these customers are no longer reachable per customer.
    """
    same = Relationship.objects.filter(partner_id=OuterRef("partner_id"), customer_id=OuterRef("customer_id"))
    ended = Relationship.objects.filter(status=Relationship.Status.ENDED)
    return (
        policy.restrict(ended, user, Action.RESTORE_RELATIONSHIP)
        .exclude(Exists(same.filter(status=Relationship.Status.ACTIVE)))
        .exclude(Exists(same.filter(status=Relationship.Status.ENDED, ended_at__gt=OuterRef("ended_at"))))
        .select_related("customer", "ended_by", "indirect_partner", "partner")
        .annotate(
            restore_pending=Exists(
                Invitation.objects.filter(
                    restores_id=OuterRef("pk"), status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
                )
            )
        )
    )


def relationship_snapshot_apply(*, relationship: Relationship, snapshot: dict[str, Any]) -> Relationship:
    """Reapply an ended relationship's snapshot to the partner's active relationship with the customer.

    Re-creates the partner's tags on the customer (by name; missing tags are created), the DAP flag and the
    purchase permissions that have not expired. Called when a restore invitation is accepted.
    """
    snapshot = snapshot or {}
    with transaction.atomic():
        if relationship.status != Relationship.Status.ACTIVE:
            # Given the ended relationship itself: apply to the partner's new, active one.
            relationship = (
                Relationship.objects.select_for_update()
                .filter(
                    partner_id=relationship.partner_id,
                    customer_id=relationship.customer_id,
                    status=Relationship.Status.ACTIVE,
                )
                .first()
            )
            if relationship is None:
                raise ValidationError(_("There is no active relationship to restore."), code="not_active")
        partner_id, customer = relationship.partner_id, relationship.customer
        tag_names = _clean_tag_names(snapshot.get("tags"))
        tags = []
        for name in tag_names:
            tag = Tag.objects.filter(partner_id=partner_id, name__iexact=name).first()
            if tag is None:
                tag = Tag(partner_id=partner_id, name=name)
                tag.full_clean(validate_constraints=False)
                try:
                    with transaction.atomic():
                        tag.save()
                except IntegrityError:
                    # A colleague created the same tag at this moment: use theirs.
                    tag = Tag.objects.get(partner_id=partner_id, name__iexact=name)
            tags.append(tag)
        existing = CustomerTag.objects.filter(customer=customer, tag__partner_id=partner_id).count()
        room = max(Tag.MAX_PER_CUSTOMER - existing, 0)
        CustomerTag.objects.bulk_create(
            [CustomerTag(customer=customer, tag=tag) for tag in tags[:room]], ignore_conflicts=True
        )

        dap = bool(snapshot.get("dap", relationship.dap))
        if relationship.dap != dap:
            relationship.dap = dap
            relationship.save(update_fields=["dap"])

        today = timezone.localdate()
        restored_permissions = []
        for item in snapshot.get("purchase_permissions") or []:
            product = item.get("product")
            expires_on = parse_date(item["expires_on"]) if item.get("expires_on") else None
            if product not in PurchasePermission.Product.values or (expires_on is not None and expires_on < today):
                continue
            permission, _created = PurchasePermission.objects.update_or_create(
                partner_id=partner_id,
                customer=customer,
                product=product,
                defaults={"expires_on": expires_on, "note": (item.get("note") or "")[:500]},
            )
            restored = {"product": product, "expires_on": item.get("expires_on"), "note": permission.note}
            restored_permissions.append(restored)
            activity_record(
                action=Actions.PURCHASE_PERMISSION_CREATE,
                partner=relationship.partner,
                customer=customer,
                after=restored,
                cause=Actions.RELATIONSHIP_RESTORE,
            )
        activity_record(
            action=Actions.RELATIONSHIP_RESTORE,
            partner=relationship.partner,
            customer=customer,
            after={"tags": [t.name for t in tags[:room]], "dap": dap, "purchase_permissions": restored_permissions},
        )
    return relationship


def _clean_tag_names(names) -> list[str]:
    """Distinct (case-insensitively), non-empty tag names of valid length, in their snapshot order."""
    seen: set[str] = set()
    result = []
    for name in names or []:
        name = str(name).strip()
        if not name or len(name) > Tag.MAX_LENGTH or name.lower() in seen:
            continue
        seen.add(name.lower())
        result.append(name)
    return result


def restore_invitation_send(*, actor, relationship: Relationship, email: str, message: str) -> tuple[Invitation, str]:
    """Send a restore invitation for an ended relationship; returns it and the link to copy.

    DAP is requested as the relationship had it when it ended (always in the US Government cloud); an indirect
    reseller's invitation names its indirect provider again.
    """
    # Imported here: relationships.services re-exports both modules, so module-level imports would be circular.
    from relationships.services.invitations import invitation_create, invitation_link

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
