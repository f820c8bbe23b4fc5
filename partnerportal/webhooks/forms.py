"""The endpoint form: URL, event types (checkboxes), description. The service checks the URL's addresses."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerportal.webhooks.models import EventType
from permissions import policy
from permissions.roles import Action

# Events of a feature some cloud withholds: not offered where that feature does not exist (they never happen there).
EVENT_FEATURES = {
    EventType.PARTNERSHIP_AUTHORIZED: Action.MANAGE_PARTNERSHIPS,
    EventType.PARTNERSHIP_REMOVED: Action.MANAGE_PARTNERSHIPS,
}


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https", help_text=_("An HTTPS URL."))
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["event_types"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (value, label)
            for value, label in EventType.choices
            if value not in EVENT_FEATURES or policy.cloud_offers(EVENT_FEATURES[EventType(value)])
        ]
