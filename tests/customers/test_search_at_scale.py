"""The search box at scale: a domain search uses its distinctive part in the trigram index; estimates hold."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import search_statistics, selectors
from customers.models import Customer
from partnerportal.models import Partner, User
from tests.factories import make_customer


def test_a_full_domain_finds_exactly_the_rows_that_contain_it(world):
    admin = world.users["global_admin"]
    exact = make_customer(world.partner_a, prefix="alpha123")
    longer = make_customer(world.partner_a, prefix="xalpha123")
    by_email = make_customer(world.partner_a, prefix="beta77", data={"contact_email": "it@alpha123.onmicrosoft.com"})
    make_customer(world.partner_a, prefix="alpha1234")
    make_customer(world.partner_a, prefix="gamma123")

    found = set(selectors.customer_list(user=admin, q="  ALPHA123.onmicrosoft.com ").values_list("pk", flat=True))

    assert found == {exact.pk, longer.pk, by_email.pk}


def test_a_full_domain_is_looked_up_by_its_prefix_not_by_the_suffix_every_customer_shares(world):
    make_customer(world.partner_a, prefix="alpha123")
    with connection.cursor() as cursor:
        # A test-sized table would otherwise be read in full or through another index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")

    plan = selectors.customer_search(Customer.objects.order_by(), "alpha123.onmicrosoft.com").explain()

    assert "Bitmap Index Scan on customer_search_trgm" in plan
    assert "Index Cond: (search_text ~~ '%alpha123%'::text)" in plan
    assert "'%alpha123.onmicrosoft.com%'" not in plan.split("Index Cond: (search_text")[1].split("\n")[0]


def test_a_full_customer_id_is_looked_up_by_its_first_group_and_finds_exactly_its_customer(world):
    admin = world.users["global_admin"]
    target = make_customer(world.partner_a, prefix="idtarget")
    # Another customer whose contact email holds the same ID: a contains search finds both.
    holder = make_customer(world.partner_a, prefix="idholder", data={"contact_email": f"{target.pk}@holder.example"})
    make_customer(world.partner_a, prefix="idother")
    needle = str(target.pk).upper()

    found = set(selectors.customer_list(user=admin, q=needle).values_list("pk", flat=True))

    assert found == {target.pk, holder.pk}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = selectors.customer_search(Customer.objects.order_by(), needle).explain()
    assert f"Index Cond: (search_text ~~ '%{str(target.pk)[:8]}%'::text)" in plan


def test_the_planner_estimates_a_common_word_close_to_its_real_count(as_owner, db):
    # The plan for a search hinges on this estimate: guessed far too low, PostgreSQL reads and sorts every
    # match instead of walking the name index and stopping after one page (customers migration 0003).
    # Only the tables' owner may ANALYZE them (not the portal's role), so the seeder runs as the owner here, as
    # an operator refreshing the statistics would; as the portal it leaves them to autovacuum (test_bulk_seed).
    call_command("seed_demo", customers=10000, stdout=io.StringIO())  # ends with ANALYZE, as a live table has
    pattern = "%tailspin%"
    actual = Customer.objects.filter(search_text__contains="tailspin").count()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) SELECT 1 FROM customers_customer WHERE search_text LIKE %s", [pattern])
        estimated = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]

    assert actual > 100, "the seeded names use the word often enough to matter"
    assert abs(estimated - actual) / actual < 0.10, f"estimated {estimated} rows for {actual} matches"


# --- The piece the index looks up, chosen from the planner's sample (customers.search_statistics) -----------------


@pytest.fixture
def sampled(as_owner, db):
    """1,200 seeded customers and a few of our own, ANALYZEd (as the owner) and read as this process's statistics;
    afterwards the process has none again (as a test database has), without a query."""
    call_command("seed_demo", customers=1200, stdout=io.StringIO())
    contoso = Partner.objects.get(partner_id="CONTOSO-001")
    ours = {
        "rare": make_customer(contoso, prefix="zq1", data={"company_name": "Zyqwork Tailspin Ltd"}),
        # Both words, but not side by side: the whole needle's check leaves it out.
        "apart": make_customer(contoso, prefix="zq2", data={"company_name": "Tailspin Blue Zyqwork Ltd"}),
    }
    domain = Customer.objects.filter(primary_domain__startswith="bk").order_by("company_name", "pk")[200]
    ours["domain"] = domain
    ours["longer"] = make_customer(contoso, prefix="x" + domain.primary_domain.split(".")[0])
    ours["email"] = make_customer(contoso, prefix="zq4", data={"contact_email": f"it@{domain.primary_domain}"})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    stats = search_statistics.refresh()
    assert stats.size > 900
    yield ours
    search_statistics.install(search_statistics.Statistics(0))


def _substring_rule(user, needle: str) -> list:
    """The rows the search promises, computed in Python: every visible customer whose text contains the needle."""
    visible = selectors.customer_list(user=user).order_by("company_name", "pk")
    return [c.pk for c in visible if needle in " ".join(c.search_text.split())]


def _found(user, q: str) -> list:
    return [c.pk for c in selectors.customer_list(user=user, q=q).order_by("company_name", "pk")]


def test_with_statistics_the_index_looks_up_the_cheapest_piece_and_the_rows_stay_the_substring_rule(sampled, client):
    # One seeded sample for several checks (seeding is the slow part).
    sales = User.objects.get(email="sales.agent@contoso.example")
    domain = sampled["domain"].primary_domain

    # A rare word beside a common one: a piece of the rare word is looked up, the whole needle checked.
    anchor = search_statistics.index_anchor("zyqwork tailspin")
    assert anchor != "zyqwork tailspin" and anchor in "zyqwork", anchor
    assert _found(sales, "Zyqwork  TAILSPIN") == _substring_rule(sales, "zyqwork tailspin") == [sampled["rare"].pk]

    # A common word alone: nothing cheaper to look up; the plain LIKE the planner estimates.
    assert search_statistics.index_anchor("tailspin") == "tailspin"
    assert _found(sales, "tailspin") == _substring_rule(sales, "tailspin")
    assert len(_substring_rule(sales, "tailspin")) > 10

    # An exact domain: by its own part, neither the suffix every customer holds nor the seeder's shared prefix;
    # still every row holding it (a longer domain ending in it, a contact email at it).
    anchor = search_statistics.index_anchor(domain)
    assert anchor in domain.split(".")[0] and "bk1" not in anchor, anchor
    found = _found(sales, domain.upper())
    assert set(found) >= {sampled["domain"].pk, sampled["longer"].pk, sampled["email"].pk}
    assert found == _substring_rule(sales, domain)

    # The list page runs as many queries with the statistics as without.
    client.force_login(sales)
    counts = {}
    for name, active in (("with", search_statistics.statistics()), ("without", search_statistics.Statistics(0))):
        search_statistics.install(active)
        for q in ("zyqwork tailspin", domain, "tailspin"):
            client.get(reverse("customers:customer_list"), {"q": q})  # a needle's piece is priced once
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(reverse("customers:customer_list"), {"q": q})
            assert response.status_code == 200
            counts[(name, q)] = len(ctx.captured_queries)
    assert [n for (name, _q), n in counts.items() if name == "with"] == [
        n for (name, _q), n in counts.items() if name == "without"
    ]


def test_the_sample_is_read_as_pg_trgm_indexes_it(db):
    text = "velkaro coho-holdings gmbh bk1n42.onmicrosoft.com it@x.example 1f0e"
    with connection.cursor() as cursor:
        cursor.execute("SELECT show_trgm(%s)", [text])
        expected = set(cursor.fetchone()[0])

    assert search_statistics.index_trigrams(text) == expected
