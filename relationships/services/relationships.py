"""Beginning a relationship: the row(s) and the partner's staff access."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from partnerportal.models import Partner
from partnerportal.webhooks.events import event_emit
from partnerportal.webhooks.models import EventType
from permissions.services import customer_access_grant
from relationships.models import Relationship


@transaction.atomic
def relationship_begin(
    *,
    partner: Partner,
    customer: Customer,
    source: str = Relationship.Source.CREATED,
    dap: bool = True,
    provider: Partner | None = None,
    reseller: Partner | None = None,
) -> list[Relationship]:
    """Make the partner's relationship with the customer active and grant its staff access.

    Direct: one row. Indirect: the reseller's row and its provider's row, each naming the other (the
    reseller is `partner` with `provider` given, or the provider is `partner` with `reseller` given).
    """
    now = timezone.now()
    pairs: list[tuple[Partner, Partner | None]]
    if provider is not None:
        pairs = [(partner, provider), (provider, partner)]
    elif reseller is not None:
        pairs = [(partner, reseller), (reseller, partner)]
    else:
        pairs = [(partner, None)]
    created = []
    for own, other in pairs:
        existing = (
            Relationship.objects.select_for_update()
            .filter(partner=own, customer=customer, status=Relationship.Status.ACTIVE)
            .first()
        )
        if existing is not None:
            created.append(existing)
            continue
        relationship = Relationship(
            partner=own,
            customer=customer,
            kind=Relationship.Kind.INDIRECT if other else Relationship.Kind.DIRECT,
            indirect_partner=other,
            source=source,
            dap=dap,
            started_at=now,
        )
        relationship.full_clean(validate_unique=False, validate_constraints=False)
        relationship.save()
        customer_access_grant(partner=own, customers=[customer])
        event_emit(EventType.RELATIONSHIP_STARTED, partner=own, resource=relationship)
        created.append(relationship)
    return created
