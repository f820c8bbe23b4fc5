"""Writes on leads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from activity.actions import Actions
from activity.services import activity_record
from leads.models import Lead

if TYPE_CHECKING:
    from partnerportal.models import Partner, User


@transaction.atomic
def lead_submit(
    *,
    partner: Partner,
    profile_country: str,
    lead_contact: User | None,
    company_name: str,
    contact_name: str,
    email: str,
    phone: str,
    country: str,
    company_size: str,
    message: str,
) -> Lead:
    """A visitor's "Contact me" on a published profile: one lead for its partner, recorded in the log.

    The caller (the public form) has validated the fields and checked its rate limits.
    """
    lead = Lead.objects.create(
        partner=partner,
        source=Lead.Source.FIND_A_PARTNER,
        profile_country=profile_country,
        lead_contact=lead_contact,
        company_name=company_name,
        contact_name=contact_name,
        email=email,
        phone=phone,
        country=country,
        company_size=company_size,
        message=message,
        contact_requested=True,
    )
    activity_record(
        action=Actions.LEAD_RECEIVE,
        partner=partner,
        lead=lead.pk,
        after={"company_name": company_name, "country": country, "company_size": company_size},
    )
    return lead
