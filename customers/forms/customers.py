"""Customer forms. They only shape the input: every rule lives in `customers.services.customer_clean`.

`CustomerForm` is the customer profile and is reused wherever a profile is entered (adding a customer,
editing one, the invitation-acceptance page for a customer new to the portal). The Add customer form, which adds
the agreement and the partner chain, is `relationships.forms.onboarding.AddCustomerForm`.
"""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers import company_names, countries
from customers.models import Customer
from customers.services.validation import (
    DOMAIN_PREFIX_MAX_LENGTH,
    PROFILE_FIELDS,
    customer_clean,
    supported_cultures,
)
from partnerportal.models import Partner


def _state_choices() -> list:
    """Every state/province, grouped by country, valued "US-WA" so Washington and Western Australia differ.

    The groups' labels and the options are in the active language; domain-check.js narrows the list to the chosen
    country by the value's prefix, so the names may be anything.
    """
    groups = [
        (name, [(f"{code}-{state}", label) for state, label in countries.state_choices(code)])
        for code, name in countries.country_choices()
        if countries.get_rules(code).state_required
    ]
    return [("", _("Select a state/province")), *groups]


class CustomerForm(forms.Form):
    """The customer profile of PRODUCT.md §3; the service's rules decide, and their errors land next to the fields.

    Pass `partner` (the partner adding or editing the customer: its type and email domain matter) and, when
    editing, `customer`: the domain prefix is then shown read-only and never submitted.
    """

    company_name = forms.CharField(
        label=_("Company name"),
        help_text=_("The exact legal name as it appears in official documents; no acronyms or test names."),
        widget=forms.TextInput(attrs={"maxlength": company_names.MAX_LENGTH, "autocomplete": "organization"}),
    )
    domain_prefix = forms.CharField(
        label=_("Primary domain name"),
        help_text=_("Letters and digits only, similar to the company name. It can't be changed later."),
        widget=forms.TextInput(
            attrs={"maxlength": DOMAIN_PREFIX_MAX_LENGTH, "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    country = forms.ChoiceField(label=_("Country/region"), choices=[])
    address_line1 = forms.CharField(
        label=_("Address line 1"), widget=forms.TextInput(attrs={"maxlength": 200, "autocomplete": "address-line1"})
    )
    address_line2 = forms.CharField(
        label=_("Address line 2"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200, "autocomplete": "address-line2"}),
    )
    city = forms.CharField(
        label=_("City"), widget=forms.TextInput(attrs={"maxlength": 100, "autocomplete": "address-level2"})
    )
    # Any text is accepted here and judged by the service against the chosen country: the list cannot follow
    # the country without JavaScript, so a mismatch is caught on submit.
    state = forms.CharField(
        label=_("State/province"),
        required=False,
        help_text=_("Only for countries/regions that have states or provinces."),
        widget=forms.Select(),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": countries.POSTAL_CODE_MAX_LENGTH, "autocomplete": "postal-code"}),
    )
    contact_first_name = forms.CharField(
        label=_("First name"), widget=forms.TextInput(attrs={"maxlength": 40, "autocomplete": "given-name"})
    )
    contact_last_name = forms.CharField(
        label=_("Last name"), widget=forms.TextInput(attrs={"maxlength": 40, "autocomplete": "family-name"})
    )
    contact_email = forms.CharField(
        label=_("Email address"),
        help_text=_("The customer's address; it can't be at your own organisation's domain."),
        widget=forms.EmailInput(attrs={"maxlength": 254, "autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "maxlength": 32, "autocomplete": "tel"}),
    )
    registration_id = forms.CharField(
        label=_("Company registration ID"),
        required=False,
        help_text=_(
            "Required, with a phone number, for customers in 24 countries such as Brazil, India, Poland and "
            "Türkiye. Use the business tax ID, not a personal ID."
        ),
        widget=forms.TextInput(attrs={"maxlength": 64}),
    )
    culture = forms.ChoiceField(
        label=_("Language/culture"),
        required=False,
        help_text=_("Leave on the default to use the country/region's usual language."),
        choices=[],
    )

    def __init__(
        self,
        *args,
        partner: Partner | None,
        customer: Customer | None = None,
        live_domain_check: bool = True,
        **kwargs,
    ):
        self.partner = partner
        self.customer = customer
        if customer is not None:
            initial = {field: getattr(customer, field) for field in PROFILE_FIELDS}
            if customer.state:
                initial["state"] = f"{customer.country}-{customer.state}"
            initial["domain_prefix"] = customer.domain_prefix
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        elif partner is not None:
            kwargs.setdefault("initial", {}).setdefault("country", partner.market)
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Select a country/region")),
            *countries.country_choices(),
        ]
        self.fields["state"].widget.choices = _state_choices()
        cast(forms.ChoiceField, self.fields["culture"]).choices = [
            ("", _("Default for the country/region")),
            *((culture, culture) for culture in supported_cultures()),
        ]
        if customer is not None:
            # Disabled: Django ignores whatever value is posted and keeps the customer's own.
            self.fields["domain_prefix"].disabled = True
            self.fields["domain_prefix"].required = False
            self.fields["domain_prefix"].help_text = _("The primary domain can't be changed.")
        elif live_domain_check:
            # The check needs a signed-in partner user; a public page (invitation acceptance) passes False.
            self.fields["domain_prefix"].widget.attrs["data-domain-check-url"] = reverse("customers:domain_check")
        self.fields["company_name"].widget.attrs.update(
            {
                # The live ".com" hint uses the same pattern the server warns with.
                "data-warn-pattern": company_names._GENERIC_TLD_PATTERN.pattern,
                "data-warn-message": str(company_names.MESSAGES["domain_extension"]),
            }
        )
        self._mark_country_required_fields()
        self.fields["country"].widget.attrs["data-state-country"] = "true"
        self.fields["state"].widget.attrs["data-state-select"] = "true"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = self.build_layout()

    def _mark_country_required_fields(self) -> None:
        """Mark state and postal code required (label marker, `required`) when the chosen country needs them.

        The country is the submitted one, else the initial one; the message stays the service's own."""
        if self.is_bound:
            country = str(self.data.get(self.add_prefix("country")) or "")
        else:
            country = str(self.get_initial_for_field(self.fields["country"], "country") or "")
        try:
            rules = countries.get_rules(country)
        except KeyError:
            return
        for name, needed in (("state", rules.state_required), ("postal_code", rules.postal_code_required)):
            if needed and not self.fields[name].disabled:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = countries.MESSAGES[f"{name}_required"]

    def build_layout(self) -> Layout:
        """Group the fields as Partner Center's form does: company, address, primary contact."""
        suffix = settings.PORTAL_DOMAIN_SUFFIX
        return Layout(
            Fieldset(
                _("Company"),
                Field("company_name"),
                HTML('<div class="form-text text-warning-emphasis mb-3 d-none" id="company-name-warning"></div>'),
                AppendedText("domain_prefix", suffix),
                HTML('<div class="form-text mb-3" id="domain-check-message" role="status" aria-live="polite"></div>'),
                Field("registration_id"),
                Field("culture"),
            ),
            Fieldset(
                _("Address"),
                Field("country"),
                Field("address_line1"),
                Field("address_line2"),
                Div(
                    Div(Field("city"), css_class="col-md-5"),
                    Div(Field("state"), css_class="col-md-4", css_id="state-wrapper"),
                    Div(Field("postal_code"), css_class="col-md-3"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Primary contact"),
                Div(
                    Div(Field("contact_first_name"), css_class="col-md-6"),
                    Div(Field("contact_last_name"), css_class="col-md-6"),
                    css_class="row",
                ),
                Field("contact_email"),
                Field("contact_phone"),
            ),
        )

    def _state_value(self, country: str, state: str) -> str:
        """Turn the select's "US-WA" into "WA" when it belongs to the chosen country; leave anything else as typed."""
        prefix, dash, code = state.partition("-")
        if dash and prefix.upper() == country.upper() and code:
            return code
        return state

    def customer_data(self) -> dict[str, Any]:
        """The profile as the services take it (model field names, state as its code)."""
        data = {field: self.cleaned_data.get(field, "") for field in PROFILE_FIELDS}
        data["state"] = self._state_value(str(data["country"] or ""), str(data["state"] or ""))
        return data

    def service_data(self) -> dict[str, Any]:
        """Everything `customer_clean` judges for this form (subclasses add their fields)."""
        return self.customer_data()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        try:
            customer_clean(
                data=self.service_data(),
                domain_prefix=None if self.customer is not None else cleaned.get("domain_prefix", ""),
                partner=self.partner,
                customer=self.customer,
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                # A field Django already rejected keeps that one message; the service would only repeat it.
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, errors)
        return cleaned


class CustomerAgreementForm(forms.Form):
    """The partner's attestation that the customer accepted the customer agreement."""

    agreement_name = forms.CharField(
        label=_("Name of the person who accepted"), widget=forms.TextInput(attrs={"maxlength": 81})
    )
    agreement_email = forms.CharField(label=_("Their email address"), widget=forms.EmailInput(attrs={"maxlength": 254}))
    agreement_date = forms.DateField(
        label=_("Agreement acceptance date"),
        help_text=_("Can't be in the future."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
