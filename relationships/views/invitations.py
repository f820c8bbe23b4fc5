"""Invitation pages: the partner's list, new invitation, resend, revoke (the public acceptance page: acceptance.py)."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from customers.models import Customer
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.views.generic import (
    ASK_FIRST,
    AuthenticatedHttpRequest,
    Confirmation,
    KeysetListView,
    PortalPermissionMixin,
    ServiceActionView,
    ServiceFormMixin,
)
from permissions import policy
from permissions.roles import Action
from relationships import hooks
from relationships import selectors as relationship_selectors
from relationships.forms.invitations import InvitationFilterForm, InvitationForm
from relationships.models import Invitation
from relationships.selectors import invitation_list, invitation_queryset
from relationships.services import invitation_emails, invitations


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

    def get_initial(self):
        # Values the extensions draw from the query string (relationships.hooks), e.g. a lead's email.
        return {**super().get_initial(), **hooks.invitation_initial(user=self.request.user, params=self.request.GET)}

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "partner": user.partner,
            "actions": policy.user_actions(user),
            "user": user,
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
            # The form offers DAP only where it is forced; everywhere else new invitations carry none.
            dap=form.cleaned_data.get("dap", False),
            customer=self.customer,
            provider=form.cleaned_data.get("provider"),
            extras=form.extension_values(),
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
    """Revoke a pending invitation (after asking); its link then says so."""

    http_method_names = ASK_FIRST

    def get_confirmation(self, invitation: Invitation) -> Confirmation:
        return Confirmation(
            title=str(_("Revoke the invitation to %(email)s?") % {"email": invitation.email}),
            message=str(
                _(
                    "The link sent to %(email)s stops working at once and the invitation can't be accepted any "
                    "more. You can send a new invitation later."
                )
                % {"email": invitation.email}
            ),
            button=str(_("Revoke invitation")),
            cancel_url=reverse("relationships:invitation_list"),
        )

    def run(self, invitation: Invitation) -> None:
        invitations.invitation_revoke(actor=self.request.user, invitation=invitation)

    def get_success_message(self, invitation: Invitation) -> str:
        return _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
