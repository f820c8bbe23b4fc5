"""The emails of an admin relationship: the approval request to the customer, and the confirmations to both sides.

Their text lives in translatable templates under `templates/adminrelationships/email/`; this module fills them in
and queues them in the outbox (sent after commit by the worker).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone

from adminrelationships.models import AdminRelationship
from partnerportal.infrastructure.emails import email_enqueue, email_render, email_send, email_unsent_withdraw
from partnerportal.models import OutboundEmail
from permissions import policy
from permissions.roles import Action


def approval_link(token: str) -> str:
    """The absolute approval URL for a raw token (emails are read outside any request)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "adminrelationships:adminrelationship_approve", kwargs={"token": token}
    )


def request_topic(relationship: AdminRelationship) -> str:
    """The OutboundEmail topic of the email that carries a request's approval link."""
    return f"admin-relationship:{relationship.pk}"


def _date(value: datetime | None) -> str:
    # The recipient's zone is unknown (a customer's contact): the UTC day, not the sending user's.
    return formats.date_format(timezone.localtime(value, UTC), "DATE_FORMAT") if value else ""


def _context(relationship: AdminRelationship) -> dict:
    return {
        "partner": relationship.partner.name,
        "customer": relationship.customer.company_name,
        "name": relationship.name,
        "days": relationship.duration_days,
        "auto_extend": relationship.auto_extend,
        "roles": [role.name for role in relationship.role_list],
        "request_expires": _date(relationship.request_expires_at),
        "ends": _date(relationship.ends_at),
        "staff_link": settings.PORTAL_BASE_URL.rstrip("/") + relationship.get_absolute_url(),
        "reason": relationship.termination_reason,
        "by_customer": relationship.terminated_by_customer,
    }


def request_email_enqueue(relationship: AdminRelationship, token: str) -> OutboundEmail:
    """Queue the email with the approval link to the customer's contact; the stored body keeps no token."""
    context = {**_context(relationship), "link": approval_link(token)}
    subject, body = email_render(
        subject_template="adminrelationships/email/request_subject.txt",
        body_template="adminrelationships/email/request.txt",
        context=context,
    )
    return email_enqueue(
        to=relationship.request_email,
        subject=subject,
        body=body,
        partner=relationship.partner,
        topic=request_topic(relationship),
        secret=token,
    )


def request_unsent_withdraw(relationship: AdminRelationship) -> None:
    """Delete a request's email not yet sent: its link is dead."""
    email_unsent_withdraw(topic=request_topic(relationship))


def partner_recipients(relationship: AdminRelationship) -> list[str]:
    """The requester, or once they have left the staff who may manage admin relationships (the partner's global
    admins, who manage its staff, when none may)."""
    requester = relationship.requested_by
    if requester is not None and requester.is_active:
        return [requester.email]
    holders = policy.staff_holding(relationship.partner, Action.MANAGE_ADMIN_RELATIONSHIP)
    emails = list(holders.values_list("email", flat=True))
    # A partner always keeps an active global admin, and they hold MANAGE_STAFF: the notice always has a reader.
    return emails or list(
        policy.staff_holding(relationship.partner, Action.MANAGE_STAFF).values_list("email", flat=True)
    )


def outcome_emails_enqueue(relationship: AdminRelationship, *, outcome: str) -> None:
    """Tell both sides that a relationship was approved, declined or terminated (`outcome` names the templates)."""
    context = _context(relationship)
    sides = [
        ([relationship.request_email], "customer"),
        (partner_recipients(relationship), "partner"),
    ]
    for recipients, side in sides:
        subject, body = email_render(
            subject_template=f"adminrelationships/email/{outcome}_subject.txt",
            body_template=f"adminrelationships/email/{outcome}_{side}.txt",
            context=context,
        )
        for recipient in recipients:
            email_enqueue(
                to=recipient,
                subject=subject,
                body=body,
                partner=relationship.partner,
                topic=f"admin-relationship-{outcome}:{relationship.pk}",
            )


def notice_emails_build(
    relationship: AdminRelationship, *, kind: str, days: int, partner_to: list[str]
) -> list[OutboundEmail]:
    """The (unsaved) expiry notices of one relationship to both sides: `kind` is 30d/7d/1d, expired or extended.

    The partner's text links the staff detail page; the customer's says the same in plain words. The sweep saves a
    whole batch of them at once (`notice_emails_enqueue`).
    """
    context = {**_context(relationship), "kind": kind, "days_left": days}
    messages = []
    for recipients, side in (([relationship.request_email], "customer"), (partner_to, "partner")):
        subject, body = email_render(
            subject_template="adminrelationships/email/notice_subject.txt",
            body_template=f"adminrelationships/email/notice_{side}.txt",
            context=context,
        )
        for recipient in recipients:
            messages.append(
                OutboundEmail(
                    to=recipient,
                    subject=subject.replace("\n", " ")[:255],
                    body=body,
                    partner=relationship.partner,
                    topic=f"admin-relationship-{kind}:{relationship.pk}",
                )
            )
    return messages


def notice_emails_enqueue(messages: list[OutboundEmail]) -> list[OutboundEmail]:
    """Save a batch of notices in one INSERT and queue each one's delivery when the transaction commits."""
    saved = OutboundEmail.objects.bulk_create(messages)
    ids = [message.pk for message in saved]

    def _enqueue() -> None:
        for pk in ids:
            email_send.enqueue(pk)

    transaction.on_commit(_enqueue)
    return saved


def created_email_enqueue(relationship: AdminRelationship) -> None:
    """Tell the customer's contact that the partner created an admin relationship with the tenant it created."""
    subject, body = email_render(
        subject_template="adminrelationships/email/created_subject.txt",
        body_template="adminrelationships/email/created_customer.txt",
        context=_context(relationship),
    )
    email_enqueue(
        to=relationship.request_email,
        subject=subject,
        body=body,
        partner=relationship.partner,
        topic=f"admin-relationship-created:{relationship.pk}",
    )
