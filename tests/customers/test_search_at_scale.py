"""The search box at scale: a domain search uses its distinctive part in the trigram index; estimates hold."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import connection

from customers import selectors
from customers.models import Customer
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
