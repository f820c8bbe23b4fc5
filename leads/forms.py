"""Forms of the lead pages: the list's filter bar, accept/edit (the deal), decline."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.countries import country_name
from leads import selectors
from leads.models import STATE_CHOICES, Currency, DeclineReason, Lead
from partnerportal.models import User

SORT_CHOICES = [
    ("-received", _("Newest first")),
    ("received", _("Oldest first")),
    ("company", _("Company A–Z")),
    ("-company", _("Company Z–A")),
]


class LeadFilterForm(forms.Form):
    """Search box, status (expired included), source, country, favourites and sort: all state in the URL.

    A hand-edited URL with a bad value gets the list without that filter and the error next to the field.
    """

    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Company, contact or email")}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses")), *STATE_CHOICES], required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All sources")), *Lead.Source.choices], required=False
    )
    country = forms.ChoiceField(label=_("Country/region"), choices=[("", _("All countries"))], required=False)
    favourite = forms.BooleanField(label=_("Favourites only"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("All countries")),
            *sorted(((code, country_name(code)) for code in selectors.lead_countries(user=user)), key=lambda c: c[1]),
        ]
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css + (" is-invalid" if name in self.errors else "")

    def values(self) -> dict[str, Any]:
        """The valid filter values (invalid ones dropped), with defaults."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "source": data.get("source") or "",
            "country": data.get("country") or "",
            "favourite": bool(data.get("favourite")),
            "sort": data.get("sort") or "-received",
        }


class StaffChoiceField(forms.ModelMultipleChoiceField):
    """Staff users as checkboxes, each named by their email address."""

    def label_from_instance(self, obj) -> str:
        return obj.email


class LeadDealForm(forms.Form):
    """What accepting asks for, and what an accepted lead's edit changes (reference §7)."""

    deal_name = forms.CharField(label=_("Deal name"), max_length=200)
    estimated_value = forms.DecimalField(
        label=_("Estimated value"), max_digits=14, decimal_places=2, min_value=0, localize=False
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.USD)
    estimated_purchase_date = forms.DateField(
        label=_("Estimated purchase date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    team_members = StaffChoiceField(
        label=_("Team members"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Staff of your organisation who work on this lead."),
    )
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    crm_id = forms.CharField(label=_("CRM ID"), max_length=100, required=False, help_text=_("For your reference."))
    campaign_id = forms.CharField(label=_("Marketing campaign ID"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["team_members"]).queryset = selectors.lead_staff(user=user)

    def deal_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["team_members"] = list(data["team_members"])
        return data


class LeadDeclineForm(forms.Form):
    """Decline: a reason is required, notes are optional."""

    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("Choose a reason")), *DeclineReason.choices], widget=forms.Select
    )
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
