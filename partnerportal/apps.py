from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnerPortalConfig(AppConfig):
    """Partners, staff users, and the shared views of the portal."""

    name = "partnerportal"
    verbose_name = _("Partner portal")
