"""The activity log's filter form: every filter lives in the URL."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.selectors import DEFAULT_DAYS
from activity.services import action_choices
from partnerportal.models import User
from permissions import policy
from permissions.roles import Action


class ActivityFilterForm(forms.Form):
    """Date range (default: the last 30 days), customer, user and action."""

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
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
