"""A customer's tags (the user's partner's only): read them, replace them, add some (through the tag service)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import BadRequest, PayloadTooLarge, Unprocessable
from api.views.base import ApiView
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from customers.models import Customer, Tag
from customers.services.tags import customer_tags_set
from permissions import policy
from permissions.roles import Action


class TagListSerializer(serializers.Serializer):
    tags = serializers.ListField(
        child=serializers.CharField(max_length=Tag.MAX_LENGTH),
        max_length=Tag.MAX_PER_CUSTOMER,
        help_text=_("Tag names; a new name is added to your organisation's tags."),
    )


def _tag_names(user: Any, customer: Customer) -> list[str]:
    mine = policy.restrict(customer.customer_tags.all(), user, Action.VIEW_CUSTOMER).select_related("tag")
    return sorted((ct.tag.name for ct in mine), key=str.casefold)


class CustomerTagsView(ApiView):
    """GET the customer's tags; PUT replaces them (removing is a PUT without the tag); POST adds tags."""

    permissions = {"GET": Action.VIEW_CUSTOMER, "PUT": Action.MANAGE_TAGS, "POST": Action.MANAGE_TAGS}

    def customer(self, request: Request, pk: Any, action: str) -> Customer:
        customer = policy.restrict(Customer.objects.filter(pk=pk), request.user, action).first()
        if customer is None:
            raise Http404
        return customer

    def names(self, request: Request) -> list[str]:
        try:
            data = request.data
        except RequestDataTooBig:
            raise PayloadTooLarge() from None
        tags = data.get("tags") if isinstance(data, dict) else None
        if (
            not isinstance(data, dict)
            or set(data) != {"tags"}
            or not isinstance(tags, list)
            or not all(isinstance(t, str) for t in tags)
        ):
            raise BadRequest(errors={"tags": [str(_("Send an object with one field, “tags”: a list of names."))]})
        serializer = TagListSerializer(data=data)
        if not serializer.is_valid():
            raise BadRequest(errors={k: [str(m) for m in v] for k, v in _flat(serializer.errors).items()})
        return serializer.validated_data["tags"]

    def save(self, request: Request, customer: Customer, names: list[str]) -> Response:
        try:
            customer_tags_set(actor=request.user, customer=customer, tag_ids=[], new_names=names)
        except ValidationError as exc:
            messages = [str(m) for m in exc.messages]
            raise Unprocessable(errors={"tags": messages}) from None
        return Response({"tags": _tag_names(request.user, customer)})

    @extend_schema(
        operation_id="customers_tags_list",
        summary="A customer's tags",
        responses={(200, "application/json"): TagListSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any) -> Response:
        return Response({"tags": _tag_names(request.user, self.customer(request, pk, Action.VIEW_CUSTOMER))})

    @extend_schema(
        operation_id="customers_tags_replace",
        summary="Replace a customer's tags",
        request=TagListSerializer,
        responses={(200, "application/json"): TagListSerializer, **problems(400, 401, 403, 404, 415, 422, 429)},
    )
    def put(self, request: Request, pk: Any) -> Response:
        customer = self.customer(request, pk, Action.MANAGE_TAGS)
        return self.save(request, customer, self.names(request))

    @extend_schema(
        operation_id="customers_tags_add",
        summary="Add tags to a customer",
        request=TagListSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={(200, "application/json"): TagListSerializer, **problems(400, 401, 403, 404, 415, 422, 429)},
    )
    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._add(request, pk))

    def _add(self, request: Request, pk: Any) -> Response:
        customer = self.customer(request, pk, Action.MANAGE_TAGS)
        names = self.names(request)
        return self.save(request, customer, [*_tag_names(request.user, customer), *names])


def _flat(errors: Any) -> dict[str, list[str]]:
    """A ListField's errors ({"tags": {0: [...]}} or {"tags": [...]}) as plain messages per field."""
    flat: dict[str, list[str]] = {}
    for field, value in errors.items():
        if isinstance(value, dict):
            flat[field] = [str(m) for messages in value.values() for m in messages]
        else:
            flat[field] = [str(m) for m in value]
    return flat
