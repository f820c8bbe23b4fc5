"""From DAP to admin relationships: the list of customers still on the legacy delegated admin flag, the one-click
least-privilege request from a template, and removing DAP once an admin relationship is active."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from adminrelationships import selectors, services
from adminrelationships.forms import DapRemoveForm, DapRequestForm
from adminrelationships.models import Status
from customers.models import Customer
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.views.generic import AuthenticatedHttpRequest, KeysetListView, ObjectFormView, PortalPermissionMixin
from permissions import policy
from permissions.roles import Action


def _parse_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


class DapListView(KeysetListView):
    """Customers whose relationship still carries DAP: their live admin relationships, the one-click request, and
    "Remove DAP" once one is active. Admin agents act; other roles with access read."""

    permission_required = Action.VIEW_ADMIN_RELATIONSHIP
    template_name = "adminrelationships/dap_list.html"
    # The "Customer" header: A–Z or Z–A, both served by customer_name_keyset.
    sorts = {"name": Ordering("company_name"), "-name": Ordering("company_name", descending=True)}
    rows_name = "customers"
    pk_parse = staticmethod(_parse_uuid)

    def get_list_queryset(self):
        return selectors.dap_customer_list(user=self.request.user)

    def prepare_rows(self, rows: list) -> None:
        for customer in rows:
            statuses = {relationship.current_status for relationship in customer.live_admin_relationships}
            customer.dap_has_live = bool(statuses)
            customer.dap_has_active = Status.ACTIVE in statuses

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_manage = policy.has_action(user, Action.MANAGE_ADMIN_RELATIONSHIP)
        templates = list(selectors.role_templates_of(user=user)) if can_manage else []
        default = next((template for template in templates if template.is_default), None)
        context.update(can_manage=can_manage, templates=templates, default_template=default)
        return context


class DapRequestView(PortalPermissionMixin, View):
    """POST: request the least-privilege admin relationship of the chosen template for one DAP customer."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_ADMIN_RELATIONSHIP
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponseRedirect:
        customers = policy.restrict(Customer.objects.all(), request.user, Action.MANAGE_ADMIN_RELATIONSHIP)
        customer = get_object_or_404(customers, pk=pk)
        form = DapRequestForm(request.POST, templates=selectors.role_templates_of(user=request.user))
        if not form.is_valid():
            messages.error(request, _("Choose one of your organisation's role templates."))
        else:
            try:
                relationship = services.dap_admin_relationship_request(
                    actor=request.user, customer=customer, template=form.cleaned_data["template"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("%(name)s was requested for %(customer)s; the request was emailed to %(email)s.")
                    % {
                        "name": relationship.name,
                        "customer": customer.company_name,
                        "email": relationship.request_email,
                    },
                )
        return HttpResponseRedirect(reverse("adminrelationships:dap_list"))


class DapRemoveView(ObjectFormView):
    """Confirm removing the legacy DAP flag from a customer that has an active admin relationship."""

    permission_required = Action.MANAGE_ADMIN_RELATIONSHIP
    model = Customer
    form_class = DapRemoveForm
    template_name = "adminrelationships/dap_remove.html"
    context_object_name = "customer"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["admin_relationships"] = [
            relationship
            for relationship in selectors.admin_relationships_of(user=self.request.user, customer=self.object)
            if relationship.status == Status.ACTIVE
        ]
        return context

    def perform(self, form):
        services.dap_remove(actor=self.request.user, customer=self.object)
        return self.object

    def notify(self, result) -> None:
        messages.success(
            self.request,
            _("Delegated admin privileges were removed from %(customer)s.") % {"customer": result.company_name},
        )

    def get_success_url(self) -> str:
        return reverse("adminrelationships:dap_list")
