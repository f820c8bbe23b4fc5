"""Invitation pages: the partner's list, new invitation, resend, revoke, and the public acceptance page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from customers.forms import CustomerForm
from customers.models import Customer
from partnerportal.infrastructure.middleware import request_client_address
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.infrastructure.ratelimit import rate_limit_hit
from partnerportal.infrastructure.tokens import token_hash
from partnerportal.views.generic import (
    AuthenticatedHttpRequest,
    KeysetListView,
    PortalPermissionMixin,
    ServiceActionView,
    ServiceFormMixin,
)
from permissions import policy
from permissions.roles import Action
from relationships import selectors as relationship_selectors
from relationships.forms.invitations import AcceptanceForm, InvitationFilterForm, InvitationForm
from relationships.models import Invitation
from relationships.selectors import invitation_list, invitation_queryset
from relationships.services import acceptance, invitation_emails, invitations


class InvitationListView(KeysetListView):
    """The partner's invitations: who sent what to whom, state, expiry and email delivery; resend and revoke."""

    permission_required = Action.INVITE_CUSTOMER
    template_name = "relationships/invitation_list.html"
    ordering = Ordering("created_at", descending=True)
    rows_name = "invitations"

    def get_list_queryset(self):
        self.form = InvitationFilterForm(self.request.GET)
        self.status = self.form.value()
        return invitation_list(user=self.request.user, status=self.status)

    def prepare_rows(self, rows):
        # One query tells which customers the user may open, so rows link only to pages that answer.
        visible = policy.object_actions(self.request.user, {i.customer_id for i in rows if i.customer_id})
        for invitation in rows:
            invitation.state = invitation.effective_status
            invitation.state_label = relationship_selectors.status_label(invitation)
            invitation.customer_visible = Action.VIEW_CUSTOMER in visible.get(invitation.customer_id, ())
            invitation.can_resend = invitation.state in (Invitation.Status.PENDING, Invitation.Status.EXPIRED)
            invitation.can_revoke = invitation.status == Invitation.Status.PENDING

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, filtered=self.status)
        return context


class InvitationCreateView(PortalPermissionMixin, ServiceFormMixin, FormView):
    """Request a relationship: email an invitation link to a customer's administrator and show the link once."""

    request: AuthenticatedHttpRequest
    permission_required = Action.INVITE_CUSTOMER
    form_class = InvitationForm
    template_name = "relationships/invitation_form.html"

    # Set by get_customer() for an invitation to a known customer; None for a new organisation.
    customer: Customer | None = None

    def get_customer(self) -> Customer | None:
        """The known customer of `?customer=<uuid>`: it must be one the user may invite, else 404."""
        raw = self.request.GET.get("customer", "")
        if not raw:
            return None
        try:
            pk = uuid.UUID(raw)
        except ValueError as exc:
            raise Http404 from exc
        return get_object_or_404(
            policy.restrict(Customer.objects.all(), self.request.user, Action.INVITE_CUSTOMER), pk=pk
        )

    def get(self, request, *args, **kwargs):
        self.customer = self.get_customer()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.customer = self.get_customer()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "partner": user.partner,
            "actions": policy.user_actions(user),
            "customer": self.customer,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partner = self.request.user.partner
        assert partner is not None  # partner staff only: the policy gives users without a partner no actions
        context.update(
            customer=self.customer,
            no_provider=policy.has_action(self.request.user, Action.CHOOSE_PROVIDER)
            and not relationship_selectors.active_providers(partner).exists(),
            cancel_url=self.customer.get_absolute_url() if self.customer else reverse("relationships:invitation_list"),
        )
        return context

    def perform(self, form):
        invitation, token = invitations.invitation_create(
            actor=self.request.user,
            email=form.cleaned_data["email"],
            message=form.cleaned_data["message"],
            dap=form.cleaned_data["dap"],
            customer=self.customer,
            provider=form.cleaned_data.get("provider"),
        )
        # The raw token exists only now: show the link in this response instead of redirecting.
        return render_link(self.request, invitation, token, resent=False)


def render_link(request, invitation: Invitation, token: str, *, resent: bool):
    """The page that shows a freshly issued link to copy, and says it was emailed."""
    return render(
        request,
        "relationships/invitation_sent.html",
        {"invitation": invitation, "link": invitation_emails.invitation_link(token), "resent": resent},
    )


class InvitationActionView(ServiceActionView):
    """Base of the POST-only buttons on the invitations list: the invitation must be one the user may see, else 404."""

    permission_required = Action.INVITE_CUSTOMER

    def get_queryset(self):
        return invitation_queryset(user=self.request.user).select_related("partner", "provider", "customer")

    def get_redirect_url(self, invitation: Invitation) -> str:
        return reverse("relationships:invitation_list")


class InvitationResendView(InvitationActionView):
    """Send an invitation again with a fresh link and expiry; the old link stops working."""

    def run(self, invitation: Invitation):
        invitation, token = invitations.invitation_resend(actor=self.request.user, invitation=invitation)
        return render_link(self.request, invitation, token, resent=True)


class InvitationRevokeView(InvitationActionView):
    """Revoke a pending invitation; its link then says so."""

    def run(self, invitation: Invitation) -> None:
        invitations.invitation_revoke(actor=self.request.user, invitation=invitation)

    def get_success_message(self, invitation: Invitation) -> str:
        return _("The invitation to %(email)s was revoked.") % {"email": invitation.email}


CLOSED_STATUS = {"not_found": 404, "expired": 410, "revoked": 410, "accepted": 410}


@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class InvitationAcceptView(View):
    """The public page a customer's global administrator reaches from the emailed link.

    Deliberately not a PortalPermissionMixin view: the person is not partner staff and is not signed in; the link's
    token is the credential. GET only reads, so a mail scanner opening the link leaves it valid. Every request counts
    against per-address and per-link rate limits.
    """

    template_name = "relationships/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        token = kwargs["token"]
        limited = self.rate_limited(request, token)
        if limited is not None:
            return limited
        self.invitation = relationship_selectors.invitation_by_token(token)
        reason = relationship_selectors.closed_reason(self.invitation)
        if reason:
            return self.closed(reason)
        return super().dispatch(request, *args, **kwargs)

    def rate_limited(self, request, token: str):
        address = request_client_address(request) or "unknown"
        checks = [
            (f"invite:addr:{address}", settings.PORTAL_INVITE_RATE_LIMIT_ADDRESS),
            # The key holds a hash prefix, never the token itself.
            (f"invite:link:{token_hash(token)[:32]}", settings.PORTAL_INVITE_RATE_LIMIT_TOKEN),
        ]
        for key, (limit, seconds) in checks:
            result = rate_limit_hit(key=key, limit=limit, seconds=seconds)
            if not result.allowed:
                response = render(
                    request,
                    "relationships/invitation_rate_limited.html",
                    {"retry_minutes": max(1, round(result.retry_after / 60))},
                    status=429,
                )
                response["Retry-After"] = str(result.retry_after)
                return response
        return None

    def closed(self, reason: str):
        return render(
            self.request,
            "relationships/invitation_closed.html",
            {"reason": reason, "invitation": self.invitation},
            status=CLOSED_STATUS[reason],
        )

    def profile_form(self):
        """The company profile, for a customer new to the portal (same fields and rules as Add customer)."""
        invitation = self.invitation
        assert invitation is not None  # dispatch showed the closed page otherwise
        if invitation.customer_id is not None:
            return None
        data = self.request.POST if self.request.method == "POST" else None
        form = CustomerForm(data, prefix="profile", partner=invitation.partner)
        # Worded for the customer, not for partner staff; and the live domain check is a staff-only endpoint.
        form.fields["contact_email"].help_text = _("Your organisation's primary contact for the partner.")
        form.fields["domain_prefix"].widget.attrs.pop("data-domain-check-url", None)
        return form

    @staticmethod
    def profile_data(profile_form) -> dict | None:
        """The profile as `customer_create` takes it: the model's fields plus the domain prefix."""
        if profile_form is None:
            return None
        return {**profile_form.customer_data(), "domain_prefix": profile_form.cleaned_data.get("domain_prefix", "")}

    def render_page(self, form, profile_form, status=200):
        invitation = self.invitation
        assert invitation is not None  # dispatch showed the closed page otherwise
        return render(
            self.request,
            self.template_name,
            {
                "invitation": invitation,
                "form": form,
                "profile_form": profile_form,
                "relationship": relationship_selectors.relationship_description(invitation),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(AcceptanceForm(), self.profile_form())

    def post(self, request, *args, **kwargs):
        # The invitation stays locked from the "still open" check through validation to acceptance, so a concurrent
        # winner cannot commit in between: a later submission sees the used-link page, never a form whose profile
        # now clashes with the winner's customer.
        with transaction.atomic():
            try:
                self.invitation = acceptance.invitation_hold(kwargs["token"])
            except acceptance.InvitationClosed as exc:
                self.invitation = exc.invitation
                return self.closed(exc.reason)
            form = AcceptanceForm(request.POST)
            profile_form = self.profile_form()
            valid = form.is_valid()
            valid = (profile_form is None or profile_form.is_valid()) and valid
            if not valid:
                return self.render_page(form, profile_form)
            try:
                invitation = acceptance.invitation_accept(
                    token=kwargs["token"],
                    profile=self.profile_data(profile_form),
                    **form.cleaned_data,
                )
            except acceptance.InvitationClosed as exc:
                self.invitation = exc.invitation
                return self.closed(exc.reason)
            except ValidationError as exc:
                self.add_errors(exc, form, profile_form)
                return self.render_page(form, profile_form)
        return render(request, "relationships/invitation_accepted.html", {"invitation": invitation})

    @staticmethod
    def add_errors(exc: ValidationError, form, profile_form) -> None:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            elif profile_form is not None and field in profile_form.fields:
                profile_form.add_error(field, errors)
            else:
                form.add_error(None, errors)
