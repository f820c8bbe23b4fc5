"""The signed-in user's own preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerportal.accounts.timezones import time_zone_choices
from partnerportal.models import User


class PreferencesForm(forms.Form):
    """The time zone dates and times are shown in; blank follows the partner's market."""

    # The choices are `available_time_zones()`: a legacy alias or a made-up name is not one of them.
    time_zone = forms.ChoiceField(
        label=_("Time zone"), required=False, error_messages={"invalid_choice": _("Select a valid time zone.")}
    )

    def __init__(self, *args: Any, user: User, market_zone: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"time_zone": user.time_zone})
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("Default for your partner's market (%(zone)s)") % {"zone": market_zone}),
            *time_zone_choices(),
        ]
        field.help_text = _("Dates and times in the portal are shown in this time zone.")
