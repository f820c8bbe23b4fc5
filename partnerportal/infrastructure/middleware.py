"""Request-scoped context the services read without every call passing the request along."""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from partnerportal.infrastructure.logs import request_id_bound, request_id_from_header

_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def client_address() -> str | None:
    """The address of the client whose request is being served (None outside a request)."""
    return _client_address.get()


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _trusted_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _trusted(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def request_client_address(request: HttpRequest) -> str | None:
    """The client address of a request: REMOTE_ADDR, the connection's peer.

    Behind reverse proxies listed in PORTAL_TRUSTED_PROXIES (CIDRs), whose connections all come from the proxy's
    address, it is the right-most X-Forwarded-For entry that is not one of those proxies: each proxy appends the
    address it received the request from, so only the entries the trusted proxies added are believed, and a client
    cannot choose its own address by sending the header. Without the setting the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    cidrs = tuple(settings.PORTAL_TRUSTED_PROXIES)
    if not remote or not cidrs:
        return remote
    networks = _trusted_networks(cidrs)
    if not _trusted(remote, networks):
        return remote
    forwarded = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    for hop in reversed(forwarded):
        if _trusted(hop, networks):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            # A malformed entry where a client address should be: nothing left of it can be believed.
            return remote
    return remote


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
