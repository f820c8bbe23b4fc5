"""The partner's business profiles: the list and one profile (with its locations and its logo's address), and
publishing or unpublishing one, through the pages' services.

Reads need VIEW_BUSINESS_PROFILE, publishing MANAGE_BUSINESS_PROFILE (a global admin); another partner's profile
is a 404. Creating and editing profiles, locations and logos stay on the pages. Where the cloud has no business
profiles (US Government) every endpoint is a 404 (`api.access.PolicyPermission`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import keyset_page
from api.problems import Unprocessable, validation_errors
from api.serializers_profiles import BusinessProfileListSerializer, BusinessProfileSerializer
from api.serializers_relationships import PageQuerySerializer
from api.views.base import ApiView, etag_of
from api.views.bodies import form_data
from api.views.customer_actions import page_params
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from partnerportal.infrastructure.pagination import Ordering
from permissions.roles import Action
from profiles import selectors, services
from profiles.models import BusinessProfile, ProfileLocation


def _profiles(request: Request, action: str) -> Any:
    locations = Prefetch("locations", queryset=ProfileLocation.objects.order_by("created_at", "id"))
    return selectors.profile_queryset(user=request.user, action=action).prefetch_related(locations)


def profile_or_404(request: Request, pk: Any, action: str) -> BusinessProfile:
    profile = _profiles(request, action).filter(pk=pk).first()
    if profile is None:
        raise Http404
    return profile


def _answer(profile: BusinessProfile) -> Response:
    body = BusinessProfileSerializer(profile).data
    return Response(body, headers={"ETag": etag_of(body)})


class BusinessProfileListView(ApiView):
    """The organisation's business profiles, by country/region."""

    permissions = {"GET": Action.VIEW_BUSINESS_PROFILE}

    @extend_schema(
        operation_id="business_profiles_list",
        summary="Business profiles",
        parameters=[PageQuerySerializer],
        responses={(200, "application/json"): BusinessProfileListSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request: Request) -> Response:
        params = page_params(request)
        page = keyset_page(
            _profiles(request, Action.VIEW_BUSINESS_PROFILE),
            Ordering("country"),
            sort="country",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": BusinessProfileSerializer(page.rows, many=True).data, "next": page.next_cursor})


class BusinessProfileDetailView(ApiView):
    permissions = {"GET": Action.VIEW_BUSINESS_PROFILE}

    @extend_schema(
        operation_id="business_profiles_retrieve",
        summary="Get a business profile",
        responses={(200, "application/json"): BusinessProfileSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _answer(profile_or_404(request, pk, Action.VIEW_BUSINESS_PROFILE))


class _ProfileStep(ApiView):
    permissions = {"GET": Action.MANAGE_BUSINESS_PROFILE, "POST": Action.MANAGE_BUSINESS_PROFILE}
    http_method_names = ["post", "options"]

    def post(self, request: Request, pk: int) -> Response:
        return self.idempotent(request, lambda: self._step(request, pk))

    def _step(self, request: Request, pk: int) -> Response:
        profile = profile_or_404(request, pk, Action.MANAGE_BUSINESS_PROFILE)
        if request.body:
            form_data(request, allowed=frozenset())  # no fields: an empty body or {}
        try:
            self.run(request, profile)
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        return _answer(profile_or_404(request, pk, Action.MANAGE_BUSINESS_PROFILE))

    def run(self, request: Request, profile: BusinessProfile) -> None:
        raise NotImplementedError


STEP_RESPONSES = {
    (200, "application/json"): BusinessProfileSerializer,
    **problems(400, 401, 403, 404, 413, 415, 422, 429),
}


class BusinessProfilePublishView(_ProfileStep):
    @extend_schema(
        operation_id="business_profiles_publish",
        summary="Publish a business profile (its locations enter the directory)",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=STEP_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def run(self, request: Request, profile: BusinessProfile) -> None:
        services.business_profile_publish(actor=request.user, profile=profile)


class BusinessProfileUnpublishView(_ProfileStep):
    @extend_schema(
        operation_id="business_profiles_unpublish",
        summary="Unpublish a business profile (its locations leave the directory)",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=STEP_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def run(self, request: Request, profile: BusinessProfile) -> None:
        services.business_profile_unpublish(actor=request.user, profile=profile)
