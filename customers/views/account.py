"""Customer pages beyond list and detail: CSV export, helpdesk lookup, tags and subscriptions.

Kept apart from customers/views.py (list, detail, add, edit) so the two can change independently.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from customers import selectors
from customers.filters import CustomerFilterForm, CustomerLookupForm
from customers.forms.subscriptions import SubscriptionForm, SubscriptionStatusForm
from customers.forms.tags import CustomerTagsForm
from customers.models import Customer, Subscription
from customers.services.subscriptions import UNKNOWN_ACTION, subscription_create, subscription_status_change
from customers.services.tags import customer_tags_set
from customers.views.base import CustomerFormMixin
from partnerportal.infrastructure.csvexport import csv_lines, csv_response
from partnerportal.views.generic import (
    ASK_FIRST,
    AuthenticatedHttpRequest,
    Confirmation,
    PortalPermissionMixin,
    ServiceActionView,
)
from permissions import policy
from permissions.roles import Action
from relationships.models import relationship_label

EXPORT_CHUNK_ROWS = 2000  # rows per fetch from the server-side cursor


def _export_rows(rows, *, is_provider: bool, language: str) -> Iterator[tuple]:
    # A handful of distinct labels over the whole file: translate each once, not once per row.
    labels: dict[tuple, str] = {}
    # The generator runs after the view has returned: keep the request's language for the relationship labels.
    with translation.override(language):
        for pk, name, domain, kind, other_partner, tags in rows.iterator(chunk_size=EXPORT_CHUNK_ROWS):
            label = labels.get((kind, other_partner))
            if label is None:
                label = labels[kind, other_partner] = relationship_label(kind, is_provider, other_partner)
            yield pk, name, domain, label, tags


class CustomerExportView(PortalPermissionMixin, View):
    """The customer list (whole, or as searched and filtered: same query string) as a streamed CSV file."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_CUSTOMER
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        user = request.user
        values = CustomerFilterForm(request.GET, user=user).values()
        rows = selectors.customer_export(user=user, **values)
        header = [str(_("Customer ID")), str(_("Company name")), str(_("Primary domain name"))]
        header += [str(_("Relationship")), str(_("Tags"))]
        lines = csv_lines(
            header,
            _export_rows(
                rows,
                is_provider=policy.has_action(user, Action.SELL_THROUGH_RESELLERS),
                language=translation.get_language(),
            ),
        )
        return csv_response(lines, filename="customers.csv")


class CustomerLookupView(PortalPermissionMixin, TemplateView):
    """Helpdesk lookup: one box; exact customer ID / domain / contact email hits first, then name matches."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_CUSTOMER
    template_name = "customers/customer_lookup.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = CustomerLookupForm(self.request.GET if "q" in self.request.GET else None)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        results = selectors.customer_lookup(user=user, q=q) if q else []
        is_provider = policy.has_action(user, Action.SELL_THROUGH_RESELLERS)
        for result in results:
            customer = result.customer
            customer.relationship_label = relationship_label(
                customer.rel_kind, is_provider, customer.rel_indirect_partner_name
            )
        context.update(
            form=form,
            results=results,
            searched=bool(selectors.search_needle(q)),
            limit=selectors.LOOKUP_LIMIT,
            truncated=len(results) >= selectors.LOOKUP_LIMIT,
        )
        return context


class CustomerTagsView(CustomerFormMixin, FormView):
    """Set the customer's tags: check the partner's existing tags and type new ones."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_TAGS
    form_class = CustomerTagsForm
    template_name = "customers/customer_tags.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        mine = policy.restrict(self.object.customer_tags.all(), self.request.user, Action.MANAGE_TAGS)
        return {"tags": list(mine.values_list("tag_id", flat=True))}

    def perform(self, form):
        customer_tags_set(
            actor=self.request.user,
            customer=self.object,
            tag_ids=[tag.pk for tag in form.cleaned_data["tags"]],
            new_names=form.cleaned_data["new_names"],
        )
        return HttpResponseRedirect(self.object.get_absolute_url() + "#tags")

    def notify(self, result):
        messages.success(self.request, _("Tags saved."))


class SubscriptionCreateView(CustomerFormMixin, FormView):
    """Add a subscription the partner sells to the customer."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_SUBSCRIPTIONS
    form_class = SubscriptionForm
    template_name = "customers/subscription_form.html"

    def perform(self, form):
        self.subscription = subscription_create(actor=self.request.user, customer=self.object, **form.cleaned_data)
        return HttpResponseRedirect(self.object.get_absolute_url() + "#subscriptions")

    def notify(self, result):
        messages.success(self.request, _("“%(offer)s” added.") % {"offer": self.subscription.offer_name})


class SubscriptionStatusView(ServiceActionView):
    """Suspend, reactivate or cancel one of the partner's subscriptions of the customer (POST); suspending and
    cancelling ask first (GET `?action=suspend` — the default — or `?action=cancel`)."""

    permission_required = Action.MANAGE_SUBSCRIPTIONS
    model = Customer
    http_method_names = ASK_FIRST

    SUCCESS = {
        "suspend": _("“%(offer)s” is suspended."),
        "reactivate": _("“%(offer)s” is active again."),
        "cancel": _("“%(offer)s” is cancelled."),
    }

    CONFIRM = {
        "suspend": (
            _("Suspend “%(offer)s” of %(customer)s?"),
            _("The service stops for the customer's users until the subscription is reactivated."),
            _("Suspend subscription"),
        ),
        "cancel": (
            _("Cancel “%(offer)s” of %(customer)s?"),
            _("The subscription ends for good: a cancelled subscription can't be reactivated."),
            _("Cancel subscription"),
        ),
    }

    def get_subscription(self, customer: Customer) -> Subscription:
        # It must be this customer's subscription and the user's partner's, whatever the URL says.
        mine = policy.restrict(
            Subscription.objects.filter(customer=customer), self.request.user, Action.MANAGE_SUBSCRIPTIONS
        )
        return get_object_or_404(mine, pk=self.kwargs["subscription_pk"])

    def get_confirmation(self, customer: Customer) -> Confirmation:
        subscription = self.get_subscription(customer)
        action = self.request.GET.get("action", "suspend")
        if action not in self.CONFIRM:
            raise Http404
        title, message, button = self.CONFIRM[action]
        names = {"offer": subscription.offer_name, "customer": customer.company_name}
        return Confirmation(
            title=str(title % names),
            message=str(message % names),
            button=str(button),
            cancel_url=customer.get_absolute_url() + "#subscriptions",
            cancel_label=str(_("Keep it")),
            fields={"action": action},
        )

    def run(self, customer: Customer) -> None:
        subscription = self.get_subscription(customer)
        form = SubscriptionStatusForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(UNKNOWN_ACTION)
        self.action = form.cleaned_data["action"]
        self.subscription = subscription_status_change(
            actor=self.request.user, subscription=subscription, action=self.action
        )

    def get_success_message(self, customer: Customer) -> str:
        return self.SUCCESS[self.action] % {"offer": self.subscription.offer_name}

    def get_redirect_url(self, customer: Customer) -> str:
        return customer.get_absolute_url() + "#subscriptions"
