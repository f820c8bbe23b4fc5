"""Request-scoped context the services read without every call passing the request along."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

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
