from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """The Django admin, served by the site that asks operators for a one-time code too."""

    default_site = "partnerportal.mfa.admin_site.PortalAdminSite"
