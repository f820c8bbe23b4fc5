"""Converting an accepted lead: what leads adds to the add-customer page (`customers.hooks`) and to invitations
(`relationships.hooks`), registered from `LeadsConfig.ready` so neither app imports leads.

`?lead=<id>` on either page pre-fills it from an accepted lead the user may work on (company, country, contact
name and email on Add customer; the email on Invite customer) and carries the lead's id in a field, so the customer
or invitation created links back to the lead. Adding the customer marks the lead won at once; an invitation marks it
won when the customer accepts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from leads import selectors, services
from leads.models import Lead
from permissions import policy
from permissions.roles import Action
from relationships.hooks import InvitationExtension

if TYPE_CHECKING:
    from customers.models import Customer
    from partnerportal.models import User
    from relationships.models import Invitation

KEY = "lead"


def _accepted_lead(user: User, params: Mapping[str, str]) -> Lead | None:
    raw = params.get(KEY, "")
    if not raw.isdigit() or not policy.has_action(user, Action.WORK_LEADS):
        return None
    return (
        selectors.lead_queryset(user=user)
        .filter(pk=int(raw), status=Lead.Status.ACCEPTED)
        .only("pk", "company_name", "country", "contact_name", "email")
        .first()
    )


def customer_initial(user: User, params: Mapping[str, str]) -> dict[str, Any]:
    """The add-customer page's values from `?lead=<id>`: company, country, contact name and email."""
    lead = _accepted_lead(user, params)
    if lead is None:
        return {}
    first, _space, last = lead.contact_name.strip().partition(" ")
    return {
        KEY: lead.pk,
        "company_name": lead.company_name,
        "country": lead.country,
        "contact_first_name": first[:40],
        "contact_last_name": last[:40],
        "contact_email": lead.email,
    }


def customer_field(user: User) -> forms.Field | None:
    """The hidden field that carries the lead's id through the add-customer form (staff who work leads only)."""
    if not policy.has_action(user, Action.WORK_LEADS):
        return None
    return forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


def customer_apply(user: User, customer: Customer, value: Any) -> None:
    """Link the new customer to the lead it came from and mark the lead won (inside the add-customer transaction)."""
    if value:
        services.lead_convert_customer(
            actor=user, lead_id=value, leads=selectors.lead_queryset(user=user), customer=customer
        )


def _choices(user: User) -> list[tuple[str, str]] | None:
    if not policy.has_action(user, Action.WORK_LEADS):
        return None
    leads = selectors.lead_queryset(user=user).filter(status=Lead.Status.ACCEPTED, invitation__isnull=True)
    return [(str(pk), name) for pk, name in leads.order_by("company_name", "pk").values_list("pk", "company_name")]


def _attach(invitation: Invitation, user: User, value: str) -> str:
    if not value.isdigit():
        raise ValidationError({KEY: _("Choose one of your accepted leads.")})
    return services.lead_convert_invitation(
        actor=user, lead_id=int(value), leads=selectors.lead_queryset(user=user), invitation=invitation
    )


def _invitation_initial(user: User, params: Mapping[str, str]) -> dict[str, Any]:
    lead = _accepted_lead(user, params)
    return {} if lead is None else {KEY: str(lead.pk), "email": lead.email}


def _accepted(invitation: Invitation, customer: Customer) -> None:
    services.lead_invitation_accepted(invitation=invitation, customer=customer)


EXTENSION = InvitationExtension(
    key=KEY,
    label=_("Lead"),
    help_text=_("The accepted lead this invitation follows up; it is marked won when the customer accepts."),
    empty_label=_("None"),
    choices=_choices,
    attach=_attach,
    email_lines=lambda invitation: [],
    accepted=_accepted,
    notices=lambda invitation: [],
    initial=_invitation_initial,
)
