"""The purchase-permission form: one per product, prefixed with the product's value."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PurchasePermissionForm(forms.Form):
    """Allow or don't allow the customer to purchase one product, with an optional expiry date and note."""

    allowed = forms.TypedChoiceField(
        label="",
        choices=[("1", _("Allow customer to purchase")), ("0", _("Don't allow customer to purchase"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        help_text=_("Optional. The permission reads as not allowed after this day."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, state, disabled: bool = False, **kwargs):
        kwargs.setdefault("prefix", state.product)
        kwargs.setdefault(
            "initial",
            {"allowed": "1" if state.allowed else "0", "expires_on": state.expires_on, "note": state.note},
        )
        super().__init__(*args, **kwargs)
        self.state = state
        if disabled:
            for f in self.fields.values():
                f.disabled = True

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        expires_on = cleaned.get("expires_on")
        if cleaned.get("allowed") and expires_on and expires_on < timezone.localdate():
            self.add_error("expires_on", _("The expiry date cannot be in the past."))
        return cleaned
