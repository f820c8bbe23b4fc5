"""Forms of the MFA pages: a code, a password, the admin's sign-in with a code."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from partnerportal.mfa import selectors, services

CODE_HELP = _("The 6-digit code your authenticator app shows now, or one of your recovery codes.")


class CodeForm(forms.Form):
    """A one-time code: six digits from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        help_text=CODE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


class ConfirmDeviceForm(forms.Form):
    """The first code from a newly added authenticator, proving it was set up."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        help_text=_("Enter the 6-digit code the app shows for this account."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordConfirmForm(forms.Form):
    """The signed-in user's password, to confirm it is still them."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class ConfirmForm(forms.Form):
    """A required tick that the person understands what the button does."""

    confirm = forms.BooleanField(label=_("I understand"), required=True)


class PartnerSecurityForm(forms.Form):
    """The partner's security settings."""

    require_mfa = forms.BooleanField(
        label=_("Require MFA for all staff"),
        required=False,
        help_text=_(
            "From their next sign-in, every staff user enters a code from an authenticator app; "
            "users without one set it up before they can do anything else."
        ),
    )


class AdminCodeAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in: email, password and a one-time code (operators must have an authenticator).

    `otp_device` is set on the user once the code is accepted, so django-otp marks the session verified at login.
    """

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=64,
        required=False,
        help_text=CODE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "no_authenticator": _(
            "This account has no authenticator app. Sign in to the portal and set one up under "
            "“Multi-factor sign-in” first."
        ),
        "bad_code": _("The code is not correct, or was used already."),
        "code_locked": _("Too many wrong codes. Try again in %(minutes)s minutes."),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not selectors.mfa_enrolled(user):
            raise forms.ValidationError(self.error_messages["no_authenticator"], code="no_authenticator")
        outcome = services.mfa_code_check(user=user, code=self.cleaned_data.get("otp_token") or "", purpose="admin")
        if outcome.device is None:
            if outcome.locked_seconds:
                minutes = max(1, -(-outcome.locked_seconds // 60))
                raise forms.ValidationError(
                    self.error_messages["code_locked"], code="code_locked", params={"minutes": minutes}
                )
            raise forms.ValidationError(self.error_messages["bad_code"], code="bad_code")
        services.sign_in_verified_record(user=user, method=outcome.method)
        user.otp_device = outcome.device
