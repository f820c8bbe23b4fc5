"""Keyset ("seek") pagination: pages of a chosen size that never count the whole result set.

A list says "how many" with a bounded count (`bounded_count`: `COUNT(*)` over the filtered query cut at `cap + 1`
rows), so its cost stops growing at the cap whatever the table's size; a list that fits on its first page needs no
count at all (the page query fetched size + 1 rows and got no more). A page's position ("51–100") travels in
the URL as `start` (`list_position`): keyset cursors do not know their offset, and counting the rows before the
cursor would cost a second bounded count on every later page. A missing or impossible `start` (a bookmark from
before, a hand-edited URL) falls back to that count, so the figure shown is never wrong.
"""

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
from django.http import HttpRequest, QueryDict
from django.utils import timezone

# The page sizes a list offers (`?size=`); anything else is the default size.
PAGE_SIZES = (25, 50, 100, 200)
# Parameters that locate one page inside a list state: dropped when the state changes (sort, size, filters).
PAGE_PARAMS = ("after", "before", "start")


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
    # Whether no row comes before this page (the first page, also when reached backwards with `before`).
    is_first: bool = False


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
    is_first = cursor is None or (reverse and not has_more)
    return Page(rows=rows, next_cursor=next_cursor, previous_cursor=previous_cursor, is_first=is_first)


def page_size(raw: str | None, *, default: int) -> int:
    """The page size asked for in the URL when it is one the lists offer, else the default (never an error)."""
    try:
        size = int(raw or "")
    except ValueError:
        return default
    return size if size in PAGE_SIZES else default


def bounded_count(queryset: QuerySet, cap: int) -> tuple[int, bool]:
    """How many rows the query has, counted no further than `cap`: (count, whether there are more than `cap`).

    One `SELECT COUNT(*) FROM (<the query> LIMIT cap + 1)`: the database stops reading at the cap. Unordered on
    purpose: an `ORDER BY` of the list's keyset inside makes PostgreSQL walk the sort index row by row, several
    times slower than the scan it picks for an unordered count.
    """
    counted = queryset.order_by()[: cap + 1].count()
    return min(counted, cap), counted > cap


@dataclass(frozen=True)
class ListCount:
    """The count line of one page: rows `first`–`last` of `total` (`more`: beyond the cap, "total+")."""

    first: int | None  # None when the position is unknown (more than the cap of rows before the page)
    last: int | None
    total: int
    more: bool


def list_position(
    queryset: QuerySet,
    ordering: Ordering,
    page: Page,
    *,
    start: str,
    cap: int,
) -> ListCount | None:
    """The count line of a page (None for an empty page): no query for the only page (its rows are the count), else
    one bounded count, plus one more only when the URL's `start` is missing or impossible for this page (then the
    rows before the page are counted, with the same cap)."""
    if not page.rows:
        return None
    shown = len(page.rows)
    if page.is_first and page.next_cursor is None:
        # The only page: `paginate` fetched size + 1 rows and got no more than this page, so these are all of them.
        return ListCount(first=1, last=shown, total=shown, more=False)
    total, more = bounded_count(queryset, cap)
    first: int | None
    if page.is_first:
        first = 1
    else:
        try:
            first = int(start)
        except ValueError:
            first = None
        # A later page starts after row 1, and its rows fit in the count (when the count is exact).
        if first is not None and (first < 2 or (not more and first + shown - 1 > total)):
            first = None
        if first is None:
            row = page.rows[0]
            before = queryset.filter(ordering.after(getattr(row, ordering.field), row.pk, reverse=True))
            counted, beyond = bounded_count(before, cap)
            first = None if beyond else counted + 1
    last = None if first is None else first + shown - 1
    if last is not None and not more:
        total = max(total, last)  # rows added since the count: never "51–60 of 55"
    return ListCount(first=first, last=last, total=total, more=more)


def list_state_params(request: HttpRequest, *, drop: tuple[str, ...] = ()) -> QueryDict:
    """The list's query parameters without the ones that locate a page (and without `drop`)."""
    params = request.GET.copy()
    for key in (*PAGE_PARAMS, *drop):
        params.pop(key, None)
    return params


def list_state_query(request: HttpRequest) -> str:
    """The list's query string without its cursor, for the pager's links (every list state lives in the URL)."""
    return list_state_params(request).urlencode()
