"""How the activity log labels the details of lead entries. Registered from `LeadsConfig.ready`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register
from customers import countries
from leads.models import STATE_CHOICES

LEADS = (
    Actions.LEAD_RECEIVE,
    Actions.LEAD_ACCEPT,
    Actions.LEAD_UPDATE,
    Actions.LEAD_DECLINE,
    Actions.LEAD_WIN,
    Actions.LEAD_LOSE,
    Actions.LEAD_CLOSE_ERROR,
    Actions.LEAD_CONVERT,
)


def register() -> None:
    activity_labels_register(
        *LEADS,
        model="leads.Lead",
        labels={
            "lead": _("Lead"),
            "converted_to": _("Converted into"),
            "invitation": _("Invitation"),
        },
        values={
            "status": dict(STATE_CHOICES),
            "country": countries.COUNTRY_NAMES,
            "converted_to": {"customer": _("a customer"), "invitation": _("an invitation")},
        },
    )
    # An invitation sent from a lead names the lead's company in its entry.
    activity_labels_register(Actions.INVITATION_CREATE, labels={"lead": _("Lead")})
