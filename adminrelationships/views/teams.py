"""Who on the partner's staff holds what: role templates, security groups, assignments, and "My admin access"."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from adminrelationships import selectors, services
from adminrelationships.forms import (
    AccessAssignmentForm,
    RoleTemplateDeleteForm,
    RoleTemplateForm,
    SecurityGroupForm,
)
from adminrelationships.models import RoleTemplate, SecurityGroup
from partnerportal.models import User
from partnerportal.views.generic import (
    AuthenticatedHttpRequest,
    ObjectFormView,
    PortalPermissionMixin,
    ServiceFormMixin,
)
from permissions.roles import Action


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
            actor=self.request.user,
            name=form.cleaned_data["name"],
            roles=form.cleaned_data["roles"],
            is_default=form.cleaned_data["is_default"],
        )
        messages.success(self.request, _("Role template saved."))
        return template

    def get_success_url(self) -> str:
        return reverse("adminrelationships:roletemplate_list")


class RoleTemplateUpdateView(ObjectFormView):
    """Rename a role template, change its roles, or make it the partner's default."""

    permission_required = Action.MANAGE_ADMIN_RELATIONSHIP
    model = RoleTemplate
    form_class = RoleTemplateForm
    template_name = "adminrelationships/roletemplate_form.html"
    context_object_name = "role_template"

    def get_initial(self):
        return {"name": self.object.name, "roles": list(self.object.roles), "is_default": self.object.is_default}

    def perform(self, form):
        return services.role_template_update(
            actor=self.request.user,
            template=self.object,
            name=form.cleaned_data["name"],
            roles=form.cleaned_data["roles"],
            is_default=form.cleaned_data["is_default"],
        )

    def notify(self, result) -> None:
        messages.success(self.request, _("Role template saved."))

    def get_success_url(self) -> str:
        return reverse("adminrelationships:roletemplate_list")


class RoleTemplateDeleteView(ObjectFormView):
    """Confirm and delete a role template (relationships requested from it keep their roles)."""

    permission_required = Action.MANAGE_ADMIN_RELATIONSHIP
    model = RoleTemplate
    form_class = RoleTemplateDeleteForm
    template_name = "adminrelationships/roletemplate_delete.html"
    context_object_name = "role_template"

    def still_in_scope(self, pk) -> bool:
        # The row is gone once deleted; the service checked it was the actor's partner's.
        return True

    def perform(self, form):
        name = self.object.name
        services.role_template_delete(actor=self.request.user, template=self.object)
        return name

    def notify(self, result) -> None:
        messages.success(self.request, _("Role template %(name)s deleted.") % {"name": result})

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
