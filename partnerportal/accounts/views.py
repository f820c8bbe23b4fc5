"""Django's password pages with the portal's rules: sessions ended, events logged, reset requests throttled; the
user's own preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from partnerportal.accounts import services
from partnerportal.accounts.forms import PreferencesForm
from partnerportal.accounts.timezones import market_time_zone
from partnerportal.forms import QueuedPasswordResetForm
from partnerportal.infrastructure.middleware import request_client_address
from partnerportal.views.generic import AuthenticatedHttpRequest


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; every other session of the user ends, this one continues (rotated)."""

    def form_valid(self, form):
        response = super().form_valid(form)  # saves, then rotates this session's key (update_session_auth_hash)
        services.password_changed(user=form.user, keep_session_key=self.request.session.session_key)
        return response


class PortalPasswordResetView(auth_views.PasswordResetView):
    """Request a reset link: throttled per email address and per client, with one answer for every address.

    Over a limit the request is dropped silently and the same "check your inbox" page follows, so neither the
    answer nor the limit reveals whether the address belongs to an account.
    """

    form_class = QueuedPasswordResetForm

    def form_valid(self, form):
        allowed = services.password_reset_allowed(
            email=form.cleaned_data["email"], address=request_client_address(self.request)
        )
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from an emailed reset link, once even under concurrent submits; every session of the
    user ends and the reset is logged.

    The stock view checks the token, then saves; `password_reset_use` checks it again on the locked user row, so of
    concurrent submissions only the first to commit sets a password and the others get the "link invalid" page.
    """

    def form_valid(self, form):
        session_token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
        user = services.password_reset_use(
            user=self.user, token=session_token, password=form.cleaned_data["new_password1"]
        )
        if user is None:
            self.validlink = False
            return self.render_to_response(self.get_context_data())
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


@method_decorator(never_cache, name="dispatch")
class PreferencesView(View):
    """The signed-in user's own time zone (every signed-in user has one, like their password)."""

    template_name = "registration/preferences.html"

    def _form(self, request: AuthenticatedHttpRequest, data: QueryDict | None = None) -> PreferencesForm:
        return PreferencesForm(data, user=request.user, market_zone=market_time_zone(request.user))

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        services.user_time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, _("Your preferences were saved."))
        return HttpResponseRedirect(reverse("preferences"))
