"""Writes of customer tags: partner-private labels, created on the fly, at most 150 per customer.

Kept apart from customers/services.py (customer add/edit) so the two can change independently.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from activity.services import Actions, activity_record
from customers.models import Customer, CustomerTag, Tag
from partnerportal.models import User
from relationships.models import Relationship

TOO_MANY = ngettext_lazy(
    "A customer can have at most %(limit)d tag; this would give it %(count)d.",
    "A customer can have at most %(limit)d tags; this would give it %(count)d.",
    "limit",
)
TOO_LONG = _("“%(name)s” is longer than %(limit)d characters.")
NOT_YOURS = _("Choose tags from your own tag list.")
NO_RELATIONSHIP = _("You no longer have an active relationship with this customer, so you can't change its tags.")


def tag_name_clean(raw: str) -> str:
    """A tag name as stored: trimmed, inner whitespace runs collapsed (so "a  b" and "a b" are one tag)."""
    return " ".join(raw.split())


def tag_names_parse(text: str) -> list[str]:
    """Split the "new tags" box (comma-separated) into cleaned, non-empty names."""
    return [name for name in (tag_name_clean(part) for part in text.split(",")) if name]


def _tags_by_name(partner_id: int, names: list[str]) -> list[Tag]:
    # Compare with the database's lower() — the one the unique constraint uses — not Python's, which differs
    # for a few characters (e.g. "İ").
    if not names:
        return []
    return list(
        Tag.objects.alias(lname=Lower("name")).filter(
            partner_id=partner_id, lname__in=[Lower(Value(name)) for name in names]
        )
    )


@transaction.atomic
def customer_tags_set(
    *, actor: User, customer: Customer, tag_ids: Iterable[int], new_names: Iterable[str] = ()
) -> list[Tag]:
    """Make the actor's partner's tags on the customer exactly the chosen tags plus the new names.

    New names are created in the partner's catalogue unless a tag of that name exists in any case (then it is
    reused); the customer's tags of other partners are never touched. Returns the tags, by name.
    """
    partner_id = actor.partner_id
    assert partner_id is not None  # partner staff only: the policy gives users without a partner no actions
    # Lock the partner's active relationship first (ending it locks the same row, then removes the partner's
    # tags), then the customer, so two concurrent edits of its tags apply one after the other, not interleaved.
    relationship = (
        Relationship.objects.select_for_update()
        .filter(partner_id=partner_id, customer_id=customer.pk, status=Relationship.Status.ACTIVE)
        .first()
    )
    if relationship is None:
        raise ValidationError(NO_RELATIONSHIP)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)

    errors: dict[str, list] = {}
    wanted_ids = set(tag_ids)
    chosen = list(Tag.objects.filter(partner_id=partner_id, pk__in=wanted_ids))
    if len(chosen) != len(wanted_ids):
        errors["tags"] = [NOT_YOURS]
    names: list[str] = []
    seen: set[str] = set()
    for raw in new_names:
        name = tag_name_clean(raw)
        if not name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        if len(name) > Tag.MAX_LENGTH:
            errors.setdefault("new_names", []).append(
                ValidationError(TOO_LONG, params={"name": name[:20] + "…", "limit": Tag.MAX_LENGTH})
            )
        names.append(name)
    if errors:
        raise ValidationError(errors)

    if names:
        new_tags = [Tag(partner_id=partner_id, name=name) for name in names]
        for tag in new_tags:
            tag.full_clean(exclude=["partner"], validate_unique=False, validate_constraints=False)
        # ON CONFLICT DO NOTHING: a name that exists in another case, or that a concurrent request has just
        # created, is reused below rather than failing on the (partner, lower(name)) unique constraint.
        Tag.objects.bulk_create(new_tags, ignore_conflicts=True)
    final = {tag.pk: tag for tag in [*chosen, *_tags_by_name(partner_id, names)]}
    if len(final) > Tag.MAX_PER_CUSTOMER:
        # Raising rolls back the tags created above, so nothing changes.
        raise ValidationError(
            {
                "new_names" if names else "tags": [
                    ValidationError(TOO_MANY, params={"limit": Tag.MAX_PER_CUSTOMER, "count": len(final)})
                ]
            }
        )

    mine = CustomerTag.objects.filter(customer=customer, tag__partner_id=partner_id)
    current = dict(mine.values_list("tag_id", "tag__name"))
    if set(current) != set(final):
        mine.exclude(tag_id__in=final).delete()
        CustomerTag.objects.bulk_create(
            [CustomerTag(customer=customer, tag_id=pk) for pk in final if pk not in current], ignore_conflicts=True
        )
        activity_record(
            action=Actions.TAGS_UPDATE,
            actor=actor,
            customer=customer,
            before={"tags": sorted(current.values(), key=str.casefold)},
            after={"tags": sorted((tag.name for tag in final.values()), key=str.casefold)},
        )
    return sorted(final.values(), key=lambda tag: tag.name.casefold())
