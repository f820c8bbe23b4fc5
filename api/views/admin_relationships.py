"""Admin relationships (granular delegated admin): the partner-wide list and a customer's, one relationship,
requesting one, terminating one, assigning its roles to security groups; the role templates and security groups
(read only).

Through the admin-relationship pages' forms, selectors and services, with the pages' access: every staff role with
customer access reads them, an admin agent requests, terminates and assigns (a global admin alone does not);
anything outside the user's scope is a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from adminrelationships import selectors, services
from adminrelationships.forms import (
    AccessAssignmentForm,
    AdminRelationshipFilterForm,
    AdminRelationshipForm,
    TerminateForm,
)
from adminrelationships.models import DEFAULT_DAYS, AccessAssignment, AdminRelationship
from api.pagination import keyset_page
from api.problems import BadRequest, Unprocessable, form_errors, validation_errors
from api.serializers_admin_relationships import (
    AdminRelationshipDetailSerializer,
    AdminRelationshipListSerializer,
    AdminRelationshipQuerySerializer,
    AdminRelationshipRequestSerializer,
    AdminRelationshipSerializer,
    AssignSerializer,
    CustomerAdminRelationshipQuerySerializer,
    ListPageQuerySerializer,
    RoleTemplateListSerializer,
    RoleTemplateSerializer,
    SecurityGroupListSerializer,
    SecurityGroupSerializer,
    TerminateSerializer,
)
from api.views.base import ApiView, etag_of, query_params
from api.views.bodies import form_data
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from customers.models import Customer
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.models import User
from permissions import policy
from permissions.roles import Action

NOT_YOUR_CUSTOMER = _("None of your customers has this ID.")


def _query(request: Request, serializer_class: type) -> dict[str, Any]:
    """The query string through its serializer: an unknown parameter or a bad value is a 400."""
    return query_params(request, serializer_class)


def _filters(request: Request, *, customer: Customer | None = None) -> selectors.ListFilters:
    """The list page's filters, judged by its form (which the page lets fall back; the API refuses a bad one)."""
    data = {k: v for k, v in request.query_params.items() if k in ("status", "customer_id", "role", "expiring")}
    form = AdminRelationshipFilterForm(data)
    if not form.is_valid():
        raise BadRequest(errors=form_errors(form))
    values = form.values()
    if customer is not None:
        values["customer"] = customer.pk
    return selectors.ListFilters(**values)


def _page(request: Request, rows: QuerySet, params: dict[str, Any]) -> Response:
    page = keyset_page(
        rows,
        Ordering("requested_at", descending=True),
        sort="-requested_at",
        cursor=params.get("cursor", ""),
        limit=params["limit"],
    )
    return Response({"results": AdminRelationshipSerializer(page.rows, many=True).data, "next": page.next_cursor})


def _detail_queryset(user: User, action: str = Action.VIEW_ADMIN_RELATIONSHIP) -> QuerySet:
    assignments = AccessAssignment.objects.select_related("group").order_by("group__name", "pk")
    return (
        selectors.admin_relationship_queryset(user=user, action=action)
        .select_related("customer", "requested_by")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
    )


def _relationship(user: User, pk: Any, action: str = Action.VIEW_ADMIN_RELATIONSHIP) -> AdminRelationship:
    relationship = _detail_queryset(user, action).filter(pk=pk).first()
    if relationship is None:
        raise Http404
    return relationship


def _detail(user: User, pk: Any, **kwargs: Any) -> Response:
    body = AdminRelationshipDetailSerializer(_relationship(user, pk)).data
    return Response(body, headers={"ETag": etag_of(body), **kwargs.pop("headers", {})}, **kwargs)


class AdminRelationshipListView(ApiView):
    """Every admin relationship of the partner the user may see (the list page's filters), and requesting one."""

    permissions = {"GET": Action.VIEW_ADMIN_RELATIONSHIP, "POST": Action.MANAGE_ADMIN_RELATIONSHIP}

    @extend_schema(
        operation_id="admin_relationships_list",
        summary="List admin relationships",
        parameters=[AdminRelationshipQuerySerializer],
        responses={(200, "application/json"): AdminRelationshipListSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        params = _query(request, AdminRelationshipQuerySerializer)
        rows = selectors.admin_relationship_list(user=request.user, filters=_filters(request))
        return _page(request, rows, params)

    @extend_schema(
        operation_id="admin_relationships_request",
        summary="Request an admin relationship",
        description="The approval link is emailed to the customer's proved address; the customer has 90 days.",
        request=AdminRelationshipRequestSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (201, "application/json"): AdminRelationshipDetailSerializer,
            **problems(400, 401, 403, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request) -> Response:
        return self.idempotent(request, lambda: self._request(request))

    def _request(self, request: Request) -> Response:
        user = request.user
        templates = selectors.role_templates_of(user=user)
        # The fields the page's form offers (no `template` where the partner has no role templates).
        offered = AdminRelationshipForm(templates=templates)
        data = form_data(
            request, allowed=frozenset(offered.fields), lists=frozenset({"roles"}), booleans=frozenset({"auto_extend"})
        )
        # As on the page, where the duration starts at 730 days.
        data.setdefault("duration_days", str(DEFAULT_DAYS))
        form = AdminRelationshipForm(data=data, templates=templates)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        cleaned = form.cleaned_data
        customers = policy.restrict(Customer.objects.all(), user, Action.MANAGE_ADMIN_RELATIONSHIP)
        customer = customers.filter(pk=cleaned["customer_id"]).first()
        if customer is None:
            raise Unprocessable(errors={"customer_id": [str(NOT_YOUR_CUSTOMER)]})
        try:
            relationship = services.admin_relationship_request(
                actor=user,
                customer=customer,
                name=cleaned["name"],
                duration_days=cleaned["duration_days"],
                roles=cleaned["roles"],
                template=cleaned.get("template"),
                auto_extend=cleaned["auto_extend"],
            )
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        location = reverse("api:admin_relationship_detail", args=[relationship.pk])
        return _detail(user, relationship.pk, status=status.HTTP_201_CREATED, headers={"Location": location})


class CustomerAdminRelationshipListView(ApiView):
    """One customer's admin relationships (the list page's filters but the customer)."""

    permissions = {"GET": Action.VIEW_ADMIN_RELATIONSHIP}

    @extend_schema(
        operation_id="customers_admin_relationships_list",
        summary="A customer's admin relationships",
        parameters=[CustomerAdminRelationshipQuerySerializer],
        responses={(200, "application/json"): AdminRelationshipListSerializer, **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any) -> Response:
        params = _query(request, CustomerAdminRelationshipQuerySerializer)
        customer = policy.restrict(Customer.objects.filter(pk=pk), request.user, Action.VIEW_ADMIN_RELATIONSHIP)
        found = customer.first()
        if found is None:
            raise Http404
        rows = selectors.admin_relationship_list(user=request.user, filters=_filters(request, customer=found))
        return _page(request, rows, params)


class AdminRelationshipDetailView(ApiView):
    """One admin relationship: what was requested and approved, its dates, and its assignments to groups."""

    permissions = {"GET": Action.VIEW_ADMIN_RELATIONSHIP}

    @extend_schema(
        operation_id="admin_relationships_retrieve",
        summary="Get an admin relationship",
        responses={(200, "application/json"): AdminRelationshipDetailSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: Any) -> Response:
        return _detail(request.user, pk)


class AdminRelationshipTerminateView(ApiView):
    """Terminate an active admin relationship or withdraw a pending request: a reason and `confirm: true`."""

    permissions = {"GET": Action.MANAGE_ADMIN_RELATIONSHIP, "POST": Action.MANAGE_ADMIN_RELATIONSHIP}
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="admin_relationships_terminate",
        summary="Terminate an admin relationship",
        description="Both sides are emailed; the security groups lose the roles at once.",
        request=TerminateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (200, "application/json"): AdminRelationshipDetailSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._terminate(request, pk))

    def _terminate(self, request: Request, pk: Any) -> Response:
        relationship = _relationship(request.user, pk, Action.MANAGE_ADMIN_RELATIONSHIP)
        data = form_data(request, allowed=frozenset(TerminateSerializer().fields), booleans=frozenset({"confirm"}))
        form = TerminateForm(data=data)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        try:
            services.admin_relationship_terminate(
                actor=request.user, relationship=relationship, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        return _detail(request.user, pk)


class AdminRelationshipAssignView(ApiView):
    """Give a security group some of an active relationship's approved roles (an empty list removes the group)."""

    permissions = {"GET": Action.MANAGE_ADMIN_RELATIONSHIP, "POST": Action.MANAGE_ADMIN_RELATIONSHIP}
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="admin_relationships_assign",
        summary="Assign an admin relationship's roles to a security group",
        request=AssignSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (200, "application/json"): AdminRelationshipDetailSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._assign(request, pk))

    def _assign(self, request: Request, pk: Any) -> Response:
        user = request.user
        relationship = _relationship(user, pk, Action.MANAGE_ADMIN_RELATIONSHIP)
        data = form_data(request, allowed=frozenset(AssignSerializer().fields), lists=frozenset({"roles"}))
        form = AccessAssignmentForm(
            data=data, groups=selectors.security_groups_of(user=user), relationship=relationship
        )
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        try:
            services.access_assignment_set(
                actor=user,
                relationship=relationship,
                group=form.cleaned_data["group"],
                roles=form.cleaned_data["roles"],
            )
        except ValidationError as exc:
            raise Unprocessable(errors=validation_errors(exc)) from None
        return _detail(user, pk)


class RoleTemplateListView(ApiView):
    """The partner's role templates (read only; they are edited on their page), by name."""

    permissions = {"GET": Action.MANAGE_ADMIN_RELATIONSHIP}

    @extend_schema(
        operation_id="role_templates_list",
        summary="List role templates",
        parameters=[ListPageQuerySerializer],
        responses={(200, "application/json"): RoleTemplateListSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        params = _query(request, ListPageQuerySerializer)
        page = keyset_page(
            selectors.role_templates_of(user=request.user),
            Ordering("name"),
            sort="name",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": RoleTemplateSerializer(page.rows, many=True).data, "next": page.next_cursor})


class SecurityGroupListView(ApiView):
    """The partner's security groups of staff and their members (read only), by name."""

    permissions = {"GET": Action.MANAGE_SECURITY_GROUPS}

    @extend_schema(
        operation_id="security_groups_list",
        summary="List security groups",
        parameters=[ListPageQuerySerializer],
        responses={(200, "application/json"): SecurityGroupListSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        params = _query(request, ListPageQuerySerializer)
        members = User.objects.order_by("email")
        page = keyset_page(
            selectors.security_groups_of(user=request.user).prefetch_related(Prefetch("members", queryset=members)),
            Ordering("name"),
            sort="name",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": SecurityGroupSerializer(page.rows, many=True).data, "next": page.next_cursor})
