"""Every API error as RFC 9457 problem details (`application/problem+json`), translated by `Accept-Language`."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
logger = logging.getLogger("django.request")


class Unprocessable(exceptions.APIException):
    """422: the request was well-formed but its content breaks a rule (the forms' messages, per field)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("Some fields are not valid.")
    default_code = "invalid"

    def __init__(self, detail: Any = None, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or {}


class BadRequest(exceptions.APIException):
    """400 with optional field errors: the request's shape is wrong (types, unknown fields, a bad cursor)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request is not valid.")
    default_code = "bad_request"

    def __init__(self, detail: Any = None, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or {}


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send the object's ETag in If-Match to change it.")
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The object changed since you read it; read it again and send its new ETag.")
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


TITLES = {
    400: _("Bad request"),
    401: _("Authentication required"),
    403: _("Permission denied"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    412: _("Precondition failed"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    422: _("Validation failed"),
    428: _("Precondition required"),
    429: _("Too many requests"),
    500: _("Server error"),
}


def problem_body(status_code: int, detail: str, *, code: str = "", errors: dict | None = None) -> dict[str, Any]:
    """The problem document: type (a stable code), title, status, detail and, for invalid fields, errors."""
    code = code or TITLES.get(status_code, _("Error")).__str__().lower().replace(" ", "_")
    body: dict[str, Any] = {
        "type": f"urn:partnerportal:problem:{code}",
        "title": str(TITLES.get(status_code, _("Error"))),
        "status": status_code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = {field: [str(m) for m in messages] for field, messages in errors.items()}
    return body


def _field_errors(data: Any) -> dict[str, list[str]]:
    """DRF's ValidationError detail as {field: [messages]} ("non_field_errors" for the rest)."""
    if isinstance(data, dict):
        result = {}
        for field, messages in data.items():
            if isinstance(messages, dict):
                for sub, value in _field_errors(messages).items():
                    result[f"{field}.{sub}"] = value
            else:
                result[str(field)] = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
        return result
    if isinstance(data, list):
        return {"non_field_errors": [str(m) for m in data]}
    return {"non_field_errors": [str(data)]}


def form_errors(form: Any) -> dict[str, list[str]]:
    """A bound Django form's errors as problem field errors ("non_field_errors" for the form's own)."""
    return {
        ("non_field_errors" if field == "__all__" else field): list(messages) for field, messages in form.errors.items()
    }


def validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as problem field errors (by field when it has them)."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in DjangoValidationError(errs).messages] for field, errs in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, answering every error as a problem document."""
    errors: dict[str, list[str]] | None = None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = Unprocessable(errors=messages)
    if isinstance(exc, (Unprocessable, BadRequest)):
        errors = exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        exc.detail = str(_("The request is not valid."))
    response = exception_handler(exc, context)
    if response is None:
        # A bug: logged with its traceback like any server error, answered as a problem document, not HTML.
        request = context.get("request")
        logger.error("API error: %s", getattr(request, "path", ""), exc_info=exc)
        return Response(server_error_body(), status=500, content_type=PROBLEM_CONTENT_TYPE)
    assert isinstance(exc, exceptions.APIException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
    response.data = problem_body(response.status_code, detail, code=_code(exc), errors=errors)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


@csrf_exempt  # no session reaches the API, and a refused CSRF check would answer an HTML page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/v1/ that names no endpoint, by any method: a 404 problem, never the HTML page."""
    body = problem_body(404, str(exceptions.NotFound.default_detail), code="not_found")
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


def server_error_body() -> dict[str, Any]:
    return problem_body(500, str(_("Something went wrong on our side; the error was logged.")), code="server_error")
