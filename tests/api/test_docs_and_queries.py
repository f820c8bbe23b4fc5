"""The reference page (local static files, no inline script), the schema, and constant queries per list request."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.helpers import ApiClient, token_for
from tests.factories import make_customer
from tests.security.test_headers import inline_code

LIST = "/api/v1/customers/"


def test_the_reference_page_loads_only_local_static_files_and_no_inline_script(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not inline_code(html)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    for source in sources:
        assert finders.find(source.removeprefix("/static/")), source
        assert client.get(source).status_code == 200, source
    assert 'data-schema-url="/api/v1/schema/"' in html


def test_the_schema_is_openapi_3_and_documents_problem_details(client, db):
    schema = client.get("/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.")
    operation = schema["paths"]["/api/v1/customers/"]["post"]
    assert "application/problem+json" in operation["responses"]["422"]["content"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def _list_queries(api: ApiClient) -> list[str]:
    api.get(LIST)  # warm-up: the token's first use is stamped, the rate-limit window opened
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(LIST, {"limit": 200})
    assert response.status_code == 200
    # Leave out the two periodic writes (the last-use stamp once a minute, the old windows' cleanup when a new
    # minute begins), which a request may or may not hit whatever the list's size.
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(('UPDATE "api_apitoken"', "DELETE"))]


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_with_one_customer_or_sixty(world):
    admin = world.users["sales_agent"]
    api = ApiClient(token_for(admin))
    one = _list_queries(api)
    for _ in range(60):
        make_customer(world.partner_a, actor=world.users["global_admin"])
    many = _list_queries(api)
    assert len(api.get(LIST, {"limit": 200}).json()["results"]) > 60
    assert len(one) == len(many), (one, many)
    assert len(many) <= 4, many
