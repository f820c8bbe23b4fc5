"""A customer's agreement attestation and the add-customer page's domain check.

Through the pages' form and services (`customers.services.customer_agreement_attest`, `domain_prefix_validate`):
the same rules, the same messages. Also the request-body and page-parameter helpers of this module's siblings
(subscriptions, purchase permissions, partnerships), whose bodies carry true/false values.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import BadRequest, PayloadTooLarge, Unprocessable, form_errors, validation_errors
from api.serializers import CustomerSerializer
from api.serializers_customer_actions import AgreementAttestSerializer, DomainAvailabilitySerializer
from api.serializers_relationships import PageQuerySerializer
from api.views.base import UNKNOWN_PARAMETER, ApiView, etag_of, query_params
from api.views.customers import IDEMPOTENCY_PARAMETER, _visible, problems
from customers.forms import CustomerAgreementForm
from customers.models import Customer
from customers.services import customer_agreement_attest
from customers.services.validation import (
    DOMAIN_PREFIX_MAX_LENGTH,
    MESSAGES,
    domain_prefix_validate,
    primary_domain_for,
)
from permissions import policy
from permissions.roles import Action

AGREEMENT_FIELDS = frozenset(AgreementAttestSerializer().fields)


def json_body(
    request: Request, allowed: frozenset[str], *, booleans: frozenset[str] = frozenset()
) -> tuple[dict[str, str], dict[str, bool]]:
    """The body as a JSON object of known fields: plain values (strings, whole numbers, null) as form strings, and
    the `booleans` as true/false; 400 for anything else (as `ApiView.json_object`, with true/false fields)."""
    try:
        data = request.data
    except RequestDataTooBig:
        raise PayloadTooLarge() from None
    if not isinstance(data, dict):
        raise BadRequest(_("The body must be a JSON object."))
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    flags: dict[str, bool] = {}
    for field, value in data.items():
        if field not in allowed:
            errors[field] = [str(_("Unknown or read-only field."))]
        elif field in booleans:
            if isinstance(value, bool):
                flags[field] = value
            else:
                errors[field] = [str(_("Must be true or false."))]
        elif isinstance(value, bool) or not isinstance(value, (str, int, type(None))):
            errors[field] = [str(_("Must be a string."))]
        elif isinstance(value, int) and abs(value) > 2**31 - 1:
            errors[field] = [str(_("The number is too large."))]
        else:
            values[field] = "" if value is None else str(value)
    if errors:
        raise BadRequest(errors=errors)
    return values, flags


def page_params(request: Request) -> dict[str, Any]:
    """`cursor` and `limit` of a list, validated (400 with the field's message; unknown parameters too)."""
    return query_params(request, PageQuerySerializer)


def customer_or_404(request: Request, pk: Any, action: str) -> Customer:
    """The customer when the user may take the action on it; 404 for any other (it is not revealed)."""
    customer = policy.restrict(Customer.objects.filter(pk=pk), request.user, action).first()
    if customer is None:
        raise Http404
    return customer


def _on_fields(errors: dict[str, list[str]], fields: frozenset[str]) -> dict[str, list[str]]:
    """A service's errors on the request's fields; those about anything else (the agreement's status, which the
    request does not send) are the request's own, as the page shows them above the form."""
    placed: dict[str, list[str]] = {}
    for field, messages in errors.items():
        placed.setdefault(field if field in fields else "non_field_errors", []).extend(messages)
    return placed


class CustomerAgreementView(ApiView):
    """Confirm, on the partner's word, that the customer accepted the customer agreement (the page's form)."""

    permissions = {"GET": Action.ATTEST_AGREEMENT, "POST": Action.ATTEST_AGREEMENT}
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="customers_agreement_attest",
        summary="Confirm the customer agreement",
        request=AgreementAttestSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            (200, "application/json"): CustomerSerializer,
            **problems(400, 401, 403, 404, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        return self.idempotent(request, lambda: self._attest(request, pk))

    def _attest(self, request: Request, pk: Any) -> Response:
        user = request.user
        customer = customer_or_404(request, pk, Action.ATTEST_AGREEMENT)
        form = CustomerAgreementForm(data=self.json_object(request, AGREEMENT_FIELDS))
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        with transaction.atomic():
            try:
                customer_agreement_attest(
                    actor=user,
                    customer=customer,
                    name=form.cleaned_data["agreement_name"],
                    email=form.cleaned_data["agreement_email"],
                    date=form.cleaned_data["agreement_date"],
                )
            except ValidationError as exc:
                raise Unprocessable(errors=_on_fields(validation_errors(exc), AGREEMENT_FIELDS)) from None
            if _visible(user, pk, Action.ATTEST_AGREEMENT) is None:
                # As the pages: a change that would take the customer out of the user's scope is rolled back.
                raise PermissionDenied
        shown = _visible(user, pk)
        body = CustomerSerializer(shown).data
        return Response(body, headers={"ETag": etag_of(body)})


PREFIX_PARAMETER = OpenApiParameter(
    "prefix",
    {"type": "string", "pattern": f"^[A-Za-z0-9]{{1,{DOMAIN_PREFIX_MAX_LENGTH}}}$"},
    OpenApiParameter.QUERY,
    required=True,
    description="The primary domain's prefix (letters and digits; it can't change later).",
)


class DomainAvailabilityView(ApiView):
    """The add-customer page's live check: is the prefix a valid primary domain that no customer uses yet?"""

    permissions = {"GET": Action.ADD_CUSTOMER}

    @extend_schema(
        operation_id="domains_availability",
        summary="Check whether a primary domain is free",
        parameters=[PREFIX_PARAMETER],
        responses={(200, "application/json"): DomainAvailabilitySerializer, **problems(400, 401, 403, 422, 429)},
    )
    def get(self, request: Request) -> Response:
        unknown = {name: [str(UNKNOWN_PARAMETER)] for name in request.query_params if name != "prefix"}
        if unknown:
            raise BadRequest(errors=unknown)
        prefix = request.query_params.get("prefix", "")
        try:
            text = domain_prefix_validate(prefix)
        except ValidationError as exc:
            if exc.code != "unique":
                # Not a domain at all: the add form's message for the field, as a problem.
                raise Unprocessable(errors={"prefix": [str(m) for m in exc.messages]}) from None
            available, message, text = False, str(exc.messages[0]), prefix.strip().lower()
        else:
            available = True
            message = str(MESSAGES["domain_available"] % {"domain": primary_domain_for(text)})
        body = {"prefix": text, "domain": primary_domain_for(text), "available": available, "message": message}
        # The answer changes as soon as anyone takes the domain.
        return Response(body, headers={"Cache-Control": "no-store"})
