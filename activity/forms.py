"""The activity log's filter form: every filter lives in the URL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from activity.selectors import DEFAULT_DAYS
from activity.services import action_choices
from partnerportal.models import User
from permissions import policy
from permissions.roles import Action

# The dates a filter may name: the log holds nothing older, and the calendar's far edge (0001-01-01) turns into an
# out-of-range datetime once shifted into a time zone west of UTC.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date.max


def _date_field(label):
    message = format_lazy(
        _("Enter a date from {earliest} to {latest}."), earliest=EARLIEST_DAY.isoformat(), latest=LATEST_DAY.isoformat()
    )
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST_DAY.isoformat(), "max": LATEST_DAY.isoformat()}),
        validators=[MinValueValidator(EARLIEST_DAY, message=message), MaxValueValidator(LATEST_DAY, message=message)],
    )


class ActivityFilterForm(forms.Form):
    """Date range (default: the last 30 days), customer, user and action."""

    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=255,
        help_text=_("Customer ID, or part of the company name."),
    )
    actor = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    action = forms.ChoiceField(label=_("Action"), required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        cast(forms.ModelChoiceField, self.fields["actor"]).queryset = policy.restrict(
            User.objects.all(), user, Action.VIEW_ACTIVITY
        ).order_by("email")
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", _("Any action")), *action_choices()]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned

    @staticmethod
    def default_range():
        today = timezone.localdate()
        return today - timedelta(days=DEFAULT_DAYS), today

    def values(self) -> dict:
        """Filter values for the selector; a field with an error falls back to its default (the error is shown)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        default_from, default_to = self.default_range()
        date_from, date_to = default_from, default_to
        if "date_from" not in self.errors and "date_to" not in self.errors:
            date_from = data.get("date_from") or default_from
            date_to = data.get("date_to") or default_to
            if date_from > date_to:
                date_from, date_to = default_from, default_to
        actor = data.get("actor") if "actor" not in self.errors else None
        return {
            "date_from": date_from,
            "date_to": date_to,
            "customer": data.get("customer", "") if "customer" not in self.errors else "",
            "actor": actor.pk if actor else None,
            "action": data.get("action", "") if "action" not in self.errors else "",
        }
