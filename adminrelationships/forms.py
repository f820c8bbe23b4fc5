"""Forms of the admin-relationship pages: the request, the list filter, termination and the customer's answer."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from adminrelationships import catalogue
from adminrelationships.models import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS, NAME_RULE, RoleTemplate, SecurityGroup, Status
from partnerportal.models import User
from permissions import policy
from permissions.roles import Action


def _role_label(role: catalogue.EntraRole):
    """A role's checkbox label: its English name, what it grants, and a badge when highly privileged."""
    badge = (
        format_html(' <span class="badge text-bg-warning">{}</span>', _("Highly privileged"))
        if role.highly_privileged
        else ""
    )
    return format_html(
        '{}{} <span class="d-block small text-body-secondary">{}</span>', role.name, badge, role.description
    )


class AdminRelationshipForm(forms.Form):
    """Request an admin relationship: name, duration, roles (least-privileged first) or a template, auto extend."""

    customer_id = forms.UUIDField(
        label=_("Customer ID"), help_text=_("The customer's ID, as shown on the customer's page.")
    )
    name = forms.CharField(label=_("Admin relationship name"), max_length=50, help_text=NAME_RULE)
    duration_days = forms.IntegerField(
        label=_("Duration in days"),
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=_("From 1 to 730 days (two years) after the customer approves."),
    )
    template: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Role template"),
        queryset=RoleTemplate.objects.none(),
        required=False,
        help_text=_("Request the roles of one of your templates instead of choosing them below."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Microsoft Entra roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Least-privileged roles first. Choose only what your staff need for the work."),
    )
    auto_extend = forms.BooleanField(
        label=_("Auto extend"),
        required=False,
        help_text=_("Extend by 180 days at each end. Not possible with Global Administrator."),
    )

    def __init__(self, *args, templates, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        roles = cast(forms.MultipleChoiceField, self.fields["roles"])
        roles.choices = [(role.template_id, _role_label(role)) for role in catalogue.ROLES_BY_PRIVILEGE]
        template = cast(forms.ModelChoiceField, self.fields["template"])
        template.queryset = templates
        template.empty_label = _("No template: choose roles below")
        if not templates.exists():
            del self.fields["template"]
        if customer is not None:
            del self.fields["customer_id"]


class AdminRelationshipFilterForm(forms.Form):
    """The list's filters; invalid values are ignored rather than refused."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Current (default)")), *Status.choices]
    )
    customer_id = forms.UUIDField(label=_("Customer ID"), required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Any role")), *[(r.template_id, r.name) for r in catalogue.ROLES_BY_PRIVILEGE]],
    )
    expiring = forms.IntegerField(label=_("Ends within (days)"), required=False, min_value=0, max_value=MAX_DAYS)

    def values(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data.get("status") or "",
            "customer": data.get("customer_id"),
            "role": data.get("role") or "",
            "expiring_days": data.get("expiring"),
        }


class TerminateForm(forms.Form):
    """Confirm ending an admin relationship, with the reason."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(
        label=_("I understand that my organisation loses these roles in the customer's organisation at once."),
    )


class CustomerEndForm(forms.Form):
    """The customer's administrator ends an active relationship, with the reason."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ApprovalForm(forms.Form):
    """The customer's global administrator approves the whole request."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    confirm = forms.BooleanField(
        label=_("I am a global administrator of this organisation and approve every role listed above."),
    )


class RoleTemplateForm(forms.Form):
    """A named set of roles to request from, and whether it is the partner's default."""

    name = forms.CharField(label=_("Template name"), max_length=100)
    roles = forms.MultipleChoiceField(label=_("Microsoft Entra roles"), widget=forms.CheckboxSelectMultiple)
    is_default = forms.BooleanField(
        label=_("Default template"),
        required=False,
        help_text=_(
            "Preselected for DAP customers, and offered as the default admin relationship when a customer is "
            "added. One template at most: choosing this one replaces the previous default."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roles = cast(forms.MultipleChoiceField, self.fields["roles"])
        roles.choices = [(role.template_id, _role_label(role)) for role in catalogue.ROLES_BY_PRIVILEGE]


class StaffChoiceField(forms.ModelMultipleChoiceField):
    """Staff users, shown by their email address."""

    def label_from_instance(self, obj) -> str:
        return obj.email


class SecurityGroupForm(forms.Form):
    """A security group's name and members (the partner's active staff)."""

    name = forms.CharField(label=_("Group name"), max_length=100)
    members: forms.ModelMultipleChoiceField = StaffChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        members = cast(forms.ModelMultipleChoiceField, self.fields["members"])
        members.queryset = staff


class AccessAssignmentForm(forms.Form):
    """Which of the relationship's approved roles a group holds (none removes the group's assignment)."""

    group: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Security group"), queryset=SecurityGroup.objects.none()
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles the group holds"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Among the roles the customer approved. Clear every role to remove the group."),
    )

    def __init__(self, *args, groups, relationship, **kwargs):
        super().__init__(*args, **kwargs)
        group = cast(forms.ModelChoiceField, self.fields["group"])
        group.queryset = groups
        roles = cast(forms.MultipleChoiceField, self.fields["roles"])
        roles.choices = [(role.template_id, _role_label(role)) for role in relationship.role_list]


class RoleTemplateDeleteForm(forms.Form):
    """Confirm deleting a role template."""

    confirm = forms.BooleanField(
        label=_("Delete this template. Admin relationships requested from it keep their roles."),
    )


class DapRequestForm(forms.Form):
    """The one-click request on the DAP page: which template to request from."""

    template: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Role template"), queryset=RoleTemplate.objects.none()
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["template"]).queryset = templates


class DapRemoveForm(forms.Form):
    """Confirm removing the legacy delegated admin privileges."""

    confirm = forms.BooleanField(
        label=_(
            "Remove delegated admin privileges from this relationship. My organisation keeps only the roles of "
            "its admin relationships."
        ),
    )


def default_relationship_field(user: User) -> forms.Field | None:
    """The add-customer checkbox for the default admin relationship (customers.hooks): offered, checked, to users
    who may request admin relationships when their partner has a default template; nobody else sees it."""
    if not policy.has_action(user, Action.MANAGE_ADMIN_RELATIONSHIP) or user.partner_id is None:
        return None
    template = RoleTemplate.objects.filter(partner_id=user.partner_id, is_default=True).first()
    if template is None:
        return None
    roles = ", ".join(role.name for role in template.role_list)
    return forms.BooleanField(
        label=_("Create the default admin relationship (%(template)s: %(roles)s)")
        % {"template": template.name, "roles": roles},
        required=False,
        initial=True,
        help_text=_(
            "Active at once, for 730 days: your organisation creates the customer's tenant, so no approval is "
            "needed. The customer's contact is told by email."
        ),
    )
