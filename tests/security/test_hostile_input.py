"""No input reaches a 500: every page the access matrix reaches, its query parameters and its forms, driven with
hostile values (calendar edges, huge numbers, NUL bytes, invalid UTF-8, 100k-character strings, broken cursors and
UUIDs). Bounded: a fixed sweep of edge values plus a few dozen generated combinations."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerportal.infrastructure.pagination import encode_cursor
from tests.access import PUBLIC_ROUTES, ROWS
from tests.api.helpers import ApiClient, token_for
from tests.conftest import World, build_world, module_data
from tests.partnerportal.test_access import ROLE_COLUMNS, target_kwargs

# Keyset cursors and the names the list pages read straight from the query string.
# (The exports take their list's filters without a form of their own: the filter names are listed here too.)
LIST_PARAMS = (
    "after",
    "before",
    "q",
    "role",
    "customer",
    "status",
    "tag",
    "tags",
    "prefix",
    "sort",
    "page",
    "date_from",
    "date_to",
    "actor",
    "action",
    "model",
    "agreement",
)
ACTION_FIELDS = ("reason", "reason_code", "note", "status", "new_names", "names", "confirm", "email", "message")
SKIP_POST = {"logout", "set_language"}  # they only redirect; signing out mid-sweep would end the session

EDGE_VALUES = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-9223372036854775809" + "9" * 30,
    "1e309",
    "a\x00b",
    "x" * 100_000,
    "00000000-0000-0000-0000-00000000000g",
    "!!!not-base64!!!",
    encode_cursor("not-a-time", "not-an-id"),
    encode_cursor(10**30, -1),
    "' OR 1=1 --<script>",
]
# Percent-encoded bytes that are not UTF-8 (and a NUL), sent as raw query strings.
RAW_QUERY_VALUES = ["%FF%FE", "%ED%A0%80", "%E2%82", "a%00%FFb"]

FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.IGNORECASE)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
ATTR = re.compile(r'([a-z-]+)="([^"]*)"', re.IGNORECASE)


def _allowed(row, column) -> bool:
    return getattr(row, column) in (200, 302) if row.method == "POST" else getattr(row, column) == 200


def _targets():
    """(url name, target, role column, role) for every page a role reaches, GET and POST alike, once each."""
    seen = set()
    for row in ROWS:
        key = (row.url_name, row.target, row.method)
        if key in seen or (row.method == "POST" and row.url_name in SKIP_POST) or row.method not in ("GET", "POST"):
            continue
        for column, role in ROLE_COLUMNS.items():
            if _allowed(row, column) and not (
                row.method == "POST" and column == "anon" and getattr(row, column) == 302
            ):
                seen.add(key)
                yield row, column, role
                break


TARGETS = list(_targets())


def form_fields(html: str, method: str) -> tuple[set[str], set[str]]:
    """Names of the fields (and of the file fields) of the page's forms with the given method."""
    names, files = set(), set()
    for form_attrs, body in FORM.findall(html):
        form_method = dict(ATTR.findall(form_attrs)).get("method", "get").lower()
        if form_method != method:
            continue
        for _tag, attrs in FIELD.findall(body):
            attrs = {k.lower(): v for k, v in ATTR.findall(attrs)}
            name = attrs.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            (files if attrs.get("type") == "file" else names).add(name)
    return names, files


class Page:
    """One reachable page: its URL, the client signed in as the role, and the field names its forms use."""

    def __init__(self, client, row, column, kwargs):
        self.row, self.column, self.client = row, column, client
        self.url = reverse(row.url_name, kwargs=kwargs)
        response = self.client.get(self.url)
        html = "" if response.streaming else response.content.decode(errors="replace")
        self.get_names, _ = form_fields(html, "get")
        self.post_names, self.file_names = form_fields(html, "post")
        if row.method == "POST" and not self.post_names:
            # A POST-only action (its form sits on another page): the names such actions read.
            self.post_names = set(ACTION_FIELDS)

    def send(self, values: dict[str, str]):
        if self.row.method == "GET":
            response = self.client.get(self.url, values)
        else:
            data = dict(values)
            for name in self.file_names:
                data[name] = SimpleUploadedFile("hostile.csv", values.get(name, "").encode("utf-8", "surrogatepass"))
            response = self.client.post(self.url, data)
        self.check(response, values)
        return response

    def send_raw_query(self, raw: str):
        names = sorted(self.get_names | set(LIST_PARAMS))
        query = "&".join(f"{quote(name)}={raw}" for name in names)
        response = self.client.get(f"{self.url}?{query}") if self.row.method == "GET" else None
        if response is not None:
            self.check(response, raw)

    def names(self) -> list[str]:
        base = self.get_names | set(LIST_PARAMS) if self.row.method == "GET" else self.post_names | self.file_names
        return sorted(base)

    def check(self, response, values):
        shown = (
            {k: (v[:40] + "…" if len(v) > 40 else v) for k, v in values.items()} if isinstance(values, dict) else values
        )
        if response.streaming:
            b"".join(response.streaming_content)  # an export fails while it streams, not before
        assert response.status_code < 500, f"{self.row.method} {self.url} as {self.column} with {shown!r}"
        assert response.status_code in (200, 201, 302, 400, 403, 404, 405, 410, 413, 415, 422, 429), (
            response.status_code
        )


def _fresh_world() -> World:
    """A world of its own for one page: the access-matrix targets change their world (end the in-scope
    relationship, make partner A a provider, open a second invitation), so pages cannot share one."""
    return build_world(with_assigned_scope=True, unique=True)


def _pages_build() -> list[Page]:
    built, worlds = [], {}
    for row, column, role in TARGETS:
        if row.target not in worlds:  # the GET and POST rows of one target share its world
            world = _fresh_world()
            worlds[row.target] = world, target_kwargs(world, row.target)
        world, kwargs = worlds[row.target]
        client = Client()
        if role:
            client.force_login(world.users[role])
        if row.url_name.startswith("api:") and row.url_name not in PUBLIC_ROUTES:
            # The API reads a bearer token (the session does not count); its bodies are JSON objects.
            client = ApiClient(token_for(world.users[role]) if role else None)
        built.append(Page(client, row, column, kwargs))
    return built


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    """Every reachable page with its worlds, built once for the module; each test sees them as built (its own
    savepoint is rolled back after it), so one value's accepted POST never changes what the next value meets."""
    with module_data(django_db_blocker, _pages_build) as built:
        # The sweep reaches the filtered lists, the forms and the CSV upload.
        assert sum(1 for p in built if p.row.method == "GET" and p.get_names) >= 4
        assert sum(1 for p in built if p.row.method == "POST" and p.post_names) >= 10
        assert any(p.file_names for p in built)
        yield built


@pytest.mark.parametrize("value", EDGE_VALUES, ids=[f"edge{i}" for i in range(len(EDGE_VALUES))])
def test_every_edge_value_in_every_field_of_every_page(pages, db, value):
    for page in pages:
        page.send(dict.fromkeys(page.names(), value))


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00\x00\xc3\x28", b"a\x00b,c\n" * 100, b"x" * 300_000, "a,b\n".encode("utf-16"), b""],
    ids=["invalid-utf8", "nul-bytes", "endless-line", "utf16", "empty"],
)
def test_uploads_that_are_no_csv_at_all_never_reach_a_500(pages, db, content):
    for page in (p for p in pages if p.file_names):
        data = {name: SimpleUploadedFile("hostile.csv", content) for name in page.file_names}
        page.check(page.client.post(page.url, data), {"upload": content[:20].decode("latin-1")})


@pytest.mark.parametrize("raw", RAW_QUERY_VALUES)
def test_invalid_utf8_and_nul_bytes_in_query_strings_never_reach_a_500(pages, db, raw):
    # Percent-encoded as a browser or a script would send them.
    for page in pages:
        page.send_raw_query(raw)


hostile_text = st.one_of(
    st.sampled_from(EDGE_VALUES),
    st.text(max_size=60),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.uuids().map(lambda u: str(u)[: len(str(u)) - 1]),  # malformed: one digit short
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_combinations_never_reach_a_500(pages, db, data):
    page = data.draw(st.sampled_from(pages), label="page")
    names = page.names()
    if not names:
        return
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True), label="fields")
    page.send({name: data.draw(hostile_text, label=name) for name in chosen})
