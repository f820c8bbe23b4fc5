"""The customer list: search, filters, sort, keyset pages, bad URLs, isolation and query counts."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from customers import selectors
from customers.models import Customer
from tests.customers.list_helpers import customer_named, names_in, provider_world, query_count, table_of, tag
from tests.factories import make_customer

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

LIST = reverse("customers:customer_list")


@pytest.fixture
def admin(world):
    return world.users["global_admin"]


@pytest.fixture
def decoy(world, admin):
    """A customer none of the searches below should match."""
    return customer_named(world.partner_a, admin, "Plain Decoy Company", contact_email="nobody@decoy.example")


def _search(client, q: str) -> list[str]:
    response = client.get(LIST, {"q": q})
    assert response.status_code == 200
    return names_in(response.content)


@pytest.mark.parametrize("q", ["WIND trad", "wind   TRADERS", "thwind"])
def test_search_matches_a_middle_fragment_of_the_company_name_in_any_case(world, admin, decoy, client_for, q):
    customer_named(world.partner_a, admin, "Northwind Traders Ltd")
    assert _search(client_for(admin), q) == ["Northwind Traders Ltd"]


def test_search_matches_a_middle_fragment_of_the_domain_in_any_case(world, admin, decoy, client_for):
    make_customer(world.partner_a, actor=admin, prefix="zebracorp", data={"company_name": "Zebra Corporation"})
    assert _search(client_for(admin), "BRACO") == ["Zebra Corporation"]
    assert _search(client_for(admin), "corp.ONMICROSOFT") == ["Zebra Corporation"]


def test_search_matches_a_middle_fragment_of_the_customer_id_in_any_case(world, admin, decoy, client_for):
    target = customer_named(world.partner_a, admin, "Identified Holdings")
    fragment = str(target.pk)[9:23].upper()
    assert _search(client_for(admin), fragment) == ["Identified Holdings"]


def test_search_matches_a_middle_fragment_of_the_contact_email_in_any_case(world, admin, decoy, client_for):
    customer_named(world.partner_a, admin, "Mailbox Partners", contact_email="helpdesk.owner@acme-mail.example")
    assert _search(client_for(admin), "OWNER@ACME") == ["Mailbox Partners"]


def test_search_treats_like_wildcards_as_plain_text(world, admin, decoy, client_for):
    customer_named(world.partner_a, admin, "Fifty Percent Co")
    assert _search(client_for(admin), "%") == []
    assert _search(client_for(admin), "_") == []


def test_search_never_shows_another_partners_customers(world, admin, client_for):
    other = world.customer_out
    client = client_for(admin)
    assert _search(client, other.company_name) == []
    assert _search(client, str(other.pk)) == []
    assert _search(client, other.primary_domain) == []
    assert other.company_name not in client.get(LIST).content.decode()


def test_the_list_shows_the_product_columns(world, admin, client_for):
    tag(world.customer_in, admin, "Gold", "Alpha", "Zulu")
    html = table_of(client_for(admin).get(LIST).content)
    assert str(world.customer_in.pk) in html
    assert world.customer_in.primary_domain in html
    assert "Direct reseller" in html
    # first two tags by name, then the overflow count
    assert html.index(">Alpha<") < html.index(">Gold<")
    assert ">Zulu<" not in html
    assert ">+1<" in html


def test_names_and_tags_are_escaped_in_the_rows(world, admin, client_for):
    customer = customer_named(world.partner_a, admin, "Smith & Sons")
    tag(customer, admin, "<b>R&D</b>")
    html = table_of(client_for(admin).get(LIST, {"q": "smith"}).content)
    assert f'<a href="{customer.get_absolute_url()}">Smith &amp; Sons</a>' in html
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in html
    assert "<b>" not in html


def test_filter_by_tag(world, admin, client_for):
    vip = customer_named(world.partner_a, admin, "Tagged Customer")
    tag(vip, admin, "VIP")
    tag_id = vip.customer_tags.get().tag_id
    assert names_in(client_for(admin).get(LIST, {"tag": tag_id}).content) == ["Tagged Customer"]


def test_filter_by_tag_of_another_partner_is_ignored(world, admin, client_for):
    tag(world.customer_out, world.user_b, "Secret")
    foreign_tag = world.customer_out.customer_tags.get().tag_id
    response = client_for(admin).get(LIST, {"tag": foreign_tag})
    assert response.status_code == 200
    # the bad value is reported next to the field and the whole list is shown
    assert "Select a valid choice" in response.content.decode()
    assert names_in(response.content) == [world.customer_in.company_name]
    assert "Secret" not in response.content.decode()


def test_filter_by_relationship_type_and_indirect_reseller(db, client_for):
    provider, northwind, tailspin, admin = provider_world()
    customer_named(provider, admin, "Direct One")
    customer_named(provider, admin, "Via Northwind", reseller=northwind)
    customer_named(provider, admin, "Via Tailspin", reseller=tailspin)
    client = client_for(admin)

    assert names_in(client.get(LIST, {"kind": "direct"}).content) == ["Direct One"]
    assert names_in(client.get(LIST, {"kind": "indirect"}).content) == ["Via Northwind", "Via Tailspin"]
    assert names_in(client.get(LIST, {"reseller": northwind.pk}).content) == ["Via Northwind"]
    html = client.get(LIST, {"reseller": tailspin.pk}).content.decode()
    assert names_in(html) == ["Via Tailspin"]
    assert "Indirect provider for Tailspin Toys" in html


def test_the_reseller_sees_its_indirect_customers_with_the_provider_named(db, client_for):
    provider, northwind, _tailspin, admin = provider_world()
    customer_named(provider, admin, "Via Northwind", reseller=northwind)
    from tests.factories import make_user

    html = client_for(make_user(northwind, "helpdesk_agent")).get(LIST).content.decode()
    assert names_in(html) == ["Via Northwind"]
    assert "Indirect reseller via Fabrikam Distribution" in html
    assert 'name="reseller"' not in html  # the reseller filter is for providers only


def test_sort_by_name_and_by_date(world, admin, client_for):
    Customer.objects.filter(pk=world.customer_in.pk).update(company_name="Middle Co")
    now = timezone.now()
    for i, name in enumerate(["Bravo Co", "Alpha Co", "Charlie Co"]):
        customer = customer_named(world.partner_a, admin, name)
        Customer.objects.filter(pk=customer.pk).update(created_at=now + timedelta(minutes=i + 1))
    Customer.objects.filter(pk=world.customer_in.pk).update(created_at=now)
    client = client_for(admin)

    assert names_in(client.get(LIST).content) == ["Alpha Co", "Bravo Co", "Charlie Co", "Middle Co"]
    assert names_in(client.get(LIST, {"sort": "-name"}).content) == ["Middle Co", "Charlie Co", "Bravo Co", "Alpha Co"]
    assert names_in(client.get(LIST, {"sort": "-created"}).content) == [
        "Charlie Co",
        "Alpha Co",
        "Bravo Co",
        "Middle Co",
    ]
    assert names_in(client.get(LIST, {"sort": "created"}).content) == [
        "Middle Co",
        "Bravo Co",
        "Alpha Co",
        "Charlie Co",
    ]


@pytest.mark.parametrize("sort", ["name", "-created"])
def test_paging_through_120_customers_visits_each_once_in_order_both_ways(world, admin, client_for, sort):
    for i in range(119):
        customer_named(world.partner_a, admin, f"Paged {i:03d} Co")
    if sort == "-created":
        # Equal timestamps for some rows: the id tie-breaker must still give a total order.
        Customer.objects.filter(company_name__startswith="Paged 01").update(created_at=timezone.now())
    expected = [
        c.company_name
        for c in selectors.customer_list(user=admin).order_by(
            *(["company_name", "pk"] if sort == "name" else ["-created_at", "-pk"])
        )
    ]
    assert len(expected) == 120
    client = client_for(admin)

    pages, params = [], {"sort": sort}
    while True:
        response = client.get(LIST, params)
        assert response.status_code == 200
        pages.append(names_in(response.content))
        page = response.context["page"]
        if not page.next_cursor:
            break
        assert f"after={page.next_cursor}" in response.content.decode()
        params = {"sort": sort, "after": page.next_cursor}
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [name for p in pages for name in p] == expected

    # and back again from the last page with "previous"
    back = [pages[-1]]
    while page.previous_cursor:
        response = client.get(LIST, {"sort": sort, "before": page.previous_cursor})
        back.insert(0, names_in(response.content))
        page = response.context["page"]
    assert back == pages
    assert page.previous_cursor is None  # the first page has no "previous"


def _cursor(value, pk="00000000-0000-0000-0000-000000000000") -> str:
    return base64.urlsafe_b64encode(json.dumps([value, pk]).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "params",
    [
        {"after": "not-a-cursor"},
        {"before": "%%%"},
        {"after": _cursor("x", pk="not-a-uuid")},
        {"after": _cursor("a\x00b")},
        {"after": _cursor("yesterday"), "sort": "-created"},
        {"after": _cursor(12345), "sort": "created"},
        {"after": _cursor({"dt": "garbage"}), "sort": "created"},
        {"tag": "abc"},
        {"tag": "99999999999999999999"},
        {"tag": "-1"},
        {"kind": "nonsense"},
        {"reseller": "5"},
        {"sort": "drop table"},
        {"q": "x" * 500},
        {"q": "nul\x00byte"},
    ],
)
def test_bad_url_values_never_fail(world, admin, client_for, params):
    response = client_for(admin).get(LIST, params)
    assert response.status_code == 200
    assert names_in(response.content) == [world.customer_in.company_name]


def test_a_cursor_from_another_sort_order_starts_at_page_one(world, admin, client_for):
    for i in range(55):
        customer_named(world.partner_a, admin, f"Sorted {i:03d} Co")
    client = client_for(admin)
    name_cursor = client.get(LIST).context["page"].next_cursor
    response = client.get(LIST, {"sort": "-created", "after": name_cursor})
    assert response.status_code == 200
    assert len(names_in(response.content)) == 50


def test_the_list_never_counts_the_whole_set(world, admin, client_for, settings):
    from django.test.utils import CaptureQueriesContext

    customer_named(world.partner_a, admin, "Cust Counted Co")
    settings.PORTAL_PAGE_SIZE = 1
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(admin).get(LIST, {"q": "cust"})
    assert response.context["page"].next_cursor  # more than one page: the count line needs a count
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    # Exactly one count, over the filtered list cut at the cap: SELECT COUNT(*) FROM (… LIMIT cap + 1) subquery.
    assert len(counts) == 1, counts
    limit = f"LIMIT {settings.PORTAL_COUNT_CAP + 1}) subquery"
    assert counts[0].upper().startswith("SELECT COUNT(*) FROM (") and counts[0].endswith(limit)
    assert "search_text" in counts[0]  # the search's filter is inside the bounded subquery
    # The count reads no tag names and orders nothing.
    assert "ORDER BY" not in counts[0].upper() and "customertag" not in counts[0].lower()


def test_search_query_uses_the_trigram_index(world, admin):
    # The search predicate exactly as the list and export build it. (On a tiny table the planner drives the
    # full list query from the permission rows instead; what matters here is that the predicate can use the
    # index at all, which e.g. `icontains` — UPPER(search_text) — could not.)
    qs = selectors.customer_search(Customer.objects.order_by(), "Contoso Ltd").values("pk")
    sql, params = qs.query.sql_with_params()
    assert '"search_text"' in sql and "LIKE" in sql and "UPPER" not in sql
    assert params == ("%contoso ltd%",)  # lower-cased needle on the lower-case generated column
    with transaction.atomic(), connection.cursor() as cursor:
        # The test table is tiny, so the planner would rightly scan it; forbid that to see what it can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "customer_search_trgm" in plan, plan


def _list_variants(world, admin):
    tag_id = world.customer_in.customer_tags.get(tag__name="Bulk").tag_id
    return [{}, {"q": "customer"}, {"tag": tag_id}, {"q": "customer", "tag": tag_id, "sort": "-created"}]


def test_the_list_runs_the_same_queries_at_1_and_at_50_rows(world, admin, client_for, django_assert_num_queries):
    client = client_for(admin)
    tag(world.customer_in, admin, "Bulk", "Second", "Third")
    variants = _list_variants(world, admin)
    counts = []
    for params in variants:
        rows = names_in(client.get(LIST, params).content)
        assert len(rows) == 1
        counts.append(query_count(lambda params=params: client.get(LIST, params)))

    for i in range(49):
        customer = customer_named(world.partner_a, admin, f"Customer Bulk {i:02d}")
        tag(customer, admin, "Bulk", f"Own {i}", f"Extra {i}")
    for params, count in zip(variants, counts, strict=True):
        with django_assert_num_queries(count):
            response = client.get(LIST, params)
        assert len(names_in(response.content)) == 50
