"""Fixed-window request counting in PostgreSQL: one atomic upsert per key per request, shared by every process."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from partnerportal.models import RateLimitCounter

# Rows of windows older than this are deleted whenever some key starts a new window.
RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class RateLimitResult:
    """The outcome of counting one request: whether it may proceed, and when the window resets."""

    allowed: bool
    count: int
    retry_after: int


def window_start(now: datetime, seconds: int) -> datetime:
    """The start of the fixed window `now` falls in (windows are aligned to the Unix epoch)."""
    epoch = math.floor(now.timestamp() / seconds) * seconds
    return datetime.fromtimestamp(epoch, tz=now.tzinfo or timezone.get_current_timezone())


def rate_limit_hit(*, key: str, limit: int, seconds: int, now: datetime | None = None) -> RateLimitResult:
    """Count one request against `key` and say whether it is within `limit` requests per `seconds`-long window.

    One INSERT … ON CONFLICT … DO UPDATE … RETURNING statement, so concurrent requests each get a distinct count.
    It commits on its own (requests are not atomic), so a refused request still counts.
    """
    now = now or timezone.now()
    start = window_start(now, seconds)
    table = RateLimitCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608 -- table name is a constant
            f"ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key[:128], start],
        )
        (count,) = cursor.fetchone()
    if count == 1:
        # A new window began for this key: a good moment to forget windows nobody can hit any more.
        RateLimitCounter.objects.filter(window_start__lt=now - RETENTION).delete()
    retry_after = max(1, math.ceil((start + timedelta(seconds=seconds) - now).total_seconds()))
    return RateLimitResult(allowed=count <= limit, count=count, retry_after=retry_after)
