"""Customer pages: list, detail (and, in later modules, add, edit, export, lookup, tags, subscriptions)."""

from __future__ import annotations

from django.conf import settings
from django.views.generic import DetailView, TemplateView

from customers import selectors
from customers.filters import CustomerFilterForm
from customers.models import Customer
from partnerportal.mixins import PortalPermissionMixin
from partnerportal.pagination import Ordering, paginate
from permissions import policy
from permissions.roles import Action
from relationships.models import relationship_label


def _parse_uuid(value: str):
    import uuid

    return uuid.UUID(value)


class CustomerListView(PortalPermissionMixin, TemplateView):
    """The customer list: search, filters, sort and keyset pages of 50, all state in the URL."""

    permission_required = Action.VIEW_CUSTOMER
    template_name = "customers/customer_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = CustomerFilterForm(self.request.GET, user=user)
        values = form.values()
        field, descending = selectors.SORTS[values.pop("sort")]
        qs = selectors.customer_list(user=user, **values).prefetch_related(selectors.tags_prefetch(user=user))
        page = paginate(
            qs,
            Ordering(field, descending),
            after=self.request.GET.get("after", ""),
            before=self.request.GET.get("before", ""),
            size=settings.PORTAL_PAGE_SIZE,
            pk_parse=_parse_uuid,
        )
        is_provider = user.partner.is_indirect_provider
        for customer in page.rows:
            customer.relationship_label = relationship_label(
                customer.rel_kind, is_provider, customer.rel_indirect_partner_name
            )
        params = self.request.GET.copy()
        for key in ("after", "before"):
            params.pop(key, None)
        context.update(
            form=form,
            page=page,
            customers=page.rows,
            base_query=params.urlencode(),
            filtered=any(values.values()),
        )
        return context


class CustomerDetailView(PortalPermissionMixin, DetailView):
    """One customer's page: every section the user may see, with only the actions the user may take."""

    permission_required = Action.VIEW_CUSTOMER
    model = Customer
    template_name = "customers/customer_detail.html"
    context_object_name = "customer"

    def get_queryset(self):
        user = self.request.user
        return selectors.customer_queryset(user=user).prefetch_related(selectors.tags_prefetch(user=user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        customer = self.object
        context.update(
            can=policy.object_actions(user, [customer.pk]).get(customer.pk, set()),
            relationships=list(selectors.relationships_of(user=user, customer=customer)),
            subscriptions=list(selectors.subscriptions_of(user=user, customer=customer)),
            relationship_label=relationship_label(
                customer.rel_kind, user.partner.is_indirect_provider, customer.rel_indirect_partner_name
            ),
        )
        return context
