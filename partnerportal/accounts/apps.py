from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from partnerportal.accounts import activity_labels


class AccountsConfig(AppConfig):
    """Sessions, sign-in throttling and the sign-in events of the activity log."""

    name = "partnerportal.accounts"
    label = "accounts"
    verbose_name = _("Sign-in and sessions")

    def ready(self) -> None:
        # The receivers import models, so they load once the app registry is ready.
        from partnerportal.accounts import receivers

        receivers.connect()
        activity_labels.register()
