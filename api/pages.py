"""The token pages: one's own tokens (list, create after a fresh re-authentication, revoke) and, for global
admins, every token of the partner's staff."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from api import selectors, services
from api.forms import ApiTokenForm
from partnerportal.mfa.views import ReauthOnPostMixin
from partnerportal.views.generic import (
    ASK_FIRST,
    AuthenticatedHttpRequest,
    Confirmation,
    PortalPermissionMixin,
    ServiceActionView,
    form_add_service_errors,
)
from permissions import policy
from permissions.roles import Action


class ApiTokenListView(PortalPermissionMixin, ReauthOnPostMixin, FormView):
    """The user's own API tokens and the form for a new one; creating one needs a fresh re-authentication."""

    request: AuthenticatedHttpRequest
    permission_required = Action.USE_API
    form_class = ApiTokenForm
    template_name = "api/apitoken_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            tokens=list(selectors.api_tokens_own(user=self.request.user)),
            now=timezone.now(),
            can_see_partner_tokens=policy.has_action(self.request.user, Action.MANAGE_STAFF),
        )
        return context

    def form_valid(self, form: ApiTokenForm) -> HttpResponse:
        try:
            issued = services.api_token_create(
                actor=self.request.user,
                name=form.cleaned_data["name"],
                expires_days=form.cleaned_data.get("expires_days"),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        # Shown in this response only: never in a URL, a message or the session.
        return self.render_to_response(
            self.get_context_data(form=ApiTokenForm(), issued=issued.raw, issued_token=issued.token)
        )


class ApiTokenRevokeView(ServiceActionView):
    """Revoke a token (after asking): one's own, or any of the partner's staff as a global admin (others are a 404)."""

    permission_required = Action.USE_API
    http_method_names = ASK_FIRST

    def get_queryset(self) -> Any:
        return selectors.api_tokens_revocable(user=self.request.user)

    def get_object(self, queryset: Any = None) -> Any:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def run(self, obj: Any) -> None:
        services.api_token_revoke(actor=self.request.user, token=obj)

    def get_success_message(self, obj: Any) -> str:
        return str(_("The token “%(name)s” was revoked; it no longer works.") % {"name": obj.name})

    def get_redirect_url(self, obj: Any) -> str:
        if obj.user_id != self.request.user.pk:
            return reverse("apitokens:partner_token_list")
        return reverse("apitokens:token_list")

    def get_confirmation(self, obj: Any) -> Confirmation:
        names = {"name": obj.name, "prefix": obj.prefix, "email": obj.user.email}
        return Confirmation(
            title=str(_("Revoke the token “%(name)s”?") % names),
            message=str(
                _(
                    "Programs that use the token %(prefix)s… of %(email)s are refused from now on. A revoked token "
                    "can't be used again; a new one has to be created."
                )
                % names
            ),
            button=str(_("Revoke token")),
            cancel_url=self.get_redirect_url(obj),
        )


class PartnerApiTokenListView(PortalPermissionMixin, TemplateView):
    """Every API token of the partner's staff (global admins): who, when last used and from where; revoke."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_STAFF
    template_name = "api/apitoken_partner_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(tokens=list(selectors.api_tokens_of_partner(user=self.request.user)), now=timezone.now())
        return context
