"""Admin-relationship pages of the partner's staff: the partner-wide list, a relationship's page, request, terminate,
and the customer page's panel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView

from adminrelationships import catalogue, selectors, services
from adminrelationships.forms import (
    AdminRelationshipFilterForm,
    AdminRelationshipForm,
    TerminateForm,
)
from adminrelationships.models import AdminRelationship, Status
from customers.models import Customer
from partnerportal.infrastructure.csvexport import csv_lines, csv_response
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.views.generic import (
    AuthenticatedHttpRequest,
    KeysetListView,
    ObjectFormView,
    PortalPermissionMixin,
    ServiceFormMixin,
)
from permissions import policy
from permissions.roles import Action


class AdminRelationshipListView(KeysetListView):
    """Every admin relationship of the partner the user may see: status, roles, end, the request's delivery."""

    permission_required = Action.VIEW_ADMIN_RELATIONSHIP
    template_name = "adminrelationships/adminrelationship_list.html"
    # The "Requested" header: newest or oldest request first, both served by adminrel_partner_requested.
    sorts = {"-requested": Ordering("requested_at", descending=True), "requested": Ordering("requested_at")}
    rows_name = "admin_relationships"

    def get_list_queryset(self):
        self.form = AdminRelationshipFilterForm(self.request.GET)
        self.filters = selectors.ListFilters(**self.form.values())
        return selectors.admin_relationship_list(user=self.request.user, filters=self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            form=self.form,
            filtered=self.filters != selectors.ListFilters(),
            can_request=policy.has_action(user, Action.MANAGE_ADMIN_RELATIONSHIP),
            can_manage_groups=policy.has_action(user, Action.MANAGE_SECURITY_GROUPS),
        )
        return context


class AdminRelationshipExportView(PortalPermissionMixin, View):
    """The list under its current filters as a streamed CSV (formula-safe), every matching row, oldest request last."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_ADMIN_RELATIONSHIP
    http_method_names = ["get", "head"]
    # "Status" and "Roles" are stable codes (the status code, the roles' public template IDs); the labels beside them
    # are for people, in the exporting user's language (role names stay English, as Microsoft keeps them).
    header = [
        "Name",
        "Customer ID",
        "Customer",
        "Status",
        "Status label",
        "Roles",
        "Role names",
        "Auto extend",
        "Requested (UTC)",
        "Requested by",
        "Sent to",
        "Approved (UTC)",
        "Approved by",
        "Ends (UTC)",
        "Terminated (UTC)",
        "Termination reason",
    ]

    def get(self, request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
        filters = selectors.ListFilters(**AdminRelationshipFilterForm(request.GET).values())
        qs = selectors.admin_relationship_list(user=request.user, filters=filters).order_by("-requested_at", "-id")
        now = timezone.now()
        rows = (
            (
                relationship.name,
                relationship.customer_id,
                relationship.customer.company_name,
                relationship.status_at(now),
                relationship.status_label,
                " ".join(relationship.roles),
                "; ".join(role.name for role in relationship.role_list),
                "yes" if relationship.auto_extend else "no",
                _utc(relationship.requested_at),
                relationship.requested_by.email if relationship.requested_by else "",
                relationship.request_email,
                _utc(relationship.approved_at),
                relationship.approved_name,
                _utc(relationship.ends_at),
                _utc(relationship.terminated_at),
                relationship.termination_reason,
            )
            for relationship in qs.iterator(chunk_size=2000)
        )
        stamp = timezone.localdate().isoformat()
        return csv_response(csv_lines(self.header, rows), filename=f"admin-relationships-{stamp}.csv")


def _utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment else ""


class AdminRelationshipDetailView(PortalPermissionMixin, DetailView):
    """One admin relationship: what was requested and approved, its dates, and terminate for admin agents."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_ADMIN_RELATIONSHIP
    model = AdminRelationship
    template_name = "adminrelationships/adminrelationship_detail.html"
    context_object_name = "admin_relationship"

    def get_queryset(self):
        return selectors.admin_relationship_queryset(user=self.request.user).select_related(
            "customer", "requested_by", "terminated_by", "invitation_request"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        relationship = self.object
        may_manage = policy.can(self.request.user, Action.MANAGE_ADMIN_RELATIONSHIP, relationship.customer)
        context.update(
            can_terminate=may_manage and relationship.current_status in (Status.ACTIVE, Status.APPROVAL_PENDING),
            can_assign=may_manage and relationship.current_status == Status.ACTIVE,
            assignments=selectors.assignments_of(user=self.request.user, relationship=relationship),
        )
        return context


class AdminRelationshipCreateView(PortalPermissionMixin, ServiceFormMixin, FormView):
    """Request an admin relationship, for the customer of `?customer_id=<id>` or one whose ID is typed in."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_ADMIN_RELATIONSHIP
    form_class = AdminRelationshipForm
    template_name = "adminrelationships/adminrelationship_form.html"
    customer: Customer | None = None

    def _reachable(self, pk: uuid.UUID) -> Customer:
        customers = policy.restrict(Customer.objects.all(), self.request.user, Action.MANAGE_ADMIN_RELATIONSHIP)
        return get_object_or_404(customers, pk=pk)

    def get_customer(self) -> Customer | None:
        """The customer of `?customer_id=<id>`: one the user may request for, else 404; None without the parameter."""
        raw = self.request.GET.get("customer_id", "")
        if not raw:
            return None
        try:
            return self._reachable(uuid.UUID(raw))
        except ValueError as exc:
            raise Http404 from exc

    def get(self, request, *args, **kwargs):
        self.customer = self.get_customer()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.customer = self.get_customer()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "templates": selectors.role_templates_of(user=self.request.user),
            "customer": self.customer,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        recipient = None
        if self.customer is not None:
            assert self.request.user.partner_id is not None  # partner staff only (the policy gives nobody else this)
            recipient = selectors.approval_recipient(partner_id=self.request.user.partner_id, customer=self.customer)
        context.update(
            customer=self.customer,
            recipient=recipient,
            cancel_url=self.customer.get_absolute_url()
            if self.customer
            else reverse("adminrelationships:adminrelationship_list"),
            highly_privileged=[role.name for role in catalogue.ROLES_BY_PRIVILEGE if role.highly_privileged],
        )
        return context

    def perform(self, form):
        data = form.cleaned_data
        customer = self.customer
        if customer is None:
            customers = policy.restrict(Customer.objects.all(), self.request.user, Action.MANAGE_ADMIN_RELATIONSHIP)
            customer = customers.filter(pk=data["customer_id"]).first()
            if customer is None:
                raise ValidationError({"customer_id": [_("None of your customers has this ID.")]})
        relationship = services.admin_relationship_request(
            actor=self.request.user,
            customer=customer,
            name=data["name"],
            duration_days=data["duration_days"],
            roles=data["roles"],
            template=data.get("template"),
            auto_extend=data["auto_extend"],
        )
        messages.success(
            self.request,
            _("The request was emailed to %(email)s. The customer has 90 days to approve it.")
            % {"email": relationship.request_email},
        )
        return relationship

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()


class AdminRelationshipTerminateView(ObjectFormView):
    """Confirm and terminate an admin relationship (or withdraw a pending request), with the reason."""

    permission_required = Action.MANAGE_ADMIN_RELATIONSHIP
    form_class = TerminateForm
    template_name = "adminrelationships/adminrelationship_terminate.html"
    context_object_name = "admin_relationship"

    def get_queryset(self):
        return selectors.admin_relationship_queryset(
            user=self.request.user, action=Action.MANAGE_ADMIN_RELATIONSHIP
        ).select_related("customer")

    def perform(self, form):
        return services.admin_relationship_terminate(
            actor=self.request.user, relationship=self.object, reason=form.cleaned_data["reason"]
        )

    def notify(self, result) -> None:
        messages.success(self.request, _("The admin relationship was terminated; both sides were emailed."))


def customer_panel_context(user, customer: Customer) -> dict | None:
    """The "Admin relationships" section of the customer page (registered in customers.panels).

    The page has found the customer in the user's scope, so the role decides the request button.
    """
    actions = policy.user_actions(user)
    if Action.VIEW_ADMIN_RELATIONSHIP not in actions:
        return None
    return {
        "admin_relationships": selectors.admin_relationships_of(user=user, customer=customer),
        "can_request": Action.MANAGE_ADMIN_RELATIONSHIP in actions,
        "customer": customer,
    }
