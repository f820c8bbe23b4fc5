"""The MFA pages: one's own authenticator and recovery codes, the code step of sign-in, and re-authentication.

They are every signed-in user's own pages (like the password pages), so they stand outside the role table:
each works on `request.user` only.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache

from partnerportal.mfa import selectors, services
from partnerportal.mfa.forms import CodeForm, ConfirmDeviceForm, PasswordConfirmForm
from partnerportal.mfa.state import MFA_STATE, reauth_fresh, reauth_stamp, session_verified
from partnerportal.models import User

REAUTH_PROMPT = _("Confirm it is you to continue.")
WRONG_CODE = _("The code is not correct, or was used already.")
CODES_LOCKED = _("Too many wrong codes. Every code is refused for %(minutes)s more minutes; try again then.")


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The `next` parameter when it points at this site, else `default` (or the page after sign-in)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def reauth_redirect(request: HttpRequest, next_url: str) -> HttpResponseRedirect:
    """Send the user to confirm who they are, then back to `next_url`."""
    messages.info(request, REAUTH_PROMPT)
    return HttpResponseRedirect(reverse("mfa:reauth") + "?" + urlencode({"next": next_url}))


def locked_message(seconds: int) -> str:
    return str(CODES_LOCKED) % {"minutes": max(1, -(-seconds // 60))}


class ReauthOnPostMixin:
    """A POST only runs after the user confirmed their password or a code within PORTAL_REAUTH_SECONDS; otherwise
    nothing happens and they are sent to confirm, then back to `reauth_next_url()` (the page, by default).

    It overrides `post` only (never `dispatch`), so it can sit before a portal view's bases and the access mixin
    still decides first.
    """

    request: Any  # the view's own request type (AuthenticatedHttpRequest in portal views)

    def reauth_next_url(self) -> str:
        return self.request.path

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not reauth_fresh(request):
            return reauth_redirect(request, self.reauth_next_url())
        return super().post(request, *args, **kwargs)  # type: ignore[misc]  # from the view it is mixed into


class ReauthRequiredMixin(ReauthOnPostMixin):
    """Like `ReauthOnPostMixin`, and the page itself (GET) shows its form only after a fresh confirmation, so what
    the user types is never lost to a re-authentication on submit."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not reauth_fresh(request):
            return reauth_redirect(request, request.get_full_path())
        return super().get(request, *args, **kwargs)  # type: ignore[misc]  # from the view it is mixed into


@method_decorator(never_cache, name="dispatch")
class OwnAccountView(View):
    """Base of the pages about the signed-in user's own second factor; `reauth` pages need a fresh confirmation
    for every request (GET shows secrets or offers changes)."""

    reauth = False

    @property
    def user(self) -> User:
        return self.request.user  # type: ignore[return-value]  # LoginRequiredMiddleware: signed in

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.reauth and request.user.is_authenticated and not reauth_fresh(request):
            return reauth_redirect(request, reverse("mfa:overview"))
        return super().dispatch(request, *args, **kwargs)


class MFAOverviewView(OwnAccountView):
    """The user's MFA state: set up (or replace) an authenticator, regenerate recovery codes."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = self.user
        device = selectors.totp_device(user)
        return render(
            request,
            "mfa/mfa_overview.html",
            {
                "device": device,
                "codes_left": selectors.recovery_codes_left(user) if device else 0,
                "required": selectors.mfa_required(user),
                "must_enrol": request.session.get(MFA_STATE) == selectors.STATE_ENROL,
            },
        )


class MFASetupView(OwnAccountView):
    """POST: start setting up an authenticator (a new unconfirmed device), then show its QR code."""

    http_method_names = ["post"]
    reauth = True

    def post(self, request: HttpRequest) -> HttpResponse:
        services.totp_device_start(user=self.user)
        return redirect("mfa:confirm")


class MFAConfirmView(OwnAccountView):
    """The new authenticator's QR code, secret and otpauth:// URI, and the code that confirms it; on success the
    recovery codes, shown this once."""

    reauth = True
    template_name = "mfa/mfa_confirm.html"

    def render_setup(self, request: HttpRequest, device, form) -> HttpResponse:
        uri = device.config_url
        qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context = {"form": form, "qr_data_uri": qr, "secret": grouped, "otpauth_uri": uri}
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        device = selectors.totp_device_pending(self.user)
        if device is None:
            return redirect("mfa:overview")
        return self.render_setup(request, device, ConfirmDeviceForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        device = selectors.totp_device_pending(self.user)
        if device is None:
            return redirect("mfa:overview")
        form = ConfirmDeviceForm(request.POST)
        if form.is_valid():
            result = services.totp_device_confirm(
                user=self.user, code=form.cleaned_data["code"], keep_session_key=request.session.session_key
            )
            if result is not None:
                confirmed, codes = result
                session_verified(request, confirmed)
                messages.success(request, _("Your authenticator app is set up."))
                return render(request, "mfa/recovery_codes.html", {"codes": codes, "first": True})
            form.add_error(
                "code", _("The code is not correct. Check the app shows this account, and try the next code.")
            )
        return self.render_setup(request, device, form)


class RecoveryCodesView(OwnAccountView):
    """POST: replace the recovery codes with 10 new ones, shown this once."""

    http_method_names = ["post"]
    reauth = True

    def post(self, request: HttpRequest) -> HttpResponse:
        if not selectors.mfa_enrolled(self.user):
            return redirect("mfa:overview")
        codes = services.recovery_codes_regenerate(user=self.user)
        return render(request, "mfa/recovery_codes.html", {"codes": codes, "first": False})


class MFAVerifyView(OwnAccountView):
    """The second step of sign-in: a code from the authenticator app or a recovery code. Success gives the session
    a new key and marks it verified."""

    template_name = "mfa/mfa_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and request.session.get(MFA_STATE) != selectors.STATE_VERIFY:
            return HttpResponseRedirect(safe_next(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": CodeForm(), "next": safe_next(request, "")})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CodeForm(request.POST)
        if form.is_valid():
            outcome = services.mfa_code_check(user=self.user, code=form.cleaned_data["code"], purpose="sign_in")
            if outcome.device is not None:
                session_verified(request, outcome.device)
                services.sign_in_verified_record(user=self.user, method=outcome.method)
                if outcome.method == "recovery_code":
                    messages.warning(
                        request,
                        _("You signed in with a recovery code; it no longer works. %(left)s codes are left.")
                        % {"left": selectors.recovery_codes_left(self.user)},
                    )
                return HttpResponseRedirect(safe_next(request))
            form.add_error("code", locked_message(outcome.locked_seconds) if outcome.locked_seconds else WRONG_CODE)
        return render(request, self.template_name, {"form": form, "next": safe_next(request, "")}, status=200)


class ReauthView(OwnAccountView):
    """Confirm who you are before a sensitive change: a code (users with an authenticator) or the password."""

    template_name = "mfa/reauth.html"

    def form_class(self):
        return CodeForm if selectors.mfa_enrolled(self.user) else PasswordConfirmForm

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self.form_class()(), "next": safe_next(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form_class = self.form_class()
        form = form_class(request.POST)
        if form.is_valid():
            if form_class is CodeForm:
                outcome = services.mfa_code_check(user=self.user, code=form.cleaned_data["code"], purpose="reauth")
                if outcome.device is not None:
                    reauth_stamp(request.session)
                    return HttpResponseRedirect(safe_next(request))
                form.add_error("code", locked_message(outcome.locked_seconds) if outcome.locked_seconds else WRONG_CODE)
            elif services.password_reauth_check(user=self.user, password=form.cleaned_data["password"]):
                reauth_stamp(request.session)
                return HttpResponseRedirect(safe_next(request))
            else:
                form.add_error("password", _("The password is not correct."))
        return render(request, self.template_name, {"form": form, "next": safe_next(request)})
