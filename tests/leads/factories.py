"""Leads for tests, made through the real services (`lead_submit`, as the public "Contact me" form calls it)."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from leads.models import Lead
from leads.services import lead_accept, lead_submit
from partnerportal.models import Partner, User

_seq = itertools.count(1)
PARTNER_ADMIN = object()  # the default lead contact: the partner's first global admin


def make_lead(
    partner: Partner,
    *,
    contact: User | object | None = PARTNER_ADMIN,
    received_at: datetime | None = None,
    **fields,
) -> Lead:
    """A received lead of `partner` whose lead contact is `contact` (the partner's global admin by default)."""
    n = next(_seq)
    if contact is PARTNER_ADMIN:
        contact = User.objects.filter(partner=partner, admin_role="global_admin").order_by("pk").first()
    values = {
        "company_name": f"Lead Company {n}",
        "contact_name": f"Min-jun Lee {n}",
        "email": f"buyer{n}@lead{n}.example.net",
        "phone": "+1 425 555 0100",
        "country": "US",
        "company_size": "medium",
        "message": "Please call us about Microsoft 365.",
    }
    values.update(fields)
    return lead_submit(
        partner=partner,
        profile_country="US",
        lead_contact=contact,  # type: ignore[arg-type]
        received_at=received_at,
        **values,
    )


def deal_data(team: list[User], **overrides) -> dict:
    """Valid keyword arguments of lead_accept/lead_update."""
    data = {
        "deal_name": "Microsoft 365 roll-out",
        "estimated_value": Decimal("12500.00"),
        "currency": "USD",
        "estimated_purchase_date": date(2027, 3, 31),
        "team_members": team,
        "notes": "Call on Monday.",
        "crm_id": "CRM-1",
        "campaign_id": "",
    }
    data.update(overrides)
    return data


def make_accepted_lead(partner: Partner, *, actor: User, team: list[User] | None = None, **fields) -> Lead:
    lead = make_lead(partner, **fields)
    return lead_accept(actor=actor, lead=lead, **deal_data(team or [actor]))


def deal_form(team: list[User], **overrides) -> dict:
    """What the accept/edit form posts."""
    data = {
        "deal_name": "Microsoft 365 roll-out",
        "estimated_value": "12500.00",
        "currency": "USD",
        "estimated_purchase_date": "2027-03-31",
        "team_members": [member.pk for member in team],
        "notes": "",
        "crm_id": "",
        "campaign_id": "",
    }
    data.update(overrides)
    return data
