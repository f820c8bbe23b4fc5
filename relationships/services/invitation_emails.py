"""The emails of an invitation: the link sent to the customer and the notice to the inviter once accepted.

Their text lives in translatable templates under `templates/relationships/email/`; this module fills them in and
queues them in the outbox (sent after commit by the worker).
"""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from partnerportal.infrastructure.emails import email_enqueue, email_render, email_unsent_withdraw
from partnerportal.models import OutboundEmail, Partner, User
from permissions.roles import AdminRole
from relationships import hooks
from relationships.models import Invitation
from relationships.selectors import relationship_description


def invitation_link(token: str) -> str:
    """The absolute acceptance URL for a raw token (emails are read outside any request)."""
    path = reverse("relationships:invitation_accept", kwargs={"token": token})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def invitation_topic(invitation: Invitation) -> str:
    """The OutboundEmail topic of the email that carries an invitation's link."""
    return f"invitation:{invitation.pk}"


def default_message(*, partner: Partner, customer: Customer | None = None) -> str:
    """The pre-filled, editable invitation text (the link itself is added below it when the email is sent)."""
    text = _(
        "%(partner)s would like to be your Cloud Solution Provider for your Microsoft Cloud account.\n\n"
        "To accept, open the invitation link in this email. A global administrator of your organisation confirms "
        "this email address with a code the page sends to it, then accepts the reseller relationship and the "
        "customer agreement.\n\n"
        "If you have questions, contact %(partner)s."
    ) % {"partner": partner.name}
    return str(text)


def invitation_email_enqueue(invitation: Invitation, token: str) -> OutboundEmail:
    """Queue the email that carries the invitation's link to the customer."""
    context = {
        "message": invitation.message.strip(),
        "link": invitation_link(token),
        "relationship": relationship_description(invitation),
        "dap": invitation.dap,
        # The invitee's zone is unknown: the UTC day, whatever the sending user's zone.
        "date": formats.date_format(timezone.localtime(invitation.expires_at, UTC), "DATE_FORMAT"),
        "partner": invitation.partner.name,
        # What accepting will also ask for (an admin relationship's roles), from the apps above.
        "extra_lines": [
            line for extension in hooks.invitation_extensions() for line in extension.email_lines(invitation)
        ],
    }
    subject, body = email_render(
        subject_template="relationships/email/invitation_subject.txt",
        body_template="relationships/email/invitation.txt",
        context=context,
    )
    return email_enqueue(
        to=invitation.email,
        subject=subject,
        body=body,
        partner=invitation.partner,
        topic=invitation_topic(invitation),
        secret=token,
    )


def invitation_unsent_withdraw(invitation: Invitation) -> None:
    """Delete the invitation's emails not yet sent: a superseded link would only confuse the customer."""
    email_unsent_withdraw(topic=invitation_topic(invitation))


def _inviter_recipients(invitation: Invitation) -> list[str]:
    """The inviter, or the partner's active global admins when the inviter has left."""
    inviter = invitation.created_by
    if inviter is not None and inviter.is_active:
        return [inviter.email]
    return list(
        User.objects.filter(partner=invitation.partner, admin_role=AdminRole.GLOBAL_ADMIN, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


def acceptance_email_enqueue(invitation: Invitation, *, customer: Customer, name: str, email: str) -> None:
    """Queue the notice to the inviter that the customer accepted."""
    context = {
        "name": name,
        "email": email,
        "customer": customer.company_name,
        "domain": customer.primary_domain,
        "link": settings.PORTAL_BASE_URL.rstrip("/") + customer.get_absolute_url(),
    }
    subject, body = email_render(
        subject_template="relationships/email/invitation_accepted_subject.txt",
        body_template="relationships/email/invitation_accepted.txt",
        context=context,
    )
    for recipient in _inviter_recipients(invitation):
        email_enqueue(
            to=recipient,
            subject=subject,
            body=body,
            partner=invitation.partner,
            topic=f"invitation-accepted:{invitation.pk}",
        )
