from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from partnerportal import activity_labels
from partnerportal.infrastructure.dbroles import check_portal_database_role
from partnerportal.infrastructure.replica import check_replica


class PartnerPortalConfig(AppConfig):
    """Partners, staff users, and the shared views of the portal."""

    name = "partnerportal"
    verbose_name = _("Partner portal")

    def ready(self) -> None:
        activity_labels.register()
        checks.register(check_portal_database_role, checks.Tags.security, deploy=True)
        checks.register(check_replica, checks.Tags.database, deploy=True)
