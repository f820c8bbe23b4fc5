"""Onboarding: a new customer and the partner's relationship with it, as one write.

The one place a customer enters the portal with a partner holding it. Add customer, the CSV import and the
acceptance of an invitation for a new customer all call `customer_onboard`; `customers.services.customer_create`
only creates the customer, so the dependency runs one way (relationships → customers).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from activity.services import Actions
from customers.hooks import add_customer_options_apply
from customers.models import Customer
from customers.services import customer_create
from partnerportal.models import Partner, User
from partnerportal.webhooks.events import event_emit
from partnerportal.webhooks.models import EventType
from relationships.models import Partnership, Relationship
from relationships.services.relationships import relationship_begin

RESELLER_INACTIVE = _("Select one of your active indirect resellers.")
PROVIDER_INACTIVE = _("Select one of your active indirect providers.")


def _partnership_lock(*, provider: Partner, reseller: Partner) -> bool:
    """Lock the active provider↔reseller partnership for the rest of the transaction; False when there is none."""
    return (
        Partnership.objects.select_for_update()
        .filter(provider=provider, reseller=reseller, status=Partnership.Status.ACTIVE)
        .exists()
    )


@transaction.atomic
def customer_onboard(
    *,
    actor: User | None,
    data: dict[str, Any],
    domain_prefix: str,
    partner: Partner | None = None,
    reseller: Partner | None = None,
    provider: Partner | None = None,
    source: str = Relationship.Source.CREATED,
    dap: bool = True,
    log: bool = True,
) -> Customer:
    """Create a customer, begin the partner's active relationship with it and grant its staff access, logged.

    Indirect when a provider adds it for one of its resellers (`reseller`) or a reseller adds it through one of
    its providers (`provider`): both partners then hold the relationship, which needs an active partnership.
    Raises ValidationError (field errors) and changes nothing when the profile or the partnership is refused.
    """
    partner = partner or (actor.partner if actor is not None else None)
    assert partner is not None  # given, or the actor's: partner staff only (operators hold no actions)
    indirect_partner = reseller or provider
    details = {"indirect_partner": indirect_partner.name} if indirect_partner is not None else None
    customer = customer_create(
        actor=actor,
        data=data,
        domain_prefix=domain_prefix,
        partner=partner,
        action=Actions.CUSTOMER_IMPORT if source == Relationship.Source.IMPORT else Actions.CUSTOMER_CREATE,
        details=details,
        log=log,
    )
    # Checked after the profile so the form shows the profile's errors first, as it always has; raising here
    # rolls the customer back with the rest of this transaction.
    if reseller is not None and not _partnership_lock(provider=partner, reseller=reseller):
        raise ValidationError({"reseller": [ValidationError(RESELLER_INACTIVE, code="reseller_inactive")]})
    if provider is not None and not _partnership_lock(provider=provider, reseller=partner):
        raise ValidationError({"provider": [ValidationError(PROVIDER_INACTIVE, code="provider_inactive")]})
    relationships = relationship_begin(
        partner=partner, customer=customer, source=source, dap=dap, reseller=reseller, provider=provider
    )
    # After the relationship began, so the payload shows the customer as each holding partner's API does.
    for relationship in relationships:
        event_emit(EventType.CUSTOMER_CREATED, partner=relationship.partner_id, resource=customer)
    return customer


@transaction.atomic
def customer_onboard_with_options(*, actor: User, options: dict[str, Any], **onboard: Any) -> Customer:
    """Add customer with the options other apps contribute to its page (customers.hooks), in one transaction:
    an option that fails rolls the customer back with it."""
    customer = customer_onboard(actor=actor, **onboard)
    add_customer_options_apply(actor=actor, customer=customer, values=options)
    return customer
