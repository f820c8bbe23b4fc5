"""Add customer: the page that onboards a new customer with the partner's active relationship.

It lives in `relationships` because it begins a relationship; the root urlconf mounts it in the `customers`
namespace, so its URL name stays `customers:customer_create`.
"""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from customers.company_names import company_name_warnings
from customers.hooks import add_customer_initial
from partnerportal.views.generic import AuthenticatedHttpRequest, PortalPermissionMixin, ServiceFormMixin
from permissions import policy
from permissions.roles import Action
from relationships.forms.onboarding import AddCustomerForm
from relationships.services import customer_onboard_with_options


class CustomerCreateView(PortalPermissionMixin, ServiceFormMixin, FormView):
    """Add a customer: the profile, the customer agreement and, for indirect partners, the other partner."""

    request: AuthenticatedHttpRequest
    permission_required = Action.ADD_CUSTOMER
    form_class = AddCustomerForm
    template_name = "customers/customer_form.html"

    def get_initial(self):
        # Values other apps draw from the query string (customers.hooks), e.g. a lead's company and contact.
        return {**super().get_initial(), **add_customer_initial(user=self.request.user, params=self.request.GET)}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs.update(partner=user.partner, actions=policy.user_actions(user), user=user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Add customer"),
            intro=_("A new customer gets an active reseller relationship with your organisation at once."),
            submit_label=_("Add customer"),
            cancel_url=reverse("customers:customer_list"),
            can_submit=context["form"].has_providers,
        )
        return context

    def perform(self, form):
        customer = customer_onboard_with_options(
            actor=self.request.user,
            data=form.customer_data(),
            domain_prefix=form.cleaned_data["domain_prefix"],
            reseller=form.cleaned_data.get("reseller"),
            provider=form.cleaned_data.get("provider"),
            options=form.option_values(),
        )
        messages.success(self.request, _("%(name)s was added.") % {"name": customer.company_name})
        for warning in company_name_warnings(customer.company_name):
            messages.warning(self.request, warning)
        return customer

    def get_success_url(self) -> str:
        if policy.can(self.request.user, Action.VIEW_CUSTOMER, self.object):
            return self.object.get_absolute_url()
        # Staff limited to assigned customers do not see a customer they added until someone assigns it.
        messages.info(self.request, _("The customer is not assigned to you, so it is not in your list."))
        return reverse("customers:customer_list")
