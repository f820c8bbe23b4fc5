from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from partnerportal.mfa import activity_labels


class MfaConfig(AppConfig):
    """Multi-factor sign-in: django-otp's devices, the verification gate, re-authentication (no models of its own)."""

    name = "partnerportal.mfa"
    label = "mfa"
    verbose_name = _("Multi-factor sign-in")

    def ready(self) -> None:
        # The receivers import models, so they load once the app registry is ready.
        from partnerportal.mfa import receivers

        receivers.connect()
        activity_labels.register()
