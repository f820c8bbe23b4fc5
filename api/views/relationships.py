"""Relationships: a customer's relationships, ending one (preflight, then the end), the ended ones and restoring one.

Through the pages' forms and services (`relationships.services.lifecycle`); every lookup through `policy.restrict`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import keyset_page
from api.problems import BadRequest, PayloadTooLarge, Unprocessable, form_errors, validation_errors
from api.serializers_relationships import (
    BlockerSerializer,
    EndedRelationshipListSerializer,
    EndedRelationshipSerializer,
    EndPreflightSerializer,
    PageQuerySerializer,
    RelationshipEndSerializer,
    RelationshipListSerializer,
    RelationshipSerializer,
    RestoreInvitationSerializer,
    RestoreSerializer,
)
from api.views.base import ApiView, query_params
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from customers.models import Customer
from partnerportal.infrastructure.pagination import Ordering
from permissions import policy
from permissions.roles import Action
from relationships import selectors
from relationships.forms.lifecycle import RelationshipEndForm, RestoreInvitationForm
from relationships.models import Relationship
from relationships.services import lifecycle
from relationships.views.relationships import restore_default_message


def _customer(request: Request, pk: Any, action: str) -> Customer:
    customer = policy.restrict(Customer.objects.filter(pk=pk), request.user, action).first()
    if customer is None:
        raise Http404
    return customer


def _page_params(request: Request) -> dict[str, Any]:
    return query_params(request, PageQuerySerializer)


def _body(request: Request, allowed: frozenset[str]) -> dict[str, Any]:
    """The body as a JSON object of known fields (strings, and `confirm` a boolean); 400 else."""
    try:
        data = request.data
    except RequestDataTooBig:
        raise PayloadTooLarge() from None
    if not isinstance(data, dict):
        raise BadRequest(_("The body must be a JSON object."))
    errors: dict[str, list[str]] = {}
    for field, value in data.items():
        if field not in allowed:
            errors[field] = [str(_("Unknown or read-only field."))]
        elif field == "confirm":
            if not isinstance(value, bool):
                errors[field] = [str(_("Must be true or false."))]
        elif value is not None and not isinstance(value, str):
            errors[field] = [str(_("Must be a string."))]
    if errors:
        raise BadRequest(errors=errors)
    return {k: v for k, v in data.items() if v is not None}


class CustomerRelationshipListView(ApiView):
    """The user's organisation's relationships with one customer (active and ended), newest first."""

    permissions = {"GET": Action.VIEW_CUSTOMER}

    @extend_schema(
        operation_id="customers_relationships_list",
        summary="A customer's relationships",
        parameters=[PageQuerySerializer],
        responses={(200, "application/json"): RelationshipListSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any) -> Response:
        params = _page_params(request)
        customer = _customer(request, pk, Action.VIEW_CUSTOMER)
        rows = policy.restrict(
            Relationship.objects.filter(customer=customer), request.user, Action.VIEW_CUSTOMER
        ).select_related("customer", "partner", "indirect_partner")
        page = keyset_page(
            rows,
            Ordering("started_at", descending=True),
            sort="-started_at",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": RelationshipSerializer(page.rows, many=True).data, "next": page.next_cursor})


def _active(request: Request, customer: Customer) -> Relationship | None:
    active = Relationship.objects.filter(customer=customer, status=Relationship.Status.ACTIVE)
    return (
        policy.restrict(active, request.user, Action.END_RELATIONSHIP)
        .select_related("customer", "partner", "indirect_partner")
        .first()
    )


class RelationshipEndPreflightView(ApiView):
    """What the end page shows first: the active relationship and the subscriptions that keep it from ending."""

    permissions = {"GET": Action.END_RELATIONSHIP}

    @extend_schema(
        operation_id="customers_relationship_end_preflight",
        summary="Check whether a customer's relationship can end",
        responses={(200, "application/json"): EndPreflightSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any) -> Response:
        customer = _customer(request, pk, Action.END_RELATIONSHIP)
        relationship = _active(request, customer)
        blockers = list(lifecycle.relationship_blockers(partner=request.user.partner, customer=customer))
        return Response(
            {
                "relationship": RelationshipSerializer(relationship).data if relationship else None,
                "can_end": relationship is not None and not blockers,
                "blockers": BlockerSerializer(blockers, many=True).data,
                "reasons": list(Relationship.EndReason.values),
            }
        )


class RelationshipEndView(ApiView):
    """End the organisation's relationship with a customer: a reason (details for "other") and `confirm: true`."""

    permissions = {"GET": Action.END_RELATIONSHIP, "POST": Action.END_RELATIONSHIP}
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="customers_relationship_end",
        summary="End a customer's relationship",
        request=RelationshipEndSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (200, "application/json"): RelationshipSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._end(request, pk))

    def _end(self, request: Request, pk: Any) -> Response:
        customer = _customer(request, pk, Action.END_RELATIONSHIP)
        data = _body(request, frozenset(RelationshipEndSerializer().fields))
        if data.get("confirm") is True:
            data["confirm"] = "on"
        else:
            data.pop("confirm", None)
        form = RelationshipEndForm(data=data)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        try:
            relationship = lifecycle.relationship_end(
                actor=request.user,
                customer=customer,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        ended = Relationship.objects.select_related("customer", "partner", "indirect_partner").get(pk=relationship.pk)
        return Response(RelationshipSerializer(ended).data)


class EndedRelationshipListView(ApiView):
    """The organisation's ended relationships (the latest per customer), most recently ended first."""

    permissions = {"GET": Action.RESTORE_RELATIONSHIP}

    @extend_schema(
        operation_id="relationships_ended_list",
        summary="List ended relationships",
        parameters=[PageQuerySerializer],
        responses={(200, "application/json"): EndedRelationshipListSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        params = _page_params(request)
        page = keyset_page(
            selectors.ended_relationships(user=request.user),
            Ordering("ended_at", descending=True),
            sort="-ended_at",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": EndedRelationshipSerializer(page.rows, many=True).data, "next": page.next_cursor})


class RelationshipRestoreView(ApiView):
    """Send a restore invitation for an ended relationship (its link goes by email only)."""

    permissions = {"GET": Action.RESTORE_RELATIONSHIP, "POST": Action.RESTORE_RELATIONSHIP}
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="relationships_restore",
        summary="Send a restore invitation",
        request=RestoreSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (201, "application/json"): RestoreInvitationSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._restore(request, pk))

    def _restore(self, request: Request, pk: Any) -> Response:
        relationship = selectors.ended_relationships(user=request.user).filter(pk=pk).first()
        if relationship is None:
            raise Http404
        data = _body(request, frozenset(RestoreSerializer().fields))
        data.setdefault("message", restore_default_message(relationship=relationship))
        form = RestoreInvitationForm(data=data)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        try:
            invitation, _unused_link = lifecycle.restore_invitation_send(
                actor=request.user,
                relationship=relationship,
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        return Response(RestoreInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)
