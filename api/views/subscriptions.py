"""A customer's subscriptions: the list, adding one, and moving one between active, suspended and cancelled.

Through the pages' forms and services (`customers.services.subscriptions`); every lookup through
`policy.restrict`, so another partner's subscription, or one addressed through another customer, is a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import keyset_page
from api.problems import PreconditionFailed, PreconditionRequired, Unprocessable, form_errors, validation_errors
from api.serializers_relationships import PageQuerySerializer
from api.serializers_subscriptions import (
    SubscriptionCreateSerializer,
    SubscriptionListSerializer,
    SubscriptionSerializer,
    SubscriptionUpdateSerializer,
)
from api.views.base import ApiView, etag_of
from api.views.customer_actions import customer_or_404, json_body, page_params
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from customers import selectors
from customers.forms.subscriptions import SubscriptionForm, SubscriptionStatusForm
from customers.models import Customer, Subscription
from customers.services.subscriptions import subscription_create, subscription_status_change
from partnerportal.infrastructure.pagination import Ordering
from permissions import policy
from permissions.roles import Action

CREATE_FIELDS = frozenset(SubscriptionCreateSerializer().fields)
# The status a PATCH asks for, as the page's button that leads there.
STATUS_ACTIONS = {
    Subscription.Status.SUSPENDED: "suspend",
    Subscription.Status.ACTIVE: "reactivate",
    Subscription.Status.CANCELLED: "cancel",
}


def _in_scope(request: Request, pk: Any, action: str) -> bool:
    return policy.restrict(Customer.objects.filter(pk=pk), request.user, action).exists()


class CustomerSubscriptionListView(ApiView):
    """The customer's subscriptions with the user's organisation (newest first), and adding one."""

    permissions = {"GET": Action.VIEW_CUSTOMER, "POST": Action.MANAGE_SUBSCRIPTIONS}

    @extend_schema(
        operation_id="customers_subscriptions_list",
        summary="A customer's subscriptions",
        parameters=[PageQuerySerializer],
        responses={(200, "application/json"): SubscriptionListSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any) -> Response:
        params = page_params(request)
        customer = customer_or_404(request, pk, Action.VIEW_CUSTOMER)
        page = keyset_page(
            selectors.subscriptions_of(user=request.user, customer=customer),
            Ordering("created_at", descending=True),
            sort="-created_at",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": SubscriptionSerializer(page.rows, many=True).data, "next": page.next_cursor})

    @extend_schema(
        operation_id="customers_subscriptions_create",
        summary="Add a subscription",
        request=SubscriptionCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (201, "application/json"): SubscriptionSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._create(request, pk))

    def _create(self, request: Request, pk: Any) -> Response:
        customer = customer_or_404(request, pk, Action.MANAGE_SUBSCRIPTIONS)
        data, flags = json_body(request, CREATE_FIELDS, booleans=frozenset({"is_azure_plan"}))
        if flags.get("is_azure_plan"):
            data["is_azure_plan"] = "on"  # a ticked box, as the page posts it
        form = SubscriptionForm(data=data)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        with transaction.atomic():
            try:
                subscription = subscription_create(actor=request.user, customer=customer, **form.cleaned_data)
            except ValidationError as exc:
                raise Unprocessable(errors=validation_errors(exc)) from None
            if not _in_scope(request, pk, Action.MANAGE_SUBSCRIPTIONS):
                raise PermissionDenied
        body = SubscriptionSerializer(subscription).data
        headers = {
            "Location": reverse("api:subscription_detail", args=[customer.pk, subscription.pk]),
            "ETag": etag_of(body),
        }
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


class SubscriptionDetailView(ApiView):
    """One of the customer's subscriptions: read it (with its ETag), change its status (If-Match required)."""

    permissions = {"GET": Action.VIEW_CUSTOMER, "PATCH": Action.MANAGE_SUBSCRIPTIONS}

    def subscription(self, request: Request, pk: Any, subscription_pk: Any, action: str) -> Subscription:
        # It must be this customer's subscription and the user's partner's, whatever the URL says.
        customer = customer_or_404(request, pk, action)
        mine = policy.restrict(Subscription.objects.filter(customer=customer), request.user, action)
        subscription = mine.filter(pk=subscription_pk).first()
        if subscription is None:
            raise Http404
        return subscription

    @extend_schema(
        operation_id="customers_subscriptions_retrieve",
        summary="Get a subscription",
        responses={(200, "application/json"): SubscriptionSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any, subscription_pk: Any) -> Response:
        body = SubscriptionSerializer(self.subscription(request, pk, subscription_pk, Action.VIEW_CUSTOMER)).data
        return Response(body, headers={"ETag": etag_of(body)})

    @extend_schema(
        operation_id="customers_subscriptions_partial_update",
        summary="Suspend, reactivate or cancel a subscription",
        request=SubscriptionUpdateSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses={
            (200, "application/json"): SubscriptionSerializer,
            **problems(400, 401, 403, 404, 412, 413, 415, 422, 428, 429),
        },
    )
    def patch(self, request: Request, pk: Any, subscription_pk: Any) -> Response:
        user = request.user
        subscription = self.subscription(request, pk, subscription_pk, Action.MANAGE_SUBSCRIPTIONS)
        if_match = request.headers.get("If-Match")
        if not if_match:
            raise PreconditionRequired()
        data = self.json_object(request, frozenset({"status"}))
        wanted = data.get("status", "")
        form = SubscriptionStatusForm(data={"action": STATUS_ACTIONS.get(wanted, wanted)} if wanted else {})
        if not form.is_valid():
            raise Unprocessable(errors={"status": form_errors(form)["action"]})
        with transaction.atomic():
            locked = Subscription.objects.select_for_update(of=("self",)).get(pk=subscription.pk)
            if if_match.strip() not in {etag_of(SubscriptionSerializer(locked).data), "*"}:
                raise PreconditionFailed()
            try:
                changed = subscription_status_change(
                    actor=user, subscription=locked, action=form.cleaned_data["action"]
                )
            except ValidationError as exc:
                errors = validation_errors(exc)
                raise Unprocessable(
                    errors={"status": errors.pop("action"), **errors} if "action" in errors else errors
                ) from None
            if not _in_scope(request, pk, Action.MANAGE_SUBSCRIPTIONS):
                raise PermissionDenied
        body = SubscriptionSerializer(changed).data
        return Response(body, headers={"ETag": etag_of(body)})
