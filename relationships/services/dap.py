"""The legacy all-or-nothing delegated admin (DAP) flag: removing it once finer access has replaced it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer
from partnerportal.models import User
from relationships.models import Relationship

DAP_ALREADY_REMOVED = _("This relationship no longer carries delegated admin privileges.")


@transaction.atomic
def relationship_dap_remove(*, actor: User, customer: Customer) -> Relationship:
    """Clear the DAP flag of the actor's partner's active relationship with the customer, logged.

    The caller decides whether the partner may do without it (admin relationships check an active one exists).
    One conditional UPDATE: of two concurrent removals one changes the row, the other is told it is done.
    """
    if actor.partner_id is None:
        raise PermissionDenied
    relationship = Relationship.objects.filter(
        partner_id=actor.partner_id, customer=customer, status=Relationship.Status.ACTIVE
    ).first()
    if relationship is None:
        raise PermissionDenied
    changed = Relationship.objects.filter(pk=relationship.pk, dap=True).update(dap=False)
    if changed != 1:
        raise ValidationError(DAP_ALREADY_REMOVED)
    relationship.dap = False
    activity_record(
        action=Actions.RELATIONSHIP_DAP_REMOVE,
        actor=actor,
        partner=relationship.partner,
        customer=customer,
        before={"dap": True},
        after={"dap": False},
    )
    return relationship
