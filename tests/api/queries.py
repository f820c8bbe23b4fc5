"""Counting a list request's queries the same way at any size: warmed up, without the periodic token writes."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

# A request may or may not hit these, whatever the list's size: the token's last-use stamp (once a minute) and the
# cleanup of old rate-limit windows (when a new minute begins).
PERIODIC = ('UPDATE "api_apitoken"', "DELETE")


def list_queries(api, url: str, params: dict | None = None) -> list[str]:
    api.get(url, params)  # warm-up: the token's first use is stamped, the rate-limit window opened
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(PERIODIC)]
