"""The token page's form: a name and an optional expiry."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.services import MAX_EXPIRY_DAYS


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, such as “CRM sync”."),
    )
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        help_text=_("Leave empty for a token that does not expire."),
    )
