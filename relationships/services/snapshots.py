"""A relationship's snapshot: what ending it removes (the partner's tags, DAP, purchase permissions), taken when
it ends and reapplied to the new relationship when a restore invitation is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import CustomerTag, Tag
from permissions.models import PurchasePermission
from relationships.models import Relationship


def relationship_snapshot_take(*, relationship: Relationship) -> dict[str, Any]:
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


def relationship_snapshot_apply(*, relationship: Relationship, snapshot: dict[str, Any]) -> Relationship:
    """Reapply an ended relationship's snapshot to the partner's active relationship with the customer.

    Re-creates the partner's tags on the customer (by name; missing tags are created), the DAP flag and the
    purchase permissions that have not expired. Called when a restore invitation is accepted.
    """
    snapshot = snapshot or {}
    with transaction.atomic():
        if relationship.status != Relationship.Status.ACTIVE:
            # Given the ended relationship itself: apply to the partner's new, active one.
            active = (
                Relationship.objects.select_for_update()
                .filter(
                    partner_id=relationship.partner_id,
                    customer_id=relationship.customer_id,
                    status=Relationship.Status.ACTIVE,
                )
                .first()
            )
            if active is None:
                raise ValidationError(_("There is no active relationship to restore."), code="not_active")
            relationship = active
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


def _clean_tag_names(names: Iterable[Any] | None) -> list[str]:
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
