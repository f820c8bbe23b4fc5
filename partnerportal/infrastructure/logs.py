"""Structured logs: the request ID every log line carries, and the one-JSON-object-per-line format.

`RequestIDMiddleware` (partnerportal.infrastructure.middleware) puts the request's ID into a context variable for
the duration of the request; `RequestContextFilter`, on the console handler, copies it (and the signed-in user's id,
once the request has loaded its user) onto every record. Work queued by the request stores the ID in its row
(`OutboundEmail.request_id`, `WebhookDelivery.request_id`) and the worker runs it inside `request_id_bound`, so the
worker's lines about it carry the same ID. `LOG_FORMAT=json` switches the console handler to `JsonFormatter`.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.functional import empty

# A proxy's X-Request-ID is taken as it is only when it is a sane token; anything else gets an ID of our own.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_request: ContextVar[HttpRequest | None] = ContextVar("log_request", default=None)


def request_id_new() -> str:
    """A fresh request ID (32 hex digits)."""
    return uuid.uuid4().hex


def request_id_from_header(value: str | None) -> str:
    """The proxy's X-Request-ID when it is a token of at most 64 `[A-Za-z0-9._-]`, else a fresh ID."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return request_id_new()


def current_request_id() -> str:
    """The ID of the request (or of the queued work) being served, "" outside both."""
    return _request_id.get()


@contextmanager
def request_id_bound(request_id: str, request: HttpRequest | None = None) -> Iterator[None]:
    """Run the block with `request_id` (and `request`, for the user's id) on every log line it writes."""
    id_token = _request_id.set(request_id)
    request_token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(request_token)
        _request_id.reset(id_token)


def loaded_user_id(request: HttpRequest | None) -> int | None:
    """The signed-in user's id when the request has loaded its user already (never a query of its own), else None."""
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    # AuthenticationMiddleware's lazy user: read it only once something else has evaluated it.
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return getattr(wrapped, "pk", None)


class RequestContextFilter(logging.Filter):
    """Add `request_id` and `user_id` to every record (a handler filter: it sees every logger's records)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = getattr(record, "request_id", "") or _request_id.get()
        record.request_id = request_id
        if getattr(record, "user_id", None) is None:
            record.user_id = loaded_user_id(_request.get())
        # For the text format: "[<id>] " before the message, nothing outside a request.
        record.request_tag = f"[{request_id}] " if request_id else ""
        return True


# Attributes every LogRecord has; whatever else a record carries came from `extra=` and goes into the object.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime", "taskName"}
)
# Django's request logger passes the request object itself: its path is in the request line already.
_LEFT_OUT = frozenset({"request", "request_tag"})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, request_id, user_id, the record's extra fields
    (the request line's path, method, status, duration_ms) and, for an exception, its type and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
            "user_id": getattr(record, "user_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and key not in _LEFT_OUT and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
            entry["exception_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
