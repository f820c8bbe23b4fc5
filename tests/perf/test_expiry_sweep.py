"""Benchmark (not part of `make test`): the expiry sweep over 100,000 admin relationships.

    .venv/bin/python -m pytest tests/perf/test_expiry_sweep.py -s -p no:randomly

Reports the plan of one batch's read (the partial index `adminrel_expiry_sweep`), the time of a first sweep (every
relationship within 30 days of its end gets its notice) and of a steady-state one (nothing due: what every 5-minute
run costs), and the queries per batch. Figures, not pass/fail.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from adminrelationships.models import AdminRelationship, ExpiryNotice
from adminrelationships.services import expiry
from tests.adminrelationships.helpers import DIRECTORY_READERS

ROWS = 100_000


def test_sweep_over_100000_relationships(world):
    agent = world.users["admin_agent"]
    base = timezone.now()
    table = AdminRelationship._meta.db_table
    with connection.cursor() as cursor:
        # Ends spread over two years; one in ten terminated, one in ten still pending, one in twenty auto extending.
        cursor.execute(
            f"""
            INSERT INTO {table} (partner_id, customer_id, name, duration_days, roles, auto_extend, requested_by_id,
              requested_at, request_email, token_hash, approved_at, approved_name, starts_at, ends_at,
              declined_at, terminated_at, terminated_by_id, termination_reason, terminated_by_customer,
              created_with_customer)
            SELECT %s, %s, 'Bulk ' || g, 730, ARRAY[%s]::varchar[], g %% 20 = 0, %s,
              %s - interval '1 day', 'admin@example.com', md5(g::text) || md5((g + 1)::text),
              CASE WHEN g %% 10 = 1 THEN NULL ELSE %s - interval '1 day' END, 'Ana',
              CASE WHEN g %% 10 = 1 THEN NULL ELSE %s - interval '1 day' END,
              CASE WHEN g %% 10 = 1 THEN NULL ELSE %s - interval '60 days' + (g %% 790) * interval '1 day'
                + g * interval '1 second' END,
              NULL, CASE WHEN g %% 10 = 2 THEN %s ELSE NULL END, NULL, '', false, false
            FROM generate_series(1, %s) AS g
            """,  # noqa: S608 -- the model's own table
            [
                world.partner_a.pk,
                world.customer_in.pk,
                DIRECTORY_READERS,
                agent.pk,
                base,
                base,
                base,
                base,
                base,
                ROWS,
            ],
        )
        cursor.execute(f"ANALYZE {table}")
    rows = AdminRelationship.objects.filter(
        expiry._live(), ends_at__gt=base - expiry.CATCH_UP, ends_at__lte=base + timedelta(days=30)
    ).order_by("ends_at", "id")[: expiry.BATCH_SIZE]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\nOne batch's read:\n" + "\n".join(line for (line,) in cursor.fetchall()))

    counted: list[str] = []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    for label in ("first sweep", "steady state"):
        counted.clear()
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            result = expiry.expiry_sweep(now=base)
        elapsed = time.perf_counter() - started
        print(
            f"{label}: {elapsed * 1000:.0f} ms, {result}, {result.batches} batches, {len(counted)} queries "
            f"({len(counted) / max(result.batches, 1):.1f} per batch)"
        )
    print(f"claims: {ExpiryNotice.objects.count()}")
