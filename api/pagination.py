"""Keyset pages for the API: an opaque, signed `next` cursor over (sort column, primary key), no total count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from api.problems import BadRequest
from partnerportal.infrastructure.pagination import Ordering

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SALT = "api.cursor"


@dataclass
class ApiPage:
    rows: list
    next_cursor: str | None


def _encode(sort: str, value: Any, pk: Any) -> str:
    if isinstance(value, datetime):
        value = {"dt": value.isoformat()}
    return signing.dumps([sort, value, str(pk)], salt=_SALT, compress=True)


def _decode(cursor: str, sort: str) -> tuple[Any, str]:
    invalid = BadRequest(errors={"cursor": [str(_("The cursor is not valid; start again without it."))]})
    try:
        payload = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise invalid from None
    if not isinstance(payload, list) or len(payload) != 3 or payload[0] != sort:
        # A cursor from another sort order: its position means nothing in this one.
        raise invalid
    value = payload[1]
    if isinstance(value, dict):
        value = datetime.fromisoformat(value["dt"])
    return value, payload[2]


def keyset_page(queryset: QuerySet, ordering: Ordering, *, sort: str, cursor: str, limit: int) -> ApiPage:
    """One page of `limit` rows after the cursor (limit + 1 fetched, to know whether another follows)."""
    qs = queryset.order_by(*ordering.order_by())
    if cursor:
        value, pk = _decode(cursor, sort)
        qs = qs.filter(ordering.after(value, pk))
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode(sort, getattr(rows[-1], ordering.field), rows[-1].pk) if rows and has_more else None
    return ApiPage(rows=rows, next_cursor=next_cursor)
