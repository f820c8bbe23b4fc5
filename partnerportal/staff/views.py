"""Staff management pages (global admins): list, add, edit roles and scope, deactivate, reset a password."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from partnerportal.infrastructure.pagination import Ordering
from partnerportal.mfa import selectors as mfa_selectors
from partnerportal.mfa import services as mfa_services
from partnerportal.mfa.forms import ConfirmForm, PartnerSecurityForm
from partnerportal.mfa.views import ReauthOnPostMixin, ReauthRequiredMixin
from partnerportal.models import User
from partnerportal.staff import selectors, services
from partnerportal.staff.forms import StaffUserCreateForm, StaffUserForm
from partnerportal.views.generic import (
    ASK_FIRST,
    AuthenticatedHttpRequest,
    Confirmation,
    KeysetListView,
    ObjectFormMixin,
    ObjectFormView,
    PortalPermissionMixin,
    ServiceActionView,
    ServiceFormMixin,
)
from permissions.models import CustomerAssignment
from permissions.roles import Action


def staff_status(user: User) -> str:
    """How the list shows a user: deactivated, waiting for them to choose a password, or active."""
    if not user.is_active:
        return str(_("Deactivated"))
    if not user.has_usable_password():
        return str(_("Invitation pending"))
    return str(_("Active"))


class StaffUserListView(KeysetListView):
    """The partner's staff users with their roles, scope and status, active users first; filter by role."""

    permission_required = Action.MANAGE_STAFF
    template_name = "partnerportal/staff_user_list.html"
    rows_name = "staff"
    # Active users first, then by email: one sortable key, so the keyset pager needs no COUNT and no OFFSET.
    ordering = Ordering("list_key")

    def get_list_queryset(self):
        role = self.request.GET.get("role", "")
        # An unknown role is ignored, as a filter the page does not offer.
        self.role = role if role in dict(selectors.STAFF_ROLE_FILTERS) else ""
        return selectors.staff_user_list(user=self.request.user, role=self.role)

    def prepare_rows(self, rows):
        for user in rows:
            user.status_label = staff_status(user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(role=self.role, role_choices=selectors.STAFF_ROLE_FILTERS)
        return context


# The name of the picker's search button: a POST carrying it searches instead of saving.
FIND_CUSTOMERS = "find_customers"


class CustomerPickerMixin:
    """The staff form's "Find customers" button: re-show the form as it was sent, with the search's matches as
    checkboxes, and save nothing (works without JavaScript; no page lists every customer)."""

    request: AuthenticatedHttpRequest

    if TYPE_CHECKING:  # provided by the form view the mixin is combined with
        form_class: type[StaffUserForm]

        def get_initial(self) -> dict: ...

        def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse: ...

        def get_context_data(self, **kwargs: Any) -> dict[str, Any]: ...

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]  # from the form view it is mixed into
        kwargs.update(actor=self.request.user, for_page=True)
        if self.request.method == "POST" and FIND_CUSTOMERS in self.request.POST:
            # Unbound, so the half-filled form shows no errors; what was sent comes back as its initial values.
            kwargs.pop("data", None)
            kwargs.pop("files", None)
            kwargs["initial"] = {**self.get_initial(), **self.form_class.initial_from(self.request.POST)}
        return kwargs

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if FIND_CUSTOMERS in request.POST:
            return self.render_to_response(self.get_context_data())
        return super().post(request, *args, **kwargs)  # type: ignore[misc]  # from the form view it is mixed into


class StaffUserCreateView(PortalPermissionMixin, ReauthRequiredMixin, CustomerPickerMixin, ServiceFormMixin, FormView):
    """Add a staff user; they receive a one-time link to choose their password (the page and the POST need a fresh
    re-authentication)."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_STAFF
    form_class = StaffUserCreateForm
    template_name = "partnerportal/staff_user_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Add user"),
            intro=_(
                "The user receives an email with a link to choose their password. "
                "The link works once and expires after 72 hours."
            ),
            submit_label=_("Add user"),
            cancel_url=reverse("staff:user_list"),
        )
        return context

    def perform(self, form):
        data = form.cleaned_data
        user = services.staff_user_add(
            actor=self.request.user,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            admin_role=data["admin_role"],
            agent_role=data["agent_role"],
            scope=data["scope"],
            customers=data["customers"],
        )
        message = _("%(email)s was added and sent a link to choose a password.") % {"email": user.email}
        messages.success(self.request, message)
        return user

    def get_success_url(self):
        return reverse("staff:user_list")


class StaffUserUpdateView(ReauthRequiredMixin, ObjectFormMixin, CustomerPickerMixin, FormView):
    """Change a staff user's roles, scope and assigned customers; deactivate, reactivate or reset a password.
    The page and saving need a fresh re-authentication."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_STAFF
    model = User
    form_class = StaffUserForm
    template_name = "partnerportal/staff_user_form.html"
    context_object_name = "staff_user"

    def get_initial(self):
        user = self.object
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "admin_role": user.admin_role,
            "agent_role": user.agent_role,
            "scope": user.scope,
            "customers": list(CustomerAssignment.objects.filter(user=user).values_list("customer_id", flat=True)),
            # A user without a role keeps that state visibly: the explicit choice is already made.
            "no_role": not user.admin_role and not user.agent_role,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status_label"] = staff_status(self.object)
        context["mfa_enrolled"] = mfa_selectors.mfa_enrolled(self.object)
        return context

    def perform(self, form):
        data = form.cleaned_data
        return services.staff_user_update(
            actor=self.request.user,
            user=self.object,
            first_name=data["first_name"],
            last_name=data["last_name"],
            admin_role=data["admin_role"],
            agent_role=data["agent_role"],
            scope=data["scope"],
            customers=data["customers"],
        )

    def notify(self, user):
        messages.success(self.request, _("The changes to %(email)s were saved.") % {"email": user.email})

    def get_success_url(self):
        return reverse("staff:user_update", args=[self.object.pk])


class StaffUserActionView(ReauthOnPostMixin, ServiceActionView):
    """Base of the POST-only buttons on a staff user's page: run one service, report the outcome as a message.
    Each needs a fresh re-authentication; without one the user is sent to confirm, then back to the user's page."""

    permission_required = Action.MANAGE_STAFF
    model = User

    def reauth_next_url(self) -> str:
        return reverse("staff:user_update", args=[self.kwargs["pk"]])

    def get_success_message(self, user: User) -> str:
        return self.success_message % {"email": user.email}

    def get_redirect_url(self, user: User) -> str:
        return reverse("staff:user_update", args=[user.pk])


class StaffUserDeactivateView(StaffUserActionView):
    """Deactivate a staff user (after asking): they can no longer sign in and their open sessions end."""

    http_method_names = ASK_FIRST
    success_message = _("%(email)s was deactivated.")

    def reauth_next_url(self) -> str:
        # After confirming their password the admin is back on this question, not on the user's page.
        return reverse("staff:user_deactivate", args=[self.kwargs["pk"]])

    def get_confirmation(self, user: User) -> Confirmation:
        return Confirmation(
            title=str(_("Deactivate %(email)s?") % {"email": user.email}),
            message=str(
                _(
                    "%(email)s can no longer sign in, and every open session of theirs ends now; their API tokens "
                    "stop working. You can reactivate them later."
                )
                % {"email": user.email}
            ),
            button=str(_("Deactivate")),
            cancel_url=reverse("staff:user_update", args=[user.pk]),
        )

    def run(self, user: User) -> None:
        services.staff_user_deactivate(actor=self.request.user, user=user)


class StaffUserReactivateView(StaffUserActionView):
    """Reactivate a deactivated staff user."""

    success_message = _("%(email)s was reactivated.")

    def run(self, user: User) -> None:
        services.staff_user_reactivate(actor=self.request.user, user=user)


class StaffUserResetPasswordView(StaffUserActionView):
    """Email a staff user a fresh one-time link to choose a new password."""

    success_message = _("A link to choose a new password was sent to %(email)s.")

    def run(self, user: User) -> None:
        services.staff_password_reset_send(actor=self.request.user, user=user)


class StaffUserMFAResetView(ReauthRequiredMixin, ObjectFormView):
    """Reset a staff user's multi-factor sign-in (global admins): a confirmation page, then the POST removes their
    authenticator and recovery codes and ends every session of theirs."""

    permission_required = Action.MANAGE_STAFF
    model = User
    form_class = ConfirmForm
    template_name = "partnerportal/staff_user_mfa_reset.html"
    context_object_name = "staff_user"

    def reauth_next_url(self) -> str:
        return reverse("staff:user_mfa_reset", args=[self.kwargs["pk"]])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mfa_enrolled"] = mfa_selectors.mfa_enrolled(self.object)
        return context

    def perform(self, form):
        mfa_services.mfa_reset(actor=self.request.user, user=self.object)
        return self.object

    def notify(self, user):
        messages.success(
            self.request,
            _("Multi-factor sign-in of %(email)s was reset; they were signed out everywhere.") % {"email": user.email},
        )

    def get_success_url(self):
        return reverse("staff:user_update", args=[self.object.pk])


class PartnerSecurityView(PortalPermissionMixin, ReauthRequiredMixin, FormView):
    """The partner's security settings (global admins): require MFA for all staff."""

    request: AuthenticatedHttpRequest
    permission_required = Action.CHANGE_PARTNER_SETTINGS
    form_class = PartnerSecurityForm
    template_name = "partnerportal/partner_security.html"

    def get_initial(self):
        partner = self.request.user.partner
        return {"require_mfa": partner.require_mfa if partner else False}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["deployment_requires_mfa"] = settings.PORTAL_REQUIRE_MFA
        return context

    def form_valid(self, form):
        partner = self.request.user.partner
        assert partner is not None  # the action is held by partner staff only
        mfa_services.partner_mfa_requirement_set(
            actor=self.request.user, partner=partner, required=form.cleaned_data["require_mfa"]
        )
        messages.success(self.request, _("The security settings were saved."))
        return redirect("staff:partner_security")


@method_decorator([login_not_required, never_cache], name="dispatch")
class SetPasswordView(View):
    """The public page behind a set-password link: opening it changes nothing; submitting uses the link once."""

    template_name = "partnerportal/set_password.html"

    def render(self, request, record, form):
        return render(request, self.template_name, {"record": record, "form": form, "validlink": record is not None})

    def get(self, request, token: str):
        record = services.set_password_token_check(token)
        return self.render(request, record, SetPasswordForm(record.user) if record else None)

    def post(self, request, token: str):
        record = services.set_password_token_check(token)
        if record is None:
            return self.render(request, None, None)
        form = SetPasswordForm(record.user, request.POST)
        if form.is_valid():
            try:
                services.set_password_token_use(token=token, password=form.cleaned_data["new_password1"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your password is set. Sign in with your email address and new password."))
                return redirect("login")
        return self.render(request, record, form)
