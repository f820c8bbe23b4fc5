"""Forms of the staff management pages: they validate shape; the services in partnerportal/staff/services.py decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from partnerportal.models import User
from partnerportal.staff import selectors
from permissions.roles import AdminRole, AgentRole, Scope

NO_ROLE_REQUIRED = _(
    "Choose an admin role or an agent role, or tick the box below to save the user without a role on purpose."
)


class AssignedCustomersField(forms.ModelMultipleChoiceField):
    """Customers listed by name and primary domain."""

    def label_from_instance(self, obj: Customer) -> str:
        return f"{obj.company_name} ({obj.primary_domain})"


class StaffUserForm(forms.Form):
    """Roles, scope and assigned customers of a staff user (at most one admin and one agent role, by design).

    Assigned customers are picked without ever listing them all: the checkboxes are the chosen customers plus at
    most `ASSIGNABLE_SEARCH_LIMIT` matches of the "Find customers" search (`customer_q`, sent with the
    `find_customers` button, which re-shows the form instead of saving). A posted ID is accepted only among the
    customers the actor may assign (`selectors.assignable_customers`, through the policy).

    `for_page`: the page's form, with the picker and the explicit "no role" choice: it refuses a user without any
    role unless `no_role` is ticked (the API, which posts customer IDs, leaves both off).
    """

    first_name = forms.CharField(label=_("First name"), max_length=40, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=40, required=False)
    admin_role = forms.ChoiceField(
        label=_("Admin role"), choices=AdminRole.choices, required=False, initial="", widget=forms.RadioSelect
    )
    agent_role = forms.ChoiceField(
        label=_("Agent role"), choices=AgentRole.choices, required=False, initial="", widget=forms.RadioSelect
    )
    no_role = forms.BooleanField(
        label=_("Save without a role — the user can sign in but sees nothing until a role is given"),
        required=False,
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices, initial=Scope.PARTNER, widget=forms.RadioSelect)
    customers = AssignedCustomersField(
        label=_("Assigned customers"),
        queryset=Customer.objects.none(),
        required=False,
        help_text=_('Used only when the scope is "Assigned customers only". Ticked customers are assigned.'),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    customer_q = forms.CharField(
        label=_("Find customers"),
        required=False,
        max_length=200,
    )

    # The fields the page draws itself (the picker), after the others.
    picker_fields = ("customers", "customer_q")

    def __init__(self, *args: Any, actor: User, for_page: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.for_page = for_page
        # In the request's language (a lazy string formatted at import time would stay English).
        self.fields["customer_q"].help_text = _(
            "Part of a name, a domain or a customer ID; up to %(limit)s matches are shown."
        ) % {"limit": selectors.ASSIGNABLE_SEARCH_LIMIT}
        field = cast(forms.ModelMultipleChoiceField, self.fields["customers"])
        field.queryset = selectors.assignable_customers(actor=actor)
        if not for_page:
            # The API takes customer IDs and may leave a user without a role, as before.
            del self.fields["no_role"]
            del self.fields["customer_q"]
            return
        # The checkboxes: the chosen customers, then the search's matches (never every customer).
        if self.is_bound:
            chosen_pks = self.data.getlist("customers") if hasattr(self.data, "getlist") else []
            q = self.data.get("customer_q") or ""
        else:
            chosen_pks = self.initial.get("customers") or []
            q = self.initial.get("customer_q") or ""
        chosen = selectors.assignable_customers_chosen(actor=actor, pks=chosen_pks)
        self.search_query = str(q).strip()
        self.matches = selectors.assignable_customer_search(
            actor=actor, q=self.search_query, exclude=[c.pk for c in chosen]
        )
        self.more_matches = len(self.matches) >= selectors.ASSIGNABLE_SEARCH_LIMIT
        field.widget.choices = [(c.pk, field.label_from_instance(c)) for c in [*chosen, *self.matches]]

    def main_fields(self) -> list:
        """The bound fields above the customer picker."""
        return [self[name] for name in self.fields if name not in self.picker_fields]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        no_role = not cleaned.get("admin_role") and not cleaned.get("agent_role")
        if self.for_page and no_role and not cleaned.get("no_role"):
            self.add_error("no_role", NO_ROLE_REQUIRED)
        return cleaned

    @classmethod
    def initial_from(cls, data: Any) -> dict[str, Any]:
        """What a "Find customers" round trip puts back in the form: every field as it was sent, nothing saved."""
        initial: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                initial[name] = data.getlist(name)
            elif isinstance(field, forms.BooleanField):
                initial[name] = data.get(name) in ("on", "true", "1")
            elif name in data:
                initial[name] = data.get(name)
        return initial


class StaffUserCreateForm(StaffUserForm):
    """A new staff user: email and names, then roles and scope."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    field_order = ["email", "first_name", "last_name", "admin_role", "agent_role", "no_role", "scope", "customers"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "no_role" in self.fields:
            self.fields["no_role"].label = _(
                "Create without a role — the user can sign in but sees nothing until a role is given"
            )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
