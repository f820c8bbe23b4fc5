"""Django's password pages with the portal's rules: sessions ended, events logged, reset requests throttled."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from partnerportal.accounts import services
from partnerportal.forms import QueuedPasswordResetForm
from partnerportal.infrastructure.middleware import request_client_address


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
