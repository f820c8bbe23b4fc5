"""The Django admin's site for platform operators: signing in takes a one-time code as well as the password."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from partnerportal.mfa.forms import AdminCodeAuthenticationForm


class PortalAdminSite(admin.AdminSite):
    """Only operators whose session was verified with a code (here, or at the portal's sign-in) get in.

    An operator without an authenticator signs in to the portal first and sets one up on its
    "Multi-factor sign-in" page (the admin's login page says so); `manage.py createsuperuser` stays as it is.
    """

    login_form = AdminCodeAuthenticationForm
    login_template = "admin/login_mfa.html"

    def has_permission(self, request: HttpRequest) -> bool:
        is_verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and is_verified is not None and is_verified()
