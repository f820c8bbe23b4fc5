"""The customer list's filter form: every list state lives in the URL's query string."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Tag
from partnerportal.models import Partner
from permissions import policy
from permissions.roles import Action
from relationships.models import Relationship

SORT_CHOICES = [
    ("name", _("Name A–Z")),
    ("-name", _("Name Z–A")),
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
]


class CustomerFilterForm(forms.Form):
    """Search box, relationship type, indirect reseller (providers only), tag and sort.

    Bound to request.GET. A hand-edited URL with a bad value gets the list without that filter and the
    error next to the field, never a 500.
    """

    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, domain, customer ID or email")}),
    )
    kind = forms.ChoiceField(
        label=_("Relationship"), choices=[("", _("All relationships")), *Relationship.Kind.choices], required=False
    )
    reseller = forms.ModelChoiceField(
        label=_("Indirect reseller"), queryset=Partner.objects.none(), required=False, empty_label=_("All resellers")
    )
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.none(), required=False, empty_label=_("All tags"))
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["tag"]).queryset = policy.restrict(
            Tag.objects.all(), user, Action.VIEW_CUSTOMER
        )
        if policy.has_action(user, Action.SELL_THROUGH_RESELLERS):
            cast(forms.ModelChoiceField, self.fields["reseller"]).queryset = Partner.objects.filter(
                provider_links__provider_id=user.partner_id, provider_links__status="active"
            )
        else:
            del self.fields["reseller"]
        # The list renders these fields in plain Bootstrap markup (templates/generic/_filter_field.html). Fetch the
        # model choices once, in one plain query (the default choice iterator would COUNT, then use a server-side
        # cursor); validation still checks submitted values against the queryset.
        for name in ("tag", "reseller"):
            if name in self.fields:
                choice_field = cast(forms.ModelChoiceField, self.fields[name])
                assert choice_field.queryset is not None  # set just above
                choice_field.choices = [
                    ("", choice_field.empty_label),
                    *((obj.pk, str(obj)) for obj in choice_field.queryset),
                ]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if name in self.errors:
                css += " is-invalid"
            field.widget.attrs["class"] = css

    def values(self) -> dict:
        """The valid filter values (invalid ones dropped), with defaults."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "q": data.get("q") or "",
            "kind": data.get("kind") or "",
            "reseller": data["reseller"].pk if data.get("reseller") else None,
            "tag": data["tag"].pk if data.get("tag") else None,
            "sort": data.get("sort") or "name",
        }


class CustomerLookupForm(forms.Form):
    """The helpdesk lookup's one box (bound to request.GET)."""

    q = forms.CharField(
        label=_("Customer ID, domain, contact email or name"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )
