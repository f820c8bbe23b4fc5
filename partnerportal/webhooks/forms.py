"""The endpoint form: URL, event types (checkboxes), description. The service checks the URL's addresses."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerportal.webhooks.models import EventType


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https", help_text=_("An HTTPS URL."))
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
