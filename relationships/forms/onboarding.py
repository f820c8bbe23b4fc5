"""The Add customer form: the customer profile, the customer agreement and, for indirect partners, the other
partner of the relationship the new customer begins with (onboarding)."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import CustomerForm
from customers.hooks import add_customer_fields
from customers.models import Customer
from partnerportal.models import Partner, User
from permissions.roles import Action
from relationships.selectors import active_providers, active_resellers


class AddCustomerForm(CustomerForm):
    """The add-customer page: the profile, the customer agreement and, for indirect partners, the partner chain.

    `actions`: the user's actions (`policy.user_actions`): whether they may confirm the customer agreement, choose
    the indirect reseller (providers) or must choose the indirect provider (resellers).
    An indirect provider may pick one of its active resellers; an indirect reseller must pick one of its active
    providers (`has_providers` is False when it has none: the page then offers nothing to submit).
    """

    agreement_status = forms.ChoiceField(
        label=_("Customer agreement"),
        widget=forms.RadioSelect,
        initial=Customer.Agreement.NOT_PROVIDED,
        choices=[
            (Customer.Agreement.NOT_PROVIDED, _("Customer will be asked to accept the customer agreement.")),
            (
                Customer.Agreement.ATTESTED_BY_PARTNER,
                _("Customer has accepted the latest customer agreement, and I attest to it."),
            ),
        ],
    )
    agreement_name = forms.CharField(
        label=_("Name of the person who accepted"), required=False, widget=forms.TextInput(attrs={"maxlength": 81})
    )
    agreement_email = forms.CharField(
        label=_("Their email address"), required=False, widget=forms.EmailInput(attrs={"maxlength": 254})
    )
    agreement_date = forms.DateField(
        label=_("Agreement acceptance date"),
        required=False,
        help_text=_("Can't be in the future."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reseller = forms.ModelChoiceField(
        label=_("Indirect reseller"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("None: my organisation sells to this customer directly"),
        help_text=_("The indirect reseller to associate with this customer."),
    )
    provider = forms.ModelChoiceField(
        label=_("Indirect provider"),
        queryset=Partner.objects.none(),
        empty_label=_("Select an indirect provider"),
        help_text=_("Your indirect provider for this customer; the customer is linked to both of you."),
    )

    def __init__(
        self, *args, partner: Partner, actions: frozenset[str] = frozenset(), user: User | None = None, **kwargs
    ):
        super().__init__(*args, partner=partner, customer=None, **kwargs)
        if Action.ATTEST_AS_PARTNER not in actions:
            for name in ("agreement_status", "agreement_name", "agreement_email", "agreement_date"):
                del self.fields[name]
        if Action.CHOOSE_INDIRECT_RESELLER in actions:
            cast(forms.ModelChoiceField, self.fields["reseller"]).queryset = active_resellers(partner)
        else:
            del self.fields["reseller"]
        if Action.CHOOSE_PROVIDER in actions:
            provider = cast(forms.ModelChoiceField, self.fields["provider"])
            provider.queryset = active_providers(partner)
            self.has_providers = provider.queryset.exists()
        else:
            del self.fields["provider"]
            self.has_providers = True
        self.option_names: list[str] = []
        if user is not None:
            options = add_customer_fields(user=user)
            self.fields.update(options)
            self.option_names = list(options)
        self.helper.layout = self.build_layout()

    def build_layout(self) -> Layout:
        layout = super().build_layout()
        chain = [name for name in ("provider", "reseller") if name in self.fields]
        if chain:
            layout.insert(0, Fieldset(_("Partner"), *chain))
        if "agreement_status" in self.fields:
            layout.append(
                Fieldset(
                    _("Customer agreement"),
                    Field("agreement_status"),
                    Div(
                        Div(Field("agreement_name"), css_class="col-md-4"),
                        Div(Field("agreement_email"), css_class="col-md-5"),
                        Div(Field("agreement_date"), css_class="col-md-3"),
                        css_class="row",
                    ),
                )
            )
        # Options other apps contribute (customers.hooks), e.g. the default admin relationship.
        for name in getattr(self, "option_names", []):
            layout.append(Field(name))
        return layout

    def option_values(self) -> dict[str, Any]:
        """The submitted values of the contributed options, by name."""
        return {name: self.cleaned_data.get(name) for name in self.option_names}

    def customer_data(self) -> dict[str, Any]:
        data = super().customer_data()
        if "agreement_status" in self.fields:
            data.update(
                {
                    name: self.cleaned_data.get(name)
                    for name in ("agreement_status", "agreement_name", "agreement_email", "agreement_date")
                }
            )
        return data
