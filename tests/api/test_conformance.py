"""Schemathesis against the API's own OpenAPI schema, through the WSGI app, with a global admin's token.

Bounded examples per operation (hypothesis), checks: no server error, status codes, content types and bodies as
the schema documents them, and malformed (negative) input refused with a 4xx.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.helpers import token_for

pytestmark = pytest.mark.usefixtures("shared_world")
_DJANGO = get_wsgi_application()


def WSGI(environ, start_response):
    """The project's WSGI app on the test's own database connection (as Django's test client keeps it: the
    request signals would close it, and with it the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = _DJANGO(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return [body]


@pytest.fixture
def bearer(world, settings):
    # Hundreds of requests within a minute: the per-token limit is tested on its own (test_tokens.py).
    settings.PORTAL_API_REQUESTS_PER_MINUTE = 100_000
    return {"Authorization": f"Bearer {token_for(world.users['global_admin'], name='schemathesis')}"}


# Loaded when the module is collected: the schema view is public and reads no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGI)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_conforms_to_the_schema(case, bearer):
    # "Schema-valid data is accepted" holds for reads only: a write's rules go beyond any schema (a company name
    # that is only a legal suffix, a postal code of another country: 422), a random If-Match is stale (412), and a
    # cursor is signed, so a made-up one is refused (400) by design.
    excluded = []
    query = case.query or {}
    # The activity log's date range follows its form's rules (from 1900, start on or before end): 400 otherwise.
    dated = case.path == "/api/v1/activity/" and bool({"date_from", "date_to"} & set(query))
    if case.method != "GET" or query.get("cursor") or dated:
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers=bearer, excluded_checks=excluded)
