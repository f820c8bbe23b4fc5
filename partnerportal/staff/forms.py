"""Forms of the staff management pages: they validate shape; the services in partnerportal/staff/services.py decide."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from permissions.roles import AdminRole, AgentRole, Scope


def assignable_customers(partner):
    """The customers a partner may assign to its staff: those it holds an active relationship with."""
    return Customer.objects.filter(relationships__partner=partner, relationships__status="active").order_by(
        "company_name", "id"
    )


class AssignedCustomersField(forms.ModelMultipleChoiceField):
    """Customers listed by name and primary domain."""

    def label_from_instance(self, obj: Customer) -> str:
        return f"{obj.company_name} ({obj.primary_domain})"


class StaffUserForm(forms.Form):
    """Roles, scope and assigned customers of a staff user (at most one admin and one agent role, by design)."""

    first_name = forms.CharField(label=_("First name"), max_length=40, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=40, required=False)
    admin_role = forms.ChoiceField(
        label=_("Admin role"), choices=AdminRole.choices, required=False, initial="", widget=forms.RadioSelect
    )
    agent_role = forms.ChoiceField(
        label=_("Agent role"), choices=AgentRole.choices, required=False, initial="", widget=forms.RadioSelect
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices, initial=Scope.PARTNER, widget=forms.RadioSelect)
    customers = AssignedCustomersField(
        label=_("Assigned customers"),
        queryset=Customer.objects.none(),
        required=False,
        help_text=_('Used only when the scope is "Assigned customers only". Hold Ctrl (⌘ on a Mac) to pick several.'),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["customers"]).queryset = assignable_customers(partner)


class StaffUserCreateForm(StaffUserForm):
    """A new staff user: email and names, then roles and scope."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    field_order = ["email", "first_name", "last_name", "admin_role", "agent_role", "scope", "customers"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
