"""Invitations: the list (the page's state filter, in keyset pages), a new one, resend and revoke.

Through the new-invitation page's form (so `dap` is accepted only where it is forced, in the US Government cloud)
and the invitation services; every lookup through the invitations' policy scope.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import keyset_page
from api.problems import Unprocessable, form_errors, validation_errors
from api.serializers_invitations import (
    InvitationCreateSerializer,
    InvitationListQuerySerializer,
    InvitationListSerializer,
    InvitationSerializer,
)
from api.views.base import ApiView, query_params
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from customers.models import Customer
from partnerportal.infrastructure.pagination import Ordering
from permissions import policy
from permissions.roles import Action
from relationships.forms.invitations import InvitationForm
from relationships.models import Invitation
from relationships.selectors import invitation_list, invitation_queryset
from relationships.services import invitation_emails, invitations


def _shown(user: Any, pk: Any) -> Invitation:
    invitation = invitation_list(user=user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


class InvitationListView(ApiView):
    """The partner's invitations (as the list page shows them to the user) and sending a new one."""

    permissions = {"GET": Action.INVITE_CUSTOMER, "POST": Action.INVITE_CUSTOMER}

    @extend_schema(
        operation_id="invitations_list",
        summary="List invitations",
        parameters=[InvitationListQuerySerializer],
        responses={(200, "application/json"): InvitationListSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        params = query_params(request, InvitationListQuerySerializer)
        page = keyset_page(
            invitation_list(user=request.user, status=params.get("status", "")),
            Ordering("created_at", descending=True),
            sort="-created_at",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": InvitationSerializer(page.rows, many=True).data, "next": page.next_cursor})

    @extend_schema(
        operation_id="invitations_create",
        summary="Send an invitation",
        request=InvitationCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (201, "application/json"): InvitationSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        user = request.user
        # The fields the page's form offers this user (no `dap` outside the US Government cloud), and `customer`.
        offered = InvitationForm(partner=user.partner, actions=policy.user_actions(user), user=user)
        data = self.json_object(request, {*offered.fields, "customer"})
        customer = None
        if data.get("customer"):
            customer = (
                policy.restrict(Customer.objects.all(), user, Action.INVITE_CUSTOMER)
                .filter(pk=_uuid(data["customer"]))
                .first()
            )
            if customer is None:
                raise Http404
        # As the page: the message is pre-filled (for a known customer, addressed to it) and may be replaced.
        data.setdefault("message", invitation_emails.default_message(partner=user.partner, customer=customer))
        form = InvitationForm(
            data=data,
            partner=user.partner,
            actions=policy.user_actions(user),
            user=user,
            customer=customer,
        )
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        try:
            invitation, _token = invitations.invitation_create(
                actor=user,
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
                dap=form.cleaned_data.get("dap", False),
                customer=customer,
                provider=form.cleaned_data.get("provider"),
                extras=form.extension_values(),
            )
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        return Response(InvitationSerializer(_shown(user, invitation.pk)).data, status=status.HTTP_201_CREATED)


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise Http404 from None


class _InvitationActionView(ApiView):
    permissions = {"GET": Action.INVITE_CUSTOMER, "POST": Action.INVITE_CUSTOMER}
    http_method_names = ["post", "options"]

    def invitation(self, request: Request, pk: Any) -> Invitation:
        invitation = invitation_queryset(user=request.user).filter(pk=pk).first()
        if invitation is None:
            raise Http404
        return invitation

    def act(self, request: Request, invitation: Invitation) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._run(request, pk))

    def _run(self, request: Request, pk: Any) -> Response:
        invitation = self.invitation(request, pk)
        try:
            self.act(request, invitation)
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        return Response(InvitationSerializer(_shown(request.user, pk)).data)


class InvitationResendView(_InvitationActionView):
    """Send the invitation again with a fresh link and expiry; the old link stops working."""

    @extend_schema(
        operation_id="invitations_resend",
        summary="Resend an invitation",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={(200, "application/json"): InvitationSerializer, **problems(400, 401, 403, 404, 422, 429)},
    )
    def post(self, request: Request, pk: Any) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, invitation: Invitation) -> None:
        invitations.invitation_resend(actor=request.user, invitation=invitation)


class InvitationRevokeView(_InvitationActionView):
    """Revoke a pending invitation; its link then says so."""

    @extend_schema(
        operation_id="invitations_revoke",
        summary="Revoke an invitation",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={(200, "application/json"): InvitationSerializer, **problems(400, 401, 403, 404, 422, 429)},
    )
    def post(self, request: Request, pk: Any) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, invitation: Invitation) -> None:
        invitations.invitation_revoke(actor=request.user, invitation=invitation)
