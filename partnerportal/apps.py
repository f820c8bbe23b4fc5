from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from partnerportal import activity_labels


class PartnerPortalConfig(AppConfig):
    """Partners, staff users, and the shared views of the portal."""

    name = "partnerportal"
    verbose_name = _("Partner portal")

    def ready(self) -> None:
        activity_labels.register()
