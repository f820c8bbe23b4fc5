"""Customer pages: list, detail, edit, agreement, domain check (Add customer is an onboarding page in
`relationships.views.onboarding`: it begins a relationship too)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView

from activity.selectors import activity_recent_for_customer
from customers import selectors
from customers import services as customer_services
from customers.company_names import company_name_warnings
from customers.filters import CustomerFilterForm
from customers.forms import CustomerAgreementForm, CustomerForm
from customers.models import Customer, Tag
from customers.panels import customer_panels
from customers.views.base import CustomerFormMixin
from customers.views.purchase_permissions import purchase_permission_panel
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.views.generic import AuthenticatedHttpRequest, KeysetListView, PortalPermissionMixin
from permissions import policy
from permissions.roles import Action
from relationships.models import relationship_label


def _parse_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


class CustomerListView(KeysetListView):
    """The customer list: search, filters, sort (the Name header or the select) and keyset pages, all state in the
    URL."""

    permission_required = Action.VIEW_CUSTOMER
    template_name = "customers/customer_list.html"
    rows_name = "customers"
    pk_parse = staticmethod(_parse_uuid)
    # Each served by its keyset index (customer_name_keyset, customer_created_keyset, both scanned either way).
    sorts = {key: Ordering(field, descending) for key, (field, descending) in selectors.SORTS.items()}

    def get_list_queryset(self):
        self.form = CustomerFilterForm(self.request.GET, user=self.request.user)
        self.values = self.form.values()
        self.sort = self.values.pop("sort")
        self.filtered = selectors.customer_list(user=self.request.user, **self.values)
        return selectors.customer_list_rows(self.filtered, user=self.request.user)

    def get_count_queryset(self, queryset):
        # The same filters and scope without the row's columns and tag names: the count reads no more than it needs.
        return self.filtered

    def get_sort(self) -> str:
        return self.sort

    def prepare_rows(self, rows):
        is_provider = policy.has_action(self.request.user, Action.SELL_THROUGH_RESELLERS)
        # A page's rows share a handful of labels (direct, or through one of the partner's few resellers): each is
        # translated and formatted once.
        labels: dict[tuple, str] = {}
        for customer in rows:
            key = (customer.rel_kind, customer.rel_indirect_partner_name)
            label = labels.get(key)
            if label is None:
                label = labels[key] = relationship_label(key[0], is_provider, key[1])
            customer.relationship_label = label

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, filtered=any(self.values.values()))
        return context


class CustomerDetailView(PortalPermissionMixin, DetailView):
    """One customer's page: every section the user may see, with only the actions the user may take."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_CUSTOMER
    model = Customer
    template_name = "customers/customer_detail.html"
    context_object_name = "customer"

    def get_queryset(self):
        user = self.request.user
        return selectors.customer_queryset(user=user).annotate(tag_names=selectors.tag_names_array(user=user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        customer = self.object
        subscriptions = list(selectors.subscriptions_of(user=user, customer=customer))
        context.update(
            # The customer came through policy.restrict, so it is reached: no query for the actions on it.
            can=policy.reached_customer_actions(user),
            relationships=list(selectors.relationships_of(user=user, customer=customer)),
            subscriptions=subscriptions,
            relationship_label=relationship_label(
                customer.rel_kind,
                policy.has_action(user, Action.SELL_THROUGH_RESELLERS),
                customer.rel_indirect_partner_name,
            ),
            tag_limit=Tag.MAX_PER_CUSTOMER,
        )
        # The "Customer permissions" and "Recent activity" sections (permissions/, activity/).
        context["purchase_permissions"] = purchase_permission_panel(
            user=user,
            customer=customer,
            can=context["can"],
            has_azure_plan=any(s.is_active_azure_plan for s in subscriptions),
        )
        context["recent_activity"] = activity_recent_for_customer(user=user, customer=customer)
        # Sections of apps above customers (admin relationships), registered in customers.panels.
        context["panels"] = customer_panels(user=user, customer=customer)
        return context


class CustomerUpdateView(CustomerFormMixin, FormView):
    """Edit a customer's profile; the primary domain is shown but never changes."""

    request: AuthenticatedHttpRequest
    permission_required = Action.CHANGE_CUSTOMER
    form_class = CustomerForm
    template_name = "customers/customer_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(partner=self.request.user.partner, customer=self.object)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Edit %(name)s") % {"name": self.object.company_name},
            submit_label=_("Save"),
            cancel_url=self.object.get_absolute_url(),
            can_submit=True,
        )
        return context

    def perform(self, form):
        return customer_services.customer_update(
            actor=self.request.user, customer=self.object, data=form.customer_data()
        )

    def notify(self, customer):
        messages.success(self.request, _("The customer's details were saved."))
        for warning in company_name_warnings(customer.company_name):
            messages.warning(self.request, warning)


class CustomerAgreementView(CustomerFormMixin, FormView):
    """Confirm, on the partner's word, that the customer accepted the customer agreement."""

    request: AuthenticatedHttpRequest
    permission_required = Action.ATTEST_AGREEMENT
    form_class = CustomerAgreementForm
    template_name = "generic/object_form.html"

    def get_initial(self):
        customer = self.object
        if customer.agreement_status == Customer.Agreement.ATTESTED_BY_PARTNER:
            return {
                "agreement_name": customer.agreement_name,
                "agreement_email": customer.agreement_email,
                "agreement_date": customer.agreement_date,
            }
        # Partner Center pre-fills the acceptor with the primary contact.
        return {"agreement_name": customer.contact_name, "agreement_email": customer.contact_email}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Confirm customer agreement · %(name)s") % {"name": self.object.company_name},
            intro=_(
                "Confirm that the customer accepted the latest customer agreement: who accepted it, their email "
                "address and the date. Current status: %(status)s."
            )
            % {"status": self.object.get_agreement_status_display()},
            submit_label=_("Confirm"),
            cancel_url=self.object.get_absolute_url(),
        )
        return context

    def perform(self, form):
        return customer_services.customer_agreement_attest(
            actor=self.request.user,
            customer=self.object,
            name=form.cleaned_data["agreement_name"],
            email=form.cleaned_data["agreement_email"],
            date=form.cleaned_data["agreement_date"],
        )

    def notify(self, customer):
        messages.success(self.request, _("The customer agreement was confirmed."))


class DomainCheckView(PortalPermissionMixin, View):
    """The add form's live check: is `?prefix=` a valid, free primary domain? Answers JSON."""

    request: AuthenticatedHttpRequest
    permission_required = Action.ADD_CUSTOMER

    def get(self, request, *args, **kwargs):
        available, message = customer_services.domain_check(request.GET.get("prefix", ""))
        response = JsonResponse({"available": available, "message": message})
        # The answer changes as soon as anyone takes the domain.
        response["Cache-Control"] = "no-store"
        return response
