"""CSV export of the customer list: content, filters, formula injection, isolation, streaming, query count."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from partnerportal.infrastructure.csvexport import csv_safe
from tests.customers.list_helpers import customer_named, provider_world, query_count, tag

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

EXPORT = reverse("customers:customer_export")
HEADER = ["Customer ID", "Company name", "Primary domain name", "Relationship", "Tags"]


@pytest.fixture
def admin(world):
    return world.users["global_admin"]


def _download(client, params=None) -> tuple[object, list[list[str]]]:
    response = client.get(EXPORT, params or {})
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for spreadsheets"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    return response, rows[1:]


def test_export_is_a_streamed_csv_download(world, admin, client_for):
    response, rows = _download(client_for(admin))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="customers.csv"'
    customer = world.customer_in
    assert rows == [[str(customer.pk), customer.company_name, customer.primary_domain, "Direct reseller", ""]]


def test_export_lists_every_tag_of_the_partner_in_name_order(world, admin, client_for):
    tag(world.customer_in, admin, "Zulu", "alpha", "Mike")
    # Another partner's tag on a shared customer would never show; here partner B tags its own customer.
    tag(world.customer_out, world.user_b, "Secret")
    _response, rows = _download(client_for(admin))
    assert rows[0][4] == "alpha; Mike; Zulu"


def test_export_follows_the_lists_search_filters_and_sort(world, admin, client_for):
    customer_named(world.partner_a, admin, "Alpha Search Co")
    beta = customer_named(world.partner_a, admin, "Beta Search Co")
    customer_named(world.partner_a, admin, "Gamma Other Co")
    tag(beta, admin, "Chosen")
    client = client_for(admin)

    _r, rows = _download(client, {"q": "SEARCH"})
    assert [r[1] for r in rows] == ["Alpha Search Co", "Beta Search Co"]
    _r, rows = _download(client, {"q": "search", "sort": "-name"})
    assert [r[1] for r in rows] == ["Beta Search Co", "Alpha Search Co"]
    _r, rows = _download(client, {"tag": beta.customer_tags.get().tag_id})
    assert [r[1] for r in rows] == ["Beta Search Co"]
    _r, rows = _download(client)
    assert len(rows) == 4  # the whole list, not one page


def test_the_list_links_to_the_export_with_its_query_string(world, admin, client_for):
    html = client_for(admin).get(reverse("customers:customer_list"), {"q": "abc", "sort": "-name"}).content.decode()
    assert f'href="{EXPORT}?q=abc&amp;sort=-name"' in html


def test_export_of_a_provider_names_the_reseller(db, client_for):
    provider, northwind, _tailspin, admin = provider_world()
    customer_named(provider, admin, "Via Northwind", reseller=northwind)
    customer_named(provider, admin, "Direct Co")
    _r, rows = _download(client_for(admin), {"reseller": northwind.pk})
    assert [(r[1], r[3]) for r in rows] == [("Via Northwind", "Indirect provider for Northwind Traders")]


def test_export_never_contains_another_partners_customers(world, admin, client_for):
    _r, rows = _download(client_for(admin), {"q": world.customer_out.company_name})
    assert rows == []
    _r, rows = _download(client_for(admin))
    assert str(world.customer_out.pk) not in {r[0] for r in rows}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","Click")', '\'=HYPERLINK("http://evil.example","Click")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturn", "'\rReturn"),
        ("Plain Co", "Plain Co"),
        ("A=B", "A=B"),
        (None, ""),
    ],
)
def test_csv_safe_neutralises_formula_cells(value, expected):
    assert csv_safe(value) == expected


def test_a_formula_company_name_and_tag_come_out_prefixed(world, admin, client_for):
    evil = customer_named(world.partner_a, admin, '=HYPERLINK("http://evil.example","Click me")')
    tag(evil, admin, "@cmd")
    _r, rows = _download(client_for(admin), {"q": "hyperlink"})
    assert rows == [
        [
            str(evil.pk),
            '\'=HYPERLINK("http://evil.example","Click me")',
            evil.primary_domain,
            "Direct reseller",
            "'@cmd",
        ]
    ]


def test_export_runs_the_same_queries_at_1_and_at_50_rows(world, admin, client_for, django_assert_num_queries):
    client = client_for(admin)
    tag(world.customer_in, admin, "One", "Two")

    def download():
        return b"".join(client.get(EXPORT).streaming_content)

    assert download().count(b"\n") == 2
    count = query_count(download)
    for i in range(49):
        customer = customer_named(world.partner_a, admin, f"Exported {i:02d} Co")
        tag(customer, admin, "One", f"Own {i}")
    with django_assert_num_queries(count):
        body = download()
    assert body.count(b"\n") == 51
