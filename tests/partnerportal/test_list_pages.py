"""The keyset lists' count line, page size, sortable headers and pager labels (issue 15, lists)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import translation

from tests.customers.list_helpers import customer_named, names_in

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

LIST = reverse("customers:customer_list")


@pytest.fixture
def admin(world):
    return world.users["global_admin"]


def count_line(response) -> str | None:
    match = re.search(r'<p class="[^"]*list-count[^"]*" id="list-count">([^<]*)</p>', response.content.decode())
    return unescape(match.group(1)) if match else None


def link(response, rel: str) -> str | None:
    match = re.search(rf'href="(\?[^"]*)" rel="{rel}"', response.content.decode())
    return unescape(match.group(1)) if match else None


def sort_header(response, label: str) -> tuple[str | None, str]:
    """(aria-sort, link) of the column header whose link reads `label`."""
    html = response.content.decode()
    for th in re.findall(r"<th [^>]*>.*?</th>", html, flags=re.S):
        match = re.search(r'<a class="sort-link[^"]*" href="([^"]*)">([^<]*)<', th)
        if match and unescape(match.group(2)) == label:
            aria = re.search(r'aria-sort="(\w+)"', th)
            return (aria.group(1) if aria else None), unescape(match.group(1))
    raise AssertionError(f"no sortable header {label!r}")


def counts_in(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def test_the_only_page_is_counted_without_a_count_query(world, admin, client_for):
    client = client_for(admin)
    total = len(names_in(client.get(LIST, {"size": 200}).content))
    assert 0 < total < 50
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST)
    assert response.context["page"].next_cursor is None
    # The page query fetched size + 1 rows and got no more: its rows are the exact count.
    assert count_line(response) == f"1–{total} of {total}"
    assert counts_in(ctx) == []


def test_the_count_is_exact_below_the_cap_across_pages(world, admin, client_for, settings):
    for i in range(5):
        customer_named(world.partner_a, admin, f"Across {i} Co")
    settings.PORTAL_PAGE_SIZE = 2
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(admin).get(LIST, {"q": "across"})
    assert response.context["page"].next_cursor
    assert count_line(response) == "1–2 of 5"
    assert len(counts_in(ctx)) == 1


@override_settings(PORTAL_COUNT_CAP=3)
def test_beyond_the_cap_the_count_says_plus(world, admin, client_for):
    for i in range(4):
        customer_named(world.partner_a, admin, f"Capped {i} Co")
    client = client_for(admin)
    response = client.get(LIST, {"q": "capped"})
    # The only page is counted by its rows, even beyond the cap: the figure is exact.
    assert count_line(response) == "1–4 of 4"
    with override_settings(PORTAL_PAGE_SIZE=2):
        response = client.get(LIST, {"q": "capped"})
    assert response.context["page"].next_cursor
    assert count_line(response) == "1–2 of 3+"


def test_an_empty_list_has_no_count_line(world, admin, client_for):
    response = client_for(admin).get(LIST, {"q": "no customer is called this"})
    assert response.status_code == 200
    assert count_line(response) is None
    assert "list-page-size" not in response.content.decode()


def test_the_count_runs_with_the_limit(world, admin, client_for, settings):
    client = client_for(admin)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("staff:user_list"))
    assert response.context["page"].next_cursor is None and counts_in(ctx) == []  # one page: no count
    settings.PORTAL_PAGE_SIZE = 2
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("staff:user_list"))
    assert response.context["page"].next_cursor
    counts = counts_in(ctx)
    assert len(counts) == 1
    assert f"LIMIT {settings.PORTAL_COUNT_CAP + 1}" in counts[0]


def test_thousands_are_grouped_in_the_count_line(world, admin, client_for, settings):
    # The figure is formatted by the template with the locale's grouping: 1,234 (English) and 1,234 (Korean).
    from django.template.loader import render_to_string

    from partnerportal.infrastructure.pagination import ListCount

    html = render_to_string("generic/_list_count.html", {"list_count": ListCount(1201, 1250, 1234, False)})
    assert "1,201–1,250 of 1,234" in html
    with translation.override("ko"):
        html = render_to_string("generic/_list_count.html", {"list_count": ListCount(1, 50, 10000, True)})
    assert "총 10,000개 이상 중 1–50" in html


def test_page_two_knows_its_position_and_the_size_stays_in_every_link(world, admin, client_for):
    for i in range(26):
        customer_named(world.partner_a, admin, f"Aaa Paged {i:02d} Co")
    client = client_for(admin)
    first = client.get(LIST, {"size": 25, "q": "aaa paged"})
    assert count_line(first) == "1–25 of 26"
    assert first.context["page_size"] == 25
    next_url = link(first, "next")
    assert next_url is not None and "size=25" in next_url and "start=26" in next_url and "q=aaa+paged" in next_url

    second = client.get(LIST + next_url)
    assert count_line(second) == "26–26 of 26"
    previous_url = link(second, "prev")
    assert previous_url is not None and "size=25" in previous_url and "start=1" in previous_url
    back = client.get(LIST + previous_url)
    assert count_line(back) == "1–25 of 26" and back.context["page"].is_first

    # A bookmark without the position, or a hand-edited one, still shows the right figures (counted instead).
    cursor = second.context["page"].previous_cursor
    after = next_url.split("after=")[1].split("&")[0]
    for start in ("", "1", "999", "abc", "-4"):
        response = client.get(LIST, {"size": 25, "q": "aaa paged", "after": after, "start": start})
        assert count_line(response) == "26–26 of 26", start
    assert cursor

    # The size is kept by the filter form (hidden field) and by the sort headers; neither keeps the position.
    html = second.content.decode()
    assert '<input type="hidden" name="size" value="25">' in html
    _, href = sort_header(second, "Name")
    assert "size=25" in href and "after=" not in href and "start=" not in href
    size_form = html.split('class="d-flex align-items-center gap-2 ms-auto list-page-size"', 1)[1].split("</form>")[0]
    assert 'name="after"' not in size_form and 'name="start"' not in size_form and 'name="size"' in size_form
    assert 'name="q" value="aaa paged"' in size_form


@pytest.mark.parametrize("size", ["7", "abc", "-1", "1000000", "", "25.0"])
def test_an_unknown_size_is_the_default(world, admin, client_for, size, settings):
    response = client_for(admin).get(LIST, {"size": size})
    assert response.status_code == 200
    assert response.context["page_size"] == settings.PORTAL_PAGE_SIZE
    assert "size=" not in response.context["base_query"]


def test_the_page_size_select_offers_the_sizes_and_works_without_javascript(world, admin, client_for):
    html = client_for(admin).get(LIST, {"size": 100}).content.decode()
    form = html.split('class="d-flex align-items-center gap-2 ms-auto list-page-size"', 1)[1].split("</form>")[0]
    assert re.findall(r'<option value="(\d+)"', form) == ["25", "50", "100", "200"]
    assert '<option value="100" selected>' in form
    assert '<button type="submit"' in form  # a plain GET form: no JavaScript needed
    assert "<script>" not in html and "js/page-size.js" in html


def test_the_name_header_toggles_and_says_how_the_list_is_sorted(world, admin, client_for):
    client = client_for(admin)
    default = client.get(LIST)
    assert sort_header(default, "Name") == ("ascending", "?sort=-name")
    descending = client.get(LIST, {"sort": "-name"})
    assert sort_header(descending, "Name") == ("descending", "?sort=name")
    names = names_in(descending.content)
    assert names == sorted(names, key=str.lower, reverse=True) or names == sorted(names, reverse=True)
    by_date = client.get(LIST, {"sort": "-created", "q": "customer"})
    aria, href = sort_header(by_date, "Name")
    assert aria is None and href == "?q=customer&sort=name"
    assert '<span class="sort-arrow" aria-hidden="true"> ▲</span>' in default.content.decode()


LIST_SORTS = [
    ("customers:customer_list", "global_admin", {"name": "Name", "-name": "Name", "created": None, "-created": None}),
    (
        "leads:lead_list",
        "global_admin",
        {"-received": "Received", "received": "Received", "company": "Company", "-company": "Company"},
    ),
    ("adminrelationships:adminrelationship_list", "admin_agent", {"-requested": "Requested", "requested": "Requested"}),
    ("adminrelationships:dap_list", "admin_agent", {"name": "Customer", "-name": "Customer"}),
]


@pytest.mark.parametrize(("name", "role", "sorts"), LIST_SORTS, ids=[row[0] for row in LIST_SORTS])
def test_every_list_renders_with_every_sort(world, client_for, name, role, sorts):
    client = client_for(world.users[role])
    for sort, label in sorts.items():
        response = client.get(reverse(name), {"sort": sort, "size": 25})
        assert response.status_code == 200, sort
        assert response.context["sort"] == sort
        html = response.content.decode()
        sorted_headers = re.findall(r'<th [^>]*aria-sort="(\w+)"[^>]*>.*?</th>', html, flags=re.S)
        if label is None:  # a sort of the filter's select with no column of its own
            assert sorted_headers == []
        else:
            assert sorted_headers == ["descending" if sort.startswith("-") else "ascending"], sort
            assert "size=25" in sort_header(response, label)[1]


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("relationships:invitation_list", "global_admin"),
        ("relationships:relationship_ended_list", "global_admin"),
        ("relationships:partnership_list", "global_admin"),
        ("activity:activity_list", "global_admin"),
        ("staff:user_list", "global_admin"),
    ],
)
def test_lists_with_one_order_take_the_size_and_ignore_a_sort(world, client_for, name, role):
    client = client_for(world.users[role])
    response = client.get(reverse(name), {"size": 100, "sort": "-whatever"})
    assert response.status_code == 200
    assert response.context["page_size"] == 100
    assert "aria-sort" not in response.content.decode()


def test_the_korean_pager_labels_are_distinct(world, client_for, settings):
    with translation.override("ko"):
        pages = [
            translation.pgettext("pager", "← Previous"),
            translation.pgettext("pager", "Next →"),
            translation.pgettext("pager", "First page"),
        ]
        activity = [
            translation.pgettext("activity pager", "← Newer"),
            translation.pgettext("activity pager", "Older →"),
            translation.pgettext("activity pager", "Newest"),
        ]
    labels = pages + activity
    assert len(set(labels)) == 6
    assert pages == ["← 이전 페이지", "다음 페이지 →", "첫 페이지"]
    assert activity == ["← 더 최근 기록", "더 오래된 기록 →", "최신 기록"]
    assert not any(label.isascii() for label in labels)

    settings.PORTAL_PAGE_SIZE = 2
    client = client_for(world.users["global_admin"])
    client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    first = client.get(reverse("staff:user_list"))
    html = first.content.decode()
    assert 'aria-label="페이지"' in html and "다음 페이지 →" in html and "페이지당 행 수" in html
    assert re.search(r"총 \d+개 중 1–2", count_line(first) or "")
    second = client.get(reverse("staff:user_list") + (link(first, "next") or ""))
    html = second.content.decode()
    assert "← 이전 페이지" in html and "첫 페이지" in html and 'rel="prev"' in html
