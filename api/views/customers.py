"""Customers: list (the list page's search, filters and sort, in keyset pages), get, create, update."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import keyset_page
from api.problems import (
    PROBLEM_CONTENT_TYPE,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    form_errors,
)
from api.serializers import (
    PROFILE_INPUT_FIELDS,
    CustomerCreateSerializer,
    CustomerListItemSerializer,
    CustomerListQuerySerializer,
    CustomerListSerializer,
    CustomerSerializer,
    CustomerUpdateSerializer,
    ProblemSerializer,
)
from api.views.base import IDEMPOTENCY_HEADER, ApiView, etag_of, query_params
from customers import selectors
from customers import services as customer_services
from customers.forms import CustomerForm
from customers.models import Customer
from partnerportal.infrastructure.pagination import Ordering
from permissions import policy
from permissions.roles import Action
from relationships.forms.onboarding import AddCustomerForm
from relationships.services import customer_onboard


def problems(*codes: int) -> dict[Any, Any]:
    """The documented error answers: problem details, as `application/problem+json`."""
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=f"Problem details ({code})")
        for code in codes
    }


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,255}$"},
    OpenApiParameter.HEADER,
    description="Send the same key again to get the first answer again (24 hours); another body is a 422.",
)


CREATE_FIELDS = frozenset(CustomerCreateSerializer().fields)
UPDATE_FIELDS = frozenset(CustomerUpdateSerializer().fields)


class CustomerListView(ApiView):
    """The customer list and adding a customer."""

    permissions = {"GET": Action.VIEW_CUSTOMER, "POST": Action.ADD_CUSTOMER}

    @extend_schema(
        operation_id="customers_list",
        summary="List customers",
        parameters=[CustomerListQuerySerializer],
        responses={(200, "application/json"): CustomerListSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        user = request.user
        params = query_params(request, CustomerListQuerySerializer)
        sort = params["sort"]
        field, descending = selectors.SORTS[sort]
        page = keyset_page(
            selectors.customer_list_page_queryset(
                user=user,
                q=params.get("q", ""),
                kind=params.get("kind", ""),
                reseller=params.get("reseller"),
                tag=params.get("tag"),
            ),
            Ordering(field, descending),
            sort=sort,
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": CustomerListItemSerializer(page.rows, many=True).data, "next": page.next_cursor})

    @extend_schema(
        operation_id="customers_create",
        summary="Add a customer",
        request=CustomerCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={(201, "application/json"): CustomerSerializer, **problems(400, 401, 403, 413, 415, 422, 429)},
    )
    def post(self, request: Request) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        user = request.user
        data = self.json_object(request, CREATE_FIELDS)
        # As on the page, where the radio starts on "the customer will be asked" (ignored where the role can't attest).
        data.setdefault("agreement_status", Customer.Agreement.NOT_PROVIDED)
        form = AddCustomerForm(data=data, partner=user.partner, actions=policy.user_actions(user))
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        customer = customer_onboard(
            actor=user,
            data=form.customer_data(),
            domain_prefix=form.cleaned_data["domain_prefix"],
            reseller=form.cleaned_data.get("reseller"),
            provider=form.cleaned_data.get("provider"),
        )
        shown = _visible(user, customer.pk) or customer
        body = CustomerSerializer(shown).data
        headers = {"Location": reverse("api:customer_detail", args=[customer.pk]), "ETag": etag_of(body)}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


def _visible(user: Any, pk: Any, action: str = Action.VIEW_CUSTOMER) -> Customer | None:
    """The customer as the user sees it (relationship and tags annotated), or None outside their scope."""
    qs = selectors.customer_queryset(user=user, action=action).annotate(tag_names=selectors.tag_names_array(user=user))
    return qs.filter(pk=pk).first()


class CustomerDetailView(ApiView):
    """One customer: read it, change its profile (If-Match required)."""

    permissions = {"GET": Action.VIEW_CUSTOMER, "PATCH": Action.CHANGE_CUSTOMER}

    @extend_schema(
        operation_id="customers_retrieve",
        summary="Get a customer",
        responses={(200, "application/json"): CustomerSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any) -> Response:
        customer = _visible(request.user, pk)
        if customer is None:
            raise Http404
        body = CustomerSerializer(customer).data
        return Response(body, headers={"ETag": etag_of(body)})

    @extend_schema(
        operation_id="customers_partial_update",
        summary="Change a customer's profile",
        request=CustomerUpdateSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses={
            (200, "application/json"): CustomerSerializer,
            **problems(400, 401, 403, 404, 412, 413, 415, 422, 428, 429),
        },
    )
    def patch(self, request: Request, pk: Any) -> Response:
        user = request.user
        if _visible(user, pk, Action.CHANGE_CUSTOMER) is None:
            raise Http404
        if_match = request.headers.get("If-Match")
        if not if_match:
            raise PreconditionRequired()
        data = self.json_object(request, UPDATE_FIELDS)
        with transaction.atomic():
            locked = Customer.objects.select_for_update().get(pk=pk)
            current = _visible(user, pk, Action.CHANGE_CUSTOMER)
            if current is None:
                raise Http404
            if if_match.strip() not in {etag_of(CustomerSerializer(current).data), "*"}:
                raise PreconditionFailed()
            merged = {field: getattr(locked, field) for field in PROFILE_INPUT_FIELDS}
            merged.update(data)
            form = CustomerForm(data=merged, partner=user.partner, customer=locked)
            if not form.is_valid():
                raise Unprocessable(errors=form_errors(form))
            customer_services.customer_update(actor=user, customer=locked, data=form.customer_data())
            updated = _visible(user, pk, Action.CHANGE_CUSTOMER)
            if updated is None:
                # The change would move the customer out of the user's scope: rolled back (as the pages do).
                raise PermissionDenied
        body = CustomerSerializer(updated).data
        return Response(body, headers={"ETag": etag_of(body)})
