"""Staff users (global admins, MANAGE_STAFF): list, get, add, change roles and scope, deactivate, reactivate, and
email a password link.

Through the staff pages' forms and `partnerportal.staff.services`, so the pages' rules hold here too: a new user is
emailed a one-time link to choose their password (no password is ever sent or shown), the last active global admin
keeps the role, nobody deactivates themselves, and a change of roles or scope ends the user's sessions. A
deactivated user's tokens stop working at once (`api.services.api_token_authenticate`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import keyset_page
from api.problems import (
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    form_errors,
    validation_errors,
)
from api.serializers_staff import (
    StaffUserCreateSerializer,
    StaffUserListQuerySerializer,
    StaffUserListSerializer,
    StaffUserSerializer,
    StaffUserUpdateSerializer,
)
from api.views.base import ApiView, etag_of, query_params
from api.views.bodies import form_data
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.models import User
from partnerportal.staff import selectors, services
from partnerportal.staff.forms import StaffUserCreateForm, StaffUserForm
from permissions.roles import Action

CREATE_FIELDS = frozenset(StaffUserCreateSerializer().fields)
UPDATE_FIELDS = frozenset(StaffUserUpdateSerializer().fields)
LISTS = frozenset({"customers"})


def _staff(user: User) -> Any:
    """The staff users `user` manages, with their assignments (one query per page)."""
    return selectors.staff_user_list(user=user).prefetch_related("assignments")


def _shown(user: User, pk: Any) -> User:
    staff_user = _staff(user).filter(pk=pk).first()
    if staff_user is None:
        raise Http404
    return staff_user


def _answer(user: User, pk: Any, **kwargs: Any) -> Response:
    body = StaffUserSerializer(_shown(user, pk)).data
    return Response(body, headers={"ETag": etag_of(body), **kwargs.pop("headers", {})}, **kwargs)


class StaffUserListView(ApiView):
    """The partner's staff users (active first, then by email) and adding one."""

    permissions = {"GET": Action.MANAGE_STAFF, "POST": Action.MANAGE_STAFF}

    @extend_schema(
        operation_id="staff_list",
        summary="List staff users",
        parameters=[StaffUserListQuerySerializer],
        responses={(200, "application/json"): StaffUserListSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        params = query_params(request, StaffUserListQuerySerializer)
        page = keyset_page(
            selectors.staff_user_list(user=request.user, role=params.get("role", "")).prefetch_related("assignments"),
            Ordering("list_key"),
            sort="list_key",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": StaffUserSerializer(page.rows, many=True).data, "next": page.next_cursor})

    @extend_schema(
        operation_id="staff_create",
        summary="Add a staff user",
        description="The user is emailed a one-time link to choose their password (valid 72 hours).",
        request=StaffUserCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={(201, "application/json"): StaffUserSerializer, **problems(400, 401, 403, 413, 415, 422, 429)},
    )
    def post(self, request: Request) -> Response:
        return self.idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        user = request.user
        data = form_data(request, allowed=CREATE_FIELDS, lists=LISTS)
        # As on the page, where the scope radio starts on "whole partner".
        data.setdefault("scope", StaffUserCreateForm.base_fields["scope"].initial)
        form = StaffUserCreateForm(data=data, actor=user)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        cleaned = form.cleaned_data
        try:
            added = services.staff_user_add(
                actor=user,
                email=cleaned["email"],
                first_name=cleaned["first_name"],
                last_name=cleaned["last_name"],
                admin_role=cleaned["admin_role"],
                agent_role=cleaned["agent_role"],
                scope=cleaned["scope"],
                customers=cleaned["customers"],
            )
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        location = reverse("api:staff_detail", args=[added.pk])
        return _answer(user, added.pk, status=status.HTTP_201_CREATED, headers={"Location": location})


class StaffUserDetailView(ApiView):
    """One staff user: read them, change their names, roles, scope and assigned customers (If-Match required)."""

    permissions = {"GET": Action.MANAGE_STAFF, "PATCH": Action.MANAGE_STAFF}

    @extend_schema(
        operation_id="staff_retrieve",
        summary="Get a staff user",
        responses={(200, "application/json"): StaffUserSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any) -> Response:
        return _answer(request.user, pk)

    @extend_schema(
        operation_id="staff_partial_update",
        summary="Change a staff user's roles, scope or assigned customers",
        description="A change of roles or scope signs the user out everywhere (their API tokens keep working).",
        request=StaffUserUpdateSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses={
            (200, "application/json"): StaffUserSerializer,
            **problems(400, 401, 403, 404, 412, 413, 415, 422, 428, 429),
        },
    )
    def patch(self, request: Request, pk: Any) -> Response:
        user = request.user
        target = _shown(user, pk)
        if_match = request.headers.get("If-Match")
        if not if_match:
            raise PreconditionRequired()
        data = form_data(request, allowed=UPDATE_FIELDS, lists=LISTS)
        with transaction.atomic():
            # Locked as the service locks (global admins, then the user): the ETag check and the change are one.
            services.staff_user_lock(user=target)
            current = _shown(user, pk)
            if if_match.strip() not in {etag_of(StaffUserSerializer(current).data), "*"}:
                raise PreconditionFailed()
            merged: dict[str, Any] = {
                "first_name": current.first_name,
                "last_name": current.last_name,
                "admin_role": current.admin_role,
                "agent_role": current.agent_role,
                "scope": current.scope,
                "customers": [str(a.customer_id) for a in current.assignments.all()],
            }
            merged.update(data)
            form = StaffUserForm(data=merged, actor=user)
            if not form.is_valid():
                raise Unprocessable(errors=form_errors(form))
            cleaned = form.cleaned_data
            try:
                services.staff_user_update(
                    actor=user,
                    user=current,
                    first_name=cleaned["first_name"],
                    last_name=cleaned["last_name"],
                    admin_role=cleaned["admin_role"],
                    agent_role=cleaned["agent_role"],
                    scope=cleaned["scope"],
                    customers=cleaned["customers"],
                )
            except ValidationError as exc:
                raise Unprocessable(errors=validation_errors(exc)) from None
        return _answer(user, pk)


class _StaffUserActionView(ApiView):
    """A staff user's POST-only button: run one service, answer with the user as they are now."""

    permissions = {"GET": Action.MANAGE_STAFF, "POST": Action.MANAGE_STAFF}
    http_method_names = ["post", "options"]

    def act(self, actor: User, staff_user: User) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._run(request, pk))

    def _run(self, request: Request, pk: Any) -> Response:
        staff_user = _shown(request.user, pk)
        try:
            self.act(request.user, staff_user)
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        return _answer(request.user, pk)


def _action_schema(operation_id: str, summary: str, description: str) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={(200, "application/json"): StaffUserSerializer, **problems(400, 401, 403, 404, 413, 422, 429)},
    )


class StaffUserDeactivateView(_StaffUserActionView):
    @_action_schema(
        "staff_deactivate",
        "Deactivate a staff user",
        "They can no longer sign in; their sessions end and their API tokens stop working. Not yourself, and not "
        "the last active global admin.",
    )
    def post(self, request: Request, pk: Any) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, staff_user: User) -> None:
        services.staff_user_deactivate(actor=actor, user=staff_user)


class StaffUserReactivateView(_StaffUserActionView):
    @_action_schema(
        "staff_reactivate",
        "Reactivate a staff user",
        "They may sign in again with the roles and scope they had.",
    )
    def post(self, request: Request, pk: Any) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, staff_user: User) -> None:
        services.staff_user_reactivate(actor=actor, user=staff_user)


class StaffUserPasswordResetView(_StaffUserActionView):
    @_action_schema(
        "staff_password_reset",
        "Email a staff user a password link",
        "A fresh one-time link to choose a new password (older links stop working); never the password itself.",
    )
    def post(self, request: Request, pk: Any) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, staff_user: User) -> None:
        services.staff_password_reset_send(actor=actor, user=staff_user)
