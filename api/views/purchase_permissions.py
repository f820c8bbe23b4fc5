"""A customer's purchase permissions (PRODUCT.md §6): everyone who sees the customer reads them, admin agents
change them, one product at a time, through the page's form and `purchase_permission_set`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import Unprocessable, form_errors, validation_errors
from api.serializers_purchase_permissions import (
    PurchasePermissionChangeSerializer,
    PurchasePermissionSerializer,
    PurchasePermissionsSerializer,
)
from api.views.base import ApiView
from api.views.customer_actions import customer_or_404, json_body
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from customers import selectors
from customers.forms.purchase_permissions import PurchasePermissionForm
from customers.models import Customer
from customers.services.purchase_permissions import purchase_permission_set
from permissions.models import PurchasePermission
from permissions.roles import Action

CHANGE_FIELDS = frozenset(PurchasePermissionChangeSerializer().fields)


def _panel(request: Request, customer: Customer) -> dict[str, Any]:
    """Every product's state, as the page shows it: a product never allowed reads as an unsaved permission."""
    panel = selectors.purchase_permission_panel(user=request.user, customer=customer)
    permissions = [
        state.record or PurchasePermission(customer=customer, product=state.product) for state in panel.states
    ]
    return {
        "permissions": PurchasePermissionSerializer(permissions, many=True).data,
        "can_change": panel.can_change,
        "blocker": panel.blocker,
    }


class CustomerPurchasePermissionsView(ApiView):
    """GET the customer's purchase permissions; POST allows or stops one product (admin agents only)."""

    permissions = {"GET": Action.VIEW_CUSTOMER, "POST": Action.CHANGE_PURCHASE_PERMISSION}

    @extend_schema(
        operation_id="customers_purchase_permissions_list",
        summary="A customer's purchase permissions",
        responses={(200, "application/json"): PurchasePermissionsSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any) -> Response:
        return Response(_panel(request, customer_or_404(request, pk, Action.VIEW_CUSTOMER)))

    @extend_schema(
        operation_id="customers_purchase_permissions_change",
        summary="Allow or stop one product",
        request=PurchasePermissionChangeSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (200, "application/json"): PurchasePermissionsSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._change(request, pk))

    def _change(self, request: Request, pk: Any) -> Response:
        customer = customer_or_404(request, pk, Action.CHANGE_PURCHASE_PERMISSION)
        data, flags = json_body(request, CHANGE_FIELDS, booleans=frozenset({"allowed"}))
        panel = selectors.purchase_permission_panel(user=request.user, customer=customer)
        state = next((s for s in panel.states if s.product == data.get("product")), None)
        if state is None:
            raise Unprocessable(errors={"product": [str(_("Choose a product."))]})
        # The page's form for that product, posted as the page posts it (its radio buttons: "1" allow, "0" stop).
        posted = {f"{state.product}-{name}": value for name, value in data.items() if name != "product"}
        if "allowed" in flags:
            posted[f"{state.product}-allowed"] = "1" if flags["allowed"] else "0"
        form = PurchasePermissionForm(posted, state=state)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        if form.has_changed():
            allowed = form.cleaned_data["allowed"]
            with transaction.atomic():
                try:
                    purchase_permission_set(
                        actor=request.user,
                        customer=customer,
                        product=state.product,
                        allowed=allowed,
                        expires_on=form.cleaned_data["expires_on"] if allowed else None,
                        note=form.cleaned_data["note"] if allowed else "",
                    )
                except ValidationError as exc:
                    # The blocker (no active Azure plan) or a rule of the service, as the page shows them.
                    raise Unprocessable(errors=validation_errors(exc)) from None
        return Response(_panel(request, customer))
