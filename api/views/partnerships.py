"""Provider↔reseller partnerships: the list (either side), a provider's request, a reseller's authorization and a
provider's removal — `relationships.services.partnerships`, with the pages' rules.

As the pages: the role needs the partnership action (403), the cloud must have partnerships at all (404 in the US
Government cloud), and the partner type decides the side: only an indirect provider requests or removes, only an
indirect reseller authorizes (403 for the other types).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Field
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import keyset_page
from api.problems import Unprocessable, form_errors, validation_errors
from api.serializers_partnerships import (
    PartnershipAuthorizeSerializer,
    PartnershipListItemSerializer,
    PartnershipListQuerySerializer,
    PartnershipListSerializer,
    PartnershipRequestSerializer,
)
from api.views.base import ApiView
from api.views.customer_actions import json_body, page_params
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from partnerportal.infrastructure.pagination import Ordering
from permissions import policy
from permissions.roles import Action
from relationships.forms.lifecycle import PartnershipAuthorizeForm, PartnershipRequestForm
from relationships.models import Partnership
from relationships.services import partnerships

REQUEST_FIELDS = frozenset(PartnershipRequestSerializer().fields)


def _shown(partnership: Partnership) -> dict[str, Any]:
    fresh = Partnership.objects.select_related("provider", "reseller").get(pk=partnership.pk)
    return dict(PartnershipListItemSerializer(fresh).data)


class _PartnershipView(ApiView):
    """Every partnership endpoint: MANAGE_PARTNERSHIPS for any method (the US Government cloud withholds it, so
    there the policy answers 404)."""

    permissions = {"GET": Action.MANAGE_PARTNERSHIPS, "POST": Action.MANAGE_PARTNERSHIPS}

    def require(self, request: Request, action: str) -> None:
        """403 when the partner type does not take this side of a partnership (the role alone allows it)."""
        if not policy.has_action(request.user, action):
            raise PermissionDenied


class PartnershipListView(_PartnershipView):
    """A provider's indirect resellers (requested, active, removed) or a reseller's providers; a provider's request."""

    @extend_schema(
        operation_id="partnerships_list",
        summary="List partnerships",
        parameters=[PartnershipListQuerySerializer],
        responses={(200, "application/json"): PartnershipListSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request: Request) -> Response:
        params = page_params(request)
        page = keyset_page(
            partnerships.partnership_list(user=request.user),
            Ordering("created_at", descending=True),
            sort="-created_at",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        rows = PartnershipListItemSerializer(page.rows, many=True).data
        return Response({"results": rows, "next": page.next_cursor})

    @extend_schema(
        operation_id="partnerships_request",
        summary="Request a partnership with an indirect reseller",
        request=PartnershipRequestSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (201, "application/json"): PartnershipListItemSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request) -> Response:
        self.require(request, Action.REQUEST_PARTNERSHIP)
        return self.idempotent(request, lambda: self._request(request))

    def _request(self, request: Request) -> Response:
        data, _flags = json_body(request, REQUEST_FIELDS)
        partner = request.user.partner
        assert partner is not None  # partner staff only: the policy gives users without a partner no actions
        # As the page: the message is pre-filled and may be replaced.
        data.setdefault("message", partnerships.partnership_default_message(partner=partner))
        form = PartnershipRequestForm(data=data)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        try:
            # The link goes to the reseller by email only: never in the answer (which a retry would replay).
            partnership, _token = partnerships.partnership_request(
                actor=request.user, email=form.cleaned_data["email"], message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        return Response(_shown(partnership), status=status.HTTP_201_CREATED)


class PartnershipAuthorizeView(_PartnershipView):
    """The reseller authorizes the provider with the emailed link's token and the page's statement (once)."""

    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="partnerships_authorize",
        summary="Authorize an indirect provider",
        request=PartnershipAuthorizeSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (200, "application/json"): PartnershipListItemSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request) -> Response:
        self.require(request, Action.AUTHORIZE_PARTNERSHIP)
        return self.idempotent(request, lambda: self._authorize(request))

    def _authorize(self, request: Request) -> Response:
        data, flags = json_body(request, frozenset({"token", "confirm"}), booleans=frozenset({"confirm"}))
        form = PartnershipAuthorizeForm(data={"confirm": "on"} if flags.get("confirm") else {})
        errors = {} if form.is_valid() else form_errors(form)
        token = data.get("token", "")
        if not token:
            errors["token"] = [str(Field.default_error_messages["required"])]
        if errors:
            raise Unprocessable(errors=errors)
        try:
            partnership = partnerships.partnership_authorize(actor=request.user, token=token)
        except ValidationError as exc:
            # An unknown link is the token's fault; a used, expired or withdrawn one is the request's state.
            field = "token" if exc.code == "unknown" else "non_field_errors"
            raise Unprocessable(errors={field: [str(m) for m in exc.messages]}) from None
        return Response(_shown(partnership))


class PartnershipRemoveView(_PartnershipView):
    """The provider removes a partnership or withdraws its request; customer relationships stay as they are."""

    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="partnerships_remove",
        summary="Remove a partnership or withdraw a request",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (200, "application/json"): PartnershipListItemSerializer,
            **problems(400, 401, 403, 404, 422, 429),
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._remove(request, pk))

    def _remove(self, request: Request, pk: Any) -> Response:
        # As the page: only the provider's own partnerships are found (a reseller's are a 404 here).
        mine = policy.restrict(Partnership.objects.all(), request.user, Action.MANAGE_PARTNERSHIPS)
        partnership = mine.filter(pk=pk, provider_id=request.user.partner_id).first()
        if partnership is None:
            raise Http404
        try:
            partnerships.partnership_remove(actor=request.user, partnership=partnership)
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        return Response(_shown(partnership))
