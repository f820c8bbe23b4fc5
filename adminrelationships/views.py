"""Admin-relationship pages: the partner-wide list, a relationship's page, request, terminate, and the customer's
public approval page behind the emailed link."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, TemplateView

from adminrelationships import catalogue, selectors, services
from adminrelationships.forms import (
    AccessAssignmentForm,
    AdminRelationshipFilterForm,
    AdminRelationshipForm,
    ApprovalForm,
    CustomerEndForm,
    RoleTemplateForm,
    SecurityGroupForm,
    TerminateForm,
)
from adminrelationships.models import AdminRelationship, SecurityGroup, Status
from customers.models import Customer
from partnerportal.infrastructure.middleware import request_client_address
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.infrastructure.ratelimit import rate_limit_hit
from partnerportal.infrastructure.tokens import token_hash
from partnerportal.models import User
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
    ordering = Ordering("requested_at", descending=True)
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


class AdminRelationshipDetailView(PortalPermissionMixin, DetailView):
    """One admin relationship: what was requested and approved, its dates, and terminate for admin agents."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_ADMIN_RELATIONSHIP
    model = AdminRelationship
    template_name = "adminrelationships/adminrelationship_detail.html"
    context_object_name = "admin_relationship"

    def get_queryset(self):
        return selectors.admin_relationship_queryset(user=self.request.user).select_related(
            "customer", "requested_by", "terminated_by"
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
        context.update(
            customer=self.customer,
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


CLOSED = {Status.EXPIRED, Status.DECLINED, Status.TERMINATED, Status.ACTIVE}


@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class AdminRelationshipApproveView(View):
    """The public page the customer's global administrator reaches from the emailed link: approve all, or decline.

    Deliberately not a PortalPermissionMixin view: the person is not partner staff. The link is mailed only to the
    customer's contact address and never shown to staff, so holding it is the mailbox proof. GET only reads (a mail
    scanner opening the link leaves it valid); the answer is one POST, which works once. Every request counts
    against the same per-address and per-link limits as the invitation page.
    """

    template_name = "adminrelationships/adminrelationship_approve.html"
    relationship: AdminRelationship  # set by dispatch (a page of its own answers an unknown link)

    def dispatch(self, request, *args, **kwargs):
        token = kwargs["token"]
        address = request_client_address(request) or "unknown"
        for key, (limit, seconds) in [
            (f"admin-approve:addr:{address}", settings.PORTAL_INVITE_RATE_LIMIT_ADDRESS),
            (f"admin-approve:link:{token_hash(token)[:32]}", settings.PORTAL_INVITE_RATE_LIMIT_TOKEN),
        ]:
            result = rate_limit_hit(key=key, limit=limit, seconds=seconds)
            if not result.allowed:
                response = render(
                    request,
                    "relationships/invitation_rate_limited.html",
                    {"retry_minutes": max(1, round(result.retry_after / 60)), "reason": "page"},
                    status=429,
                )
                response["Retry-After"] = str(result.retry_after)
                return response
        found = services.admin_relationship_for_token(token)
        if found is None:
            return self.page(None, status=404)
        self.relationship = found
        return super().dispatch(request, *args, **kwargs)

    def page(
        self,
        relationship: AdminRelationship | None,
        *,
        form: ApprovalForm | None = None,
        end_form: CustomerEndForm | None = None,
        status: int = 200,
        error="",
    ) -> HttpResponse:
        current = relationship.status if relationship is not None else ""
        return render(
            self.request,
            self.template_name,
            {
                "admin_relationship": relationship,
                "status": current,
                "open": current == Status.APPROVAL_PENDING,
                "form": form or ApprovalForm(),
                "end_form": end_form or CustomerEndForm(),
                "error": error,
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        # While active the link still opens the page: the customer may end the relationship from it.
        status = 200 if self.relationship.status in (Status.APPROVAL_PENDING, Status.ACTIVE) else 410
        return self.page(self.relationship, status=status)

    def post(self, request, *args, **kwargs):
        token = kwargs["token"]
        if self.relationship.status == Status.ACTIVE and request.POST.get("decision") == "end":
            return self.end(token)
        if self.relationship.status != Status.APPROVAL_PENDING:
            return self.page(self.relationship, status=410)
        if request.POST.get("decision") == "decline":
            try:
                self.relationship = services.admin_relationship_decline(token=token)
            except ValidationError as exc:
                self.relationship.refresh_from_db()
                return self.page(self.relationship, status=409, error=" ".join(exc.messages))
            return self.page(self.relationship)
        form = ApprovalForm(request.POST)
        if not form.is_valid():
            return self.page(self.relationship, form=form)
        try:
            self.relationship = services.admin_relationship_approve(
                token=token, approver_name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            self.relationship.refresh_from_db()
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                return self.page(self.relationship, form=form)
            return self.page(self.relationship, status=409, error=" ".join(exc.messages))
        return self.page(self.relationship)

    def end(self, token: str) -> HttpResponse:
        form = CustomerEndForm(self.request.POST)
        if not form.is_valid():
            return self.page(self.relationship, end_form=form)
        try:
            self.relationship = services.admin_relationship_end_by_customer(
                token=token, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            self.relationship.refresh_from_db()
            return self.page(self.relationship, status=409, error=" ".join(exc.messages))
        return self.page(self.relationship)


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


class RoleTemplateListView(PortalPermissionMixin, ServiceFormMixin, FormView):
    """The partner's role templates, and a form to save a new one."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_ADMIN_RELATIONSHIP
    form_class = RoleTemplateForm
    template_name = "adminrelationships/roletemplate_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["templates"] = list(selectors.role_templates_of(user=self.request.user))
        return context

    def perform(self, form):
        template = services.role_template_create(
            actor=self.request.user, name=form.cleaned_data["name"], roles=form.cleaned_data["roles"]
        )
        messages.success(self.request, _("Role template saved."))
        return template

    def get_success_url(self) -> str:
        return reverse("adminrelationships:roletemplate_list")


def _staff(user) -> QuerySet:
    return User.objects.filter(partner_id=user.partner_id, is_active=True).order_by("email")


class SecurityGroupListView(PortalPermissionMixin, ServiceFormMixin, FormView):
    """The partner's security groups of staff, and a form to add one."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_SECURITY_GROUPS
    form_class = SecurityGroupForm
    template_name = "adminrelationships/securitygroup_list.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "staff": _staff(self.request.user)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = list(selectors.security_groups_of(user=self.request.user))
        return context

    def perform(self, form):
        group = services.security_group_save(
            actor=self.request.user, name=form.cleaned_data["name"], members=list(form.cleaned_data["members"])
        )
        messages.success(self.request, _("Security group saved."))
        return group

    def get_success_url(self) -> str:
        return reverse("adminrelationships:securitygroup_list")


class SecurityGroupUpdateView(ObjectFormView):
    """Rename a security group and choose its members."""

    permission_required = Action.MANAGE_SECURITY_GROUPS
    model = SecurityGroup
    form_class = SecurityGroupForm
    template_name = "adminrelationships/securitygroup_form.html"
    context_object_name = "group"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "staff": _staff(self.request.user)}

    def get_initial(self):
        return {"name": self.object.name, "members": list(self.object.members.all())}

    def perform(self, form):
        return services.security_group_save(
            actor=self.request.user,
            group=self.object,
            name=form.cleaned_data["name"],
            members=list(form.cleaned_data["members"]),
        )

    def notify(self, result) -> None:
        messages.success(self.request, _("Security group saved."))

    def get_success_url(self) -> str:
        return reverse("adminrelationships:securitygroup_list")


class AdminRelationshipAssignView(ObjectFormView):
    """Give a security group some of an active relationship's approved roles, or remove it."""

    permission_required = Action.MANAGE_ADMIN_RELATIONSHIP
    form_class = AccessAssignmentForm
    template_name = "adminrelationships/adminrelationship_assign.html"
    context_object_name = "admin_relationship"

    def get_queryset(self):
        return selectors.admin_relationship_queryset(
            user=self.request.user, action=Action.MANAGE_ADMIN_RELATIONSHIP
        ).select_related("customer")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "groups": selectors.security_groups_of(user=self.request.user),
            "relationship": self.object,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assignments"] = selectors.assignments_of(user=self.request.user, relationship=self.object)
        return context

    def perform(self, form):
        return services.access_assignment_set(
            actor=self.request.user,
            relationship=self.object,
            group=form.cleaned_data["group"],
            roles=form.cleaned_data["roles"],
        )

    def notify(self, result) -> None:
        messages.success(self.request, _("Assignments saved."))

    def form_valid(self, form):
        # The service returns the assignment (or None): the page redirected to stays the relationship's.
        self.relationship_pk = self.object.pk
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return reverse("adminrelationships:adminrelationship_assign", kwargs={"pk": self.relationship_pk})


class MyAdminAccessView(PortalPermissionMixin, TemplateView):
    """The signed-in user's admin access: each customer and the roles they hold there through their groups."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_ADMIN_RELATIONSHIP
    template_name = "adminrelationships/my_admin_access.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["held"] = selectors.my_admin_access(user=self.request.user)
        return context
