"""Keyset ("seek") pagination: pages of a fixed size that never count the whole result set."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone


@dataclass(frozen=True)
class Ordering:
    """A total order over a queryset: a column plus the primary key as tie-breaker."""

    field: str
    descending: bool = False

    def order_by(self, *, reverse: bool = False) -> list[str]:
        desc = self.descending != reverse
        prefix = "-" if desc else ""
        return [f"{prefix}{self.field}", f"{prefix}pk"]

    def after(self, value: Any, pk: Any, *, reverse: bool = False) -> Q:
        """Rows strictly after (value, pk) in this order (or before it, when reverse)."""
        desc = self.descending != reverse
        op = "lt" if desc else "gt"
        return Q(**{f"{self.field}__{op}": value}) | Q(**{self.field: value, f"pk__{op}": pk})


@dataclass
class Page:
    """One page of rows plus the cursors that lead to its neighbours (None at either end)."""

    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def encode_cursor(value: Any, pk: Any) -> str:
    if isinstance(value, datetime):
        value = {"dt": value.isoformat()}
    raw = json.dumps([value, str(pk)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str] | None:
    """Decode a cursor from the URL; None when it is malformed (a hand-edited URL starts at page 1)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["dt"])
        if not isinstance(pk, str) or not isinstance(value, (str, int, float, datetime)):
            return None
        return value, pk
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        return None


def _cursor_value(queryset: QuerySet, field_name: str, value: Any) -> Any:
    """The cursor's value converted to the ordering column's type; raises for anything the column can't hold."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL in cursor")  # PostgreSQL text cannot hold it
    try:
        field = queryset.model._meta.get_field(field_name)
    except FieldDoesNotExist:
        field = None  # an annotation: nothing to convert against
    if field is not None:
        value = field.to_python(value)
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def paginate(
    queryset: QuerySet,
    ordering: Ordering,
    *,
    after: str = "",
    before: str = "",
    size: int = 50,
    pk_parse: Callable[[str], Any] = str,
) -> Page:
    """Fetch one page (size + 1 rows, to know whether another follows) after or before a cursor."""
    reverse = bool(before) and not after
    cursor = decode_cursor(after or before) if (after or before) else None
    qs = queryset.order_by(*ordering.order_by(reverse=reverse))
    if cursor is not None:
        value, pk = cursor
        try:
            pk = queryset.model._meta.pk.to_python(pk_parse(pk))
            value = _cursor_value(queryset, ordering.field, value)
        except (ValueError, TypeError, ValidationError):
            # A hand-edited cursor (or one from another sort order) starts at page 1 instead of failing in SQL.
            cursor = None
        else:
            qs = qs.filter(ordering.after(value, pk, reverse=reverse))
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if reverse:
        rows.reverse()

    def cursor_of(row: Any) -> str:
        return encode_cursor(getattr(row, ordering.field), row.pk)

    if reverse:
        next_cursor = cursor_of(rows[-1]) if rows else None
        previous_cursor = cursor_of(rows[0]) if rows and has_more else None
    else:
        next_cursor = cursor_of(rows[-1]) if rows and has_more else None
        previous_cursor = cursor_of(rows[0]) if rows and cursor is not None else None
    return Page(rows=rows, next_cursor=next_cursor, previous_cursor=previous_cursor)


def list_state_query(request: HttpRequest) -> str:
    """The list's query string without its cursor, for the pager's links (every list state lives in the URL)."""
    params = request.GET.copy()
    for key in ("after", "before"):
        params.pop(key, None)
    return params.urlencode()
