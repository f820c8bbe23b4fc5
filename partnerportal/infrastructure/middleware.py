"""Request-scoped context the services read without every call passing the request along."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from partnerportal.infrastructure.logs import request_id_bound, request_id_from_header

_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def client_address() -> str | None:
    """The address of the client whose request is being served (None outside a request)."""
    return _client_address.get()


def request_client_address(request: HttpRequest) -> str | None:
    """The client address of a request: REMOTE_ADDR, which a trusted proxy in front of gunicorn sets."""
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Record the client address for the activity log for the duration of one request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_address.set(request_client_address(request))
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)


request_logger = logging.getLogger("partnerportal.requests")


class RequestIDMiddleware:
    """Give every request an ID (the proxy's sane `X-Request-ID`, else a fresh one), answer it in the response's
    `X-Request-ID`, put it on every log line written meanwhile, and end with one log line for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get("X-Request-ID"))
        started = time.monotonic()
        with request_id_bound(request_id, request):
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
        return response
