"""Provider ↔ reseller partnership pages: the list, the request, the reseller's authorization, removal.

Their permission, MANAGE_PARTNERSHIPS, is one the US Government cloud withholds (`permissions.roles.CLOUD_FEATURES`),
so the access mixin answers 404 for every one of them there.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from django.views.generic.detail import SingleObjectMixin

from partnerportal.infrastructure.pagination import Ordering
from partnerportal.views.generic import (
    ASK_FIRST,
    AuthenticatedHttpRequest,
    Confirmation,
    KeysetListMixin,
    PortalPermissionMixin,
    ServiceActionMixin,
)
from permissions import policy
from permissions.roles import Action
from relationships.forms.lifecycle import (
    PartnershipAuthorizeForm,
    PartnershipRequestForm,
)
from relationships.models import Partnership
from relationships.services import partnerships


class IndirectProviderOnlyMixin(View):
    """403 for staff of partners that are not indirect providers (the role allows it, the partner type does not)."""

    def dispatch(self, request, *args, **kwargs):
        if not policy.has_action(request.user, Action.REQUEST_PARTNERSHIP):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PartnershipListView(PortalPermissionMixin, KeysetListMixin, TemplateView):
    """A provider's indirect resellers (requested, active, removed) or a reseller's indirect providers."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_PARTNERSHIPS
    template_name = "relationships/partnership_list.html"
    ordering = Ordering("created_at", descending=True)
    rows_name = "partnerships"

    def get_list_queryset(self):
        return partnerships.partnership_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(partner=self.request.user.partner, now=timezone.now())
        return context


class PartnershipCreateView(PortalPermissionMixin, IndirectProviderOnlyMixin, FormView):
    """An indirect provider requests a partnership: the reseller gets an emailed link; the page shows it to copy."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_PARTNERSHIPS
    form_class = PartnershipRequestForm
    template_name = "generic/object_form.html"

    def get_initial(self):
        partner = self.request.user.partner
        assert partner is not None  # partner staff only: the policy gives users without a partner no actions
        return {"message": partnerships.partnership_default_message(partner=partner)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Request a partnership"),
            intro=_(
                "We email the indirect reseller a link. Their global admin, admin agent or sales agent signs in "
                "and authorizes you as their indirect provider. The link expires in %(days)d days."
            )
            % {"days": settings.PORTAL_INVITATION_DAYS},
            submit_label=_("Send request"),
            cancel_url=reverse("relationships:partnership_list"),
        )
        return context

    def form_valid(self, form):
        try:
            partnership, token = partnerships.partnership_request(
                actor=self.request.user, email=form.cleaned_data["email"], message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            form.add_error("email" if hasattr(exc, "error_dict") and "email" in exc.error_dict else None, exc)
            return self.form_invalid(form)
        return render(
            self.request,
            "relationships/partnership_created.html",
            {"partnership": partnership, "link": partnerships.partnership_link(token)},
        )


class PartnershipAuthorizeView(PortalPermissionMixin, FormView):
    """The reseller's staff open the provider's link signed in, tick the box and authorize the provider (once)."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_PARTNERSHIPS
    form_class = PartnershipAuthorizeForm
    template_name = "relationships/partnership_authorize.html"

    def _refusal(self):
        """The page to show instead of the form (unknown, used, expired or withdrawn link; wrong partner type)."""
        self.partnership = partnerships.partnership_by_token(self.kwargs["token"])
        if self.partnership is None:
            return self._problem(_("This partnership link is not valid. Check that you copied all of it."), 404)
        problem = partnerships.partnership_link_problem(self.partnership, user=self.request.user)
        if problem:
            authorizes = policy.has_action(self.request.user, Action.AUTHORIZE_PARTNERSHIP)
            return self._problem(problem, 200 if authorizes else 403)
        return None

    def _problem(self, message, status: int):
        return render(
            self.request,
            "relationships/partnership_authorize.html",
            {"problem": message, "partnership": getattr(self, "partnership", None)},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self._refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refusal() or super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partnership"] = self.partnership
        return context

    def form_valid(self, form):
        try:
            partnership = partnerships.partnership_authorize(actor=self.request.user, token=self.kwargs["token"])
        except ValidationError as exc:
            return self._problem(exc.messages[0], 200)
        messages.success(
            self.request,
            _("%(provider)s is now your indirect provider.") % {"provider": partnership.provider.name},
        )
        return redirect("relationships:partnership_list")


class PartnershipRemoveView(PortalPermissionMixin, ServiceActionMixin, SingleObjectMixin, View):
    """The provider removes a partnership or withdraws its request (after asking); customer relationships stay."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_PARTNERSHIPS
    http_method_names = ASK_FIRST

    def get_queryset(self):
        return Partnership.objects.filter(provider_id=self.request.user.partner_id).select_related("reseller")

    def run(self, partnership: Partnership) -> None:
        partnerships.partnership_remove(actor=self.request.user, partnership=partnership)

    def get_success_message(self, partnership: Partnership) -> str:
        return _("The partnership with %(reseller)s has been removed. Its customers keep their relationships.") % {
            "reseller": partnership.reseller.name if partnership.reseller else partnership.email
        }

    def get_redirect_url(self, partnership: Partnership) -> str:
        return reverse("relationships:partnership_list")

    def get_confirmation(self, partnership: Partnership) -> Confirmation:
        cancel_url = reverse("relationships:partnership_list")
        if partnership.status != Partnership.Status.ACTIVE or partnership.reseller is None:
            who = partnership.reseller.name if partnership.reseller else partnership.email
            return Confirmation(
                title=str(_("Withdraw the request to %(reseller)s?") % {"reseller": who}),
                message=str(
                    _("The authorization link sent to %(email)s stops working.") % {"email": partnership.email}
                ),
                button=str(_("Withdraw request")),
                cancel_url=cancel_url,
            )
        name = partnership.reseller.name
        return Confirmation(
            title=str(_("Remove the partnership with %(reseller)s?") % {"reseller": name}),
            message=str(
                _(
                    "%(reseller)s is no longer your indirect reseller: it can't pick you as its provider for new "
                    "customers. Customers you already share keep their relationships."
                )
                % {"reseller": name}
            ),
            button=str(_("Remove partnership")),
            cancel_url=cancel_url,
        )
