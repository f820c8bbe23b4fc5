"""The peer: what a Django team would otherwise hand its staff, the admin changelist for Customer.

Two admin sites mounted only by the benchmark's urlconf, both with the project's `CustomerAdmin` (same
list_display, search_fields and list_filter) at the portal's page size of 50:
- `peer_site`: a superuser's changelist over every customer;
- `guarded_site`: a GuardedModelAdmin-style changelist restricted to the signed-in staff user's customers with
  guardian's `get_objects_for_user` (the same object permissions the portal reads).
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from guardian.shortcuts import get_objects_for_user

from customers.admin import CustomerAdmin
from customers.models import Customer


class PeerCustomerAdmin(CustomerAdmin):
    """The project's CustomerAdmin at 50 rows per page, like the portal list."""

    list_per_page = 50


class GuardedCustomerAdmin(PeerCustomerAdmin):
    """CustomerAdmin whose rows are the user's object-permitted customers (guardian's GuardedModelAdmin idea)."""

    def get_queryset(self, request):
        return get_objects_for_user(
            request.user, "customers.view_customer", klass=super().get_queryset(request), accept_global_perms=False
        )

    # Partner staff hold object permissions only; the read-only changelist is what is being compared.
    def has_module_permission(self, request):
        return True

    def has_view_permission(self, request, obj=None):
        return True

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GuardedAdminSite(AdminSite):
    """An admin site any signed-in staff user may open (its model admins restrict the rows)."""

    def has_permission(self, request):
        return request.user.is_active and request.user.is_authenticated


peer_site = AdminSite(name="peer_admin")
peer_site.register(Customer, PeerCustomerAdmin)
guarded_site = GuardedAdminSite(name="guarded_admin")
guarded_site.register(Customer, GuardedCustomerAdmin)
