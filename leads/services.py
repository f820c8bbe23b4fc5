"""Writes on leads: arrival (and its notification), accept, edit, decline, win, lose, close as error, favourites,
conversion into a customer or an invitation, and the daily digest.

Every transition is one conditional UPDATE on the status the step starts from (and, for received leads, on the
arrival date: an expired lead allows nothing), so of two tabs or two people acting at once the database lets one
through; the other gets a ValidationError. Each step writes an activity entry in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activity.actions import Actions
from activity.services import activity_record
from leads.models import DeclineReason, Lead, LeadFavourite, LeadNotificationDay, expiry_cutoff
from partnerportal.infrastructure.emails import email_enqueue, email_render
from partnerportal.webhooks.events import event_emit
from partnerportal.webhooks.models import EventType

if TYPE_CHECKING:
    from customers.models import Customer
    from partnerportal.models import Partner, User
    from relationships.models import Invitation

# More leads than this for one contact in one day: the rest go into that day's digest (reference §7).
INDIVIDUAL_PER_DAY = 10


def _link(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _notification_count(contact: User, day: date) -> int:
    """Raise the (contact, day) counter by one in one upsert and return this lead's number of the day."""
    table = LeadNotificationDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (contact_id, day, count) VALUES (%s, %s, 1)
            ON CONFLICT (contact_id, day) DO UPDATE SET count = {table}.count + 1
            RETURNING count
            """,  # noqa: S608 -- the table name is the model's own; every value is a parameter
            [contact.pk, day],
        )
        return int(cursor.fetchone()[0])


def _notify_received(lead: Lead) -> None:
    """Email the lead contact about one new lead, unless it is past the day's tenth (then the digest tells)."""
    contact = lead.lead_contact
    if contact is None or not contact.is_active:
        return
    if _notification_count(contact, lead.received_at.astimezone(UTC).date()) > INDIVIDUAL_PER_DAY:
        return
    subject, body = email_render(
        subject_template="leads/email/received_subject.txt",
        body_template="leads/email/received.txt",
        context={"lead": lead, "partner": lead.partner.name, "link": _link(lead.get_absolute_url())},
    )
    email_enqueue(to=contact.email, subject=subject, body=body, partner=lead.partner, topic=f"lead:{lead.pk}")


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
    received_at: datetime | None = None,
) -> Lead:
    """A visitor's "Contact me" on a published profile: one lead for its partner, recorded in the log, and the
    lead contact's email queued in the same transaction (sent after commit; past the day's tenth, the digest).

    The caller (the public form) has validated the fields and checked its rate limits. `received_at` is for demo
    data and tests (a lead that arrived earlier).
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
        received_at=received_at or timezone.now(),
    )
    activity_record(
        action=Actions.LEAD_RECEIVE,
        partner=partner,
        lead=lead.pk,
        after={"company_name": company_name, "country": country, "company_size": company_size},
    )
    _notify_received(lead)
    event_emit(EventType.LEAD_RECEIVED, partner=lead.partner_id, resource=lead)
    return lead


def _transition(lead: Lead, *, allowed: tuple[str, ...], now: datetime, **changes: Any) -> None:
    """Move the lead out of one of `allowed` statuses in one conditional UPDATE; refuse when another request
    moved it first, or when it expired (a received lead past 14 days allows nothing)."""
    rows = Lead.objects.filter(pk=lead.pk, status__in=allowed)
    if Lead.Status.RECEIVED in allowed:
        rows = rows.exclude(status=Lead.Status.RECEIVED, received_at__lte=expiry_cutoff(now))
    if rows.update(**changes) != 1:
        raise ValidationError(_("This lead has changed meanwhile (or is archived): reload the page."), code="stale")
    for field, value in changes.items():
        setattr(lead, field, value)


def _team_check(partner_id: int, team: list[User]) -> None:
    if any(member.partner_id != partner_id or not member.is_active for member in team):
        raise ValidationError({"team_members": _("Team members must be active staff of your organisation.")})


def _deal_after(lead: Lead, team: list[User]) -> dict[str, Any]:
    return {
        "deal_name": lead.deal_name,
        "estimated_value": str(lead.estimated_value) if lead.estimated_value is not None else "",
        "currency": lead.currency,
        "estimated_purchase_date": lead.estimated_purchase_date.isoformat() if lead.estimated_purchase_date else "",
        "team_members": sorted(member.email for member in team),
        "crm_id": lead.crm_id,
        "campaign_id": lead.campaign_id,
    }


def _deal_fields(
    *,
    deal_name: str,
    estimated_value: Decimal,
    currency: str,
    estimated_purchase_date: date,
    notes: str,
    crm_id: str,
    campaign_id: str,
) -> dict[str, Any]:
    if estimated_value < 0:
        raise ValidationError({"estimated_value": _("The estimated value can't be negative.")})
    return {
        "deal_name": deal_name.strip(),
        "estimated_value": estimated_value,
        "currency": currency,
        "estimated_purchase_date": estimated_purchase_date,
        "notes": notes,
        "crm_id": crm_id.strip(),
        "campaign_id": campaign_id.strip(),
    }


@transaction.atomic
def lead_accept(
    *,
    actor: User,
    lead: Lead,
    deal_name: str,
    estimated_value: Decimal,
    currency: str,
    estimated_purchase_date: date,
    team_members: list[User],
    notes: str = "",
    crm_id: str = "",
    campaign_id: str = "",
) -> Lead:
    """Accept a received lead with its deal details; a second accept (another tab) is refused."""
    _team_check(lead.partner_id, team_members)
    now = timezone.now()
    fields = _deal_fields(
        deal_name=deal_name,
        estimated_value=estimated_value,
        currency=currency,
        estimated_purchase_date=estimated_purchase_date,
        notes=notes,
        crm_id=crm_id,
        campaign_id=campaign_id,
    )
    _transition(lead, allowed=(Lead.Status.RECEIVED,), now=now, status=Lead.Status.ACCEPTED, accepted_at=now, **fields)
    lead.team_members.set(team_members)
    activity_record(
        action=Actions.LEAD_ACCEPT,
        actor=actor,
        lead=lead.pk,
        before={"status": Lead.Status.RECEIVED},
        after={"status": Lead.Status.ACCEPTED, **_deal_after(lead, team_members)},
    )
    event_emit(EventType.LEAD_ACCEPTED, partner=lead.partner_id, resource=lead)
    return lead


@transaction.atomic
def lead_update(
    *,
    actor: User,
    lead: Lead,
    deal_name: str,
    estimated_value: Decimal,
    currency: str,
    estimated_purchase_date: date,
    team_members: list[User],
    notes: str = "",
    crm_id: str = "",
    campaign_id: str = "",
) -> Lead:
    """Edit an accepted lead's deal details (under a row lock: an edit never lands on a lead won meanwhile)."""
    locked = Lead.objects.select_for_update().filter(pk=lead.pk).first()
    if locked is None or locked.status != Lead.Status.ACCEPTED:
        raise ValidationError(_("Only accepted leads can be edited."), code="stale")
    _team_check(lead.partner_id, team_members)
    before = _deal_after(locked, list(locked.team_members.all()))
    fields = _deal_fields(
        deal_name=deal_name,
        estimated_value=estimated_value,
        currency=currency,
        estimated_purchase_date=estimated_purchase_date,
        notes=notes,
        crm_id=crm_id,
        campaign_id=campaign_id,
    )
    for field, value in fields.items():
        setattr(locked, field, value)
    locked.save(update_fields=list(fields))
    locked.team_members.set(team_members)
    after = _deal_after(locked, team_members)
    changed = [key for key in after if after[key] != before[key]]
    activity_record(
        action=Actions.LEAD_UPDATE,
        actor=actor,
        lead=lead.pk,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    return locked


@transaction.atomic
def lead_decline(*, actor: User, lead: Lead, reason: str, notes: str = "") -> Lead:
    """Decline a received lead (a reason is required); the customer is emailed to choose another partner."""
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    now = timezone.now()
    _transition(
        lead,
        allowed=(Lead.Status.RECEIVED,),
        now=now,
        status=Lead.Status.DECLINED,
        declined_at=now,
        decline_reason=reason,
        decline_notes=notes,
    )
    activity_record(
        action=Actions.LEAD_DECLINE,
        actor=actor,
        lead=lead.pk,
        before={"status": Lead.Status.RECEIVED},
        after={"status": Lead.Status.DECLINED, "decline_reason": reason},
    )
    subject, body = email_render(
        subject_template="leads/email/declined_subject.txt",
        body_template="leads/email/declined.txt",
        context={"lead": lead, "partner": lead.partner.name, "directory": _link("/")},
    )
    email_enqueue(to=lead.email, subject=subject, body=body, partner=lead.partner, topic=f"lead:{lead.pk}")
    event_emit(EventType.LEAD_DECLINED, partner=lead.partner_id, resource=lead)
    return lead


# The closing steps that are webhook events (closing as an error is not: it was never a real lead).
CLOSE_EVENTS = {"won": EventType.LEAD_WON, "lost": EventType.LEAD_LOST}


def _close(
    actor: User | None, lead: Lead, *, status: str, stamp: str, action: Actions, allowed: tuple[str, ...]
) -> Lead:
    before = lead.status
    now = timezone.now()
    _transition(lead, allowed=allowed, now=now, status=status, **{stamp: now})
    activity_record(
        action=action,
        actor=actor,
        partner=lead.partner,
        lead=lead.pk,
        before={"status": before},
        after={"status": status},
    )
    if status in CLOSE_EVENTS:
        event_emit(CLOSE_EVENTS[status], partner=lead.partner_id, resource=lead)
    return lead


@transaction.atomic
def lead_win(*, actor: User | None, lead: Lead) -> Lead:
    """Mark an accepted lead won (archived)."""
    return _close(
        actor, lead, status=Lead.Status.WON, stamp="won_at", action=Actions.LEAD_WIN, allowed=(Lead.Status.ACCEPTED,)
    )


@transaction.atomic
def lead_lose(*, actor: User, lead: Lead) -> Lead:
    """Mark an accepted lead lost (archived)."""
    return _close(
        actor, lead, status=Lead.Status.LOST, stamp="lost_at", action=Actions.LEAD_LOSE, allowed=(Lead.Status.ACCEPTED,)
    )


@transaction.atomic
def lead_close_as_error(*, actor: User, lead: Lead) -> Lead:
    """Close a received or accepted lead as sent in error (spam, a test, a duplicate): archived."""
    return _close(
        actor,
        lead,
        status=Lead.Status.CLOSED_AS_ERROR,
        stamp="closed_at",
        action=Actions.LEAD_CLOSE_ERROR,
        allowed=(Lead.Status.RECEIVED, Lead.Status.ACCEPTED),
    )


def lead_favourite_toggle(*, user: User, lead: Lead) -> bool:
    """Mark or unmark the lead as one of the user's favourites; True when it is one afterwards.

    A personal bookmark, not a change to the lead: no activity entry.
    """
    deleted, _by_model = LeadFavourite.objects.filter(user=user, lead=lead).delete()
    if deleted:
        return False
    LeadFavourite.objects.get_or_create(user=user, lead=lead)
    return True


def _convertible(actor: User, lead_id: Any, queryset: QuerySet) -> Lead:
    """The accepted lead `lead_id` among `queryset` (the actor's leads, from the policy), locked; else an error."""
    lead = queryset.select_for_update(of=("self",)).filter(pk=lead_id).first()
    if lead is None or lead.status != Lead.Status.ACCEPTED:
        raise ValidationError({"lead": _("Only an accepted lead of yours can be converted.")})
    return lead


@transaction.atomic
def lead_convert_customer(*, actor: User, lead_id: Any, leads: QuerySet, customer: Customer) -> Lead:
    """Link the customer just added from an accepted lead, and mark the lead won (adding the customer is the win).

    Runs inside the add-customer transaction (`customers.hooks`), so a refusal rolls the customer back too.
    """
    lead = _convertible(actor, lead_id, leads)
    Lead.objects.filter(pk=lead.pk).update(customer=customer)
    lead.customer = customer
    activity_record(
        action=Actions.LEAD_CONVERT,
        actor=actor,
        customer=customer,
        lead=lead.pk,
        after={"converted_to": "customer"},
    )
    return lead_win(actor=actor, lead=lead)


@transaction.atomic
def lead_convert_invitation(*, actor: User, lead_id: Any, leads: QuerySet, invitation: Invitation) -> str:
    """Link the invitation just sent from an accepted lead; the lead is won once the customer accepts it."""
    lead = _convertible(actor, lead_id, leads)
    Lead.objects.filter(pk=lead.pk).update(invitation=invitation)
    activity_record(
        action=Actions.LEAD_CONVERT,
        actor=actor,
        lead=lead.pk,
        after={"converted_to": "invitation", "invitation": invitation.pk},
    )
    return lead.company_name


def lead_invitation_accepted(*, invitation: Invitation, customer: Customer) -> None:
    """The customer accepted an invitation sent from a lead: link the customer and mark the lead won (by nobody:
    the customer's acceptance did it). Runs inside the acceptance's transaction."""
    for lead in Lead.objects.select_for_update().filter(invitation=invitation, status=Lead.Status.ACCEPTED):
        Lead.objects.filter(pk=lead.pk).update(customer=customer)
        lead_win(actor=None, lead=lead)


# --- the daily digest -------------------------------------------------------------------------------------------


def _digest_claim(now: datetime) -> list[LeadNotificationDay]:
    """Claim every finished day with more than ten leads whose digest nobody sent: one conditional UPDATE, so of
    two runners each day goes to one."""
    today = now.astimezone(UTC).date()
    table = LeadNotificationDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET digest_claimed_at = %s
            WHERE digest_claimed_at IS NULL AND day < %s AND count > %s
            RETURNING id
            """,  # noqa: S608 -- the table name is the model's own; every value is a parameter
            [now, today, INDIVIDUAL_PER_DAY],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return list(LeadNotificationDay.objects.filter(pk__in=ids).select_related("contact", "contact__partner"))


@transaction.atomic
def lead_digest_send(*, now: datetime | None = None) -> str:
    """The scheduled digest: for each (contact, day) past ten leads, one email listing all that day's leads.

    The claim and the queued email are in one transaction: a runner that dies leaves no claim and no email.
    """
    now = now or timezone.now()
    sent = 0
    for claim in _digest_claim(now):
        start = datetime(claim.day.year, claim.day.month, claim.day.day, tzinfo=UTC)
        leads = list(
            Lead.objects.filter(
                lead_contact=claim.contact, received_at__gte=start, received_at__lt=start + timedelta(days=1)
            ).order_by("received_at", "id")
        )
        contact = claim.contact
        if not contact.is_active or not leads:
            continue
        # A scheduled job has no request: the digest is written in the portal's language, whatever ran before.
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = email_render(
                subject_template="leads/email/digest_subject.txt",
                body_template="leads/email/digest.txt",
                context={
                    "count": len(leads),
                    "day": claim.day.isoformat(),
                    "leads": [(lead, _link(lead.get_absolute_url())) for lead in leads],
                    "link": _link("/leads/"),
                },
            )
        email_enqueue(
            to=contact.email, subject=subject, body=body, partner=contact.partner, topic=f"lead-digest:{claim.pk}"
        )
        sent += 1
    return f"digests {sent}"
