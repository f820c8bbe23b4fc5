"""The customer purchase-permissions page (PRODUCT.md §6): everyone reads it, admin agents change it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from customers import selectors
from customers.forms.purchase_permissions import PurchasePermissionForm
from customers.models import Customer
from customers.services import purchase_permissions as services
from partnerportal.views.generic import AuthenticatedHttpRequest, PortalPermissionMixin, form_add_service_errors
from permissions.roles import Action


def panel_forms(panel, data=None) -> list[PurchasePermissionForm]:
    """One form per product; disabled when the user may not change it, or nothing can be turned on or off."""
    panel.editable = panel.can_change and not (panel.blocker is not None and not panel.has_stored)
    # A submitted form is never disabled: the POST reached the view, so the service decides and explains.
    disabled = data is None and not panel.editable
    return [PurchasePermissionForm(data, state=state, disabled=disabled) for state in panel.states]


class PurchasePermissionView(PortalPermissionMixin, DetailView):
    """Show a customer's purchase permissions and, for admin agents, turn them on or off per product."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_CUSTOMER
    post_permission_required = Action.CHANGE_PURCHASE_PERMISSION
    model = Customer
    template_name = "permissions/purchase_permissions.html"
    context_object_name = "customer"

    def get_panel(self, data=None):
        panel = selectors.purchase_permission_panel(user=self.request.user, customer=self.object)
        panel.forms = panel_forms(panel, data)
        return panel

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("purchase_permissions", self.get_panel())
        context["standalone"] = True
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        panel = self.get_panel(request.POST)
        if not all(form.is_valid() for form in panel.forms):
            return self.render_to_response(self.get_context_data(purchase_permissions=panel))
        changed = [form for form in panel.forms if form.has_changed()]
        current = None
        try:
            with transaction.atomic():
                for current in changed:
                    allowed = current.cleaned_data["allowed"]
                    services.purchase_permission_set(
                        actor=request.user,
                        customer=self.object,
                        product=current.state.product,
                        allowed=allowed,
                        expires_on=current.cleaned_data["expires_on"] if allowed else None,
                        note=current.cleaned_data["note"] if allowed else "",
                    )
        except ValidationError as exc:
            # Nothing was saved (one transaction); the message goes next to the product that was refused.
            form_add_service_errors(current, exc)
            return self.render_to_response(self.get_context_data(purchase_permissions=panel))
        if changed:
            messages.success(request, _("The customer permissions were saved."))
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("customers:purchase_permissions", pk=self.object.pk)


def purchase_permission_panel(*, user, customer, can=None, has_azure_plan=None):
    """The customer page's "Customer permissions" section, forms included (one or two queries)."""
    panel = selectors.purchase_permission_panel(user=user, customer=customer, can=can, has_azure_plan=has_azure_plan)
    panel.forms = panel_forms(panel)
    return panel
