"""Bulk demo data for benchmarks: `seed_demo --customers N` generates N customers inside PostgreSQL.

The rows are the ones real use creates (customer, relationship(s), the partner staff group's guardian reach
permission, tags, subscriptions, the "Create customer" activity entry, a few pending invitations). One SQL statement
per chunk of customers draws them (`generate_series` and `random()`, seeded with `setseed` from the command's
`--seed`, so a run is repeatable) and writes every table from the same draw through data-modifying CTEs: no row
passes through Python, which is what makes 1,000,000 customers a matter of minutes.

Into tables that hold no bulk customers yet (a fresh database, only the demo's handful of rows), a large run
first drops the tables' secondary indexes and foreign keys and creates them again from their own definitions
afterwards, in the same transaction: building an index once over sorted rows, and checking a foreign key with one
join, is several times cheaper than maintaining both row by row. The schema ends identical (a test compares
`pg_indexes` and `pg_constraint`). A later run adds to the tables with their indexes in place.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions
from customers.models import Customer, CustomerGroupObjectPermission, CustomerTag, Subscription, Tag, domain_suffix
from partnerportal.infrastructure.dbroles import connected_as_owner, has_separate_owner
from partnerportal.models import Partner, User
from permissions.roles import AdminRole
from permissions.services import partner_group, reach_permission
from relationships.models import Invitation, Relationship

# Customers per statement (and per transaction, unless the indexes are rebuilt: then the run is one transaction).
CHUNK = 100_000
# From this many customers on, a run into fresh tables rebuilds the indexes instead of maintaining them.
REBUILD_MIN = 20_000
SYLLABLES = [
    *("ka", "lo", "mi", "ra", "ten", "vo", "zu", "bel", "cor", "dan", "el", "fin", "gar", "hol", "ix", "jor"),
    *("kel", "lum", "mar", "nor", "or", "pax", "quin", "ros", "sol", "tor", "ul", "ven", "wes", "xan", "yor", "zen"),
]
NAME_PARTS = [
    *("Adatum", "Alpine", "Blue Yonder", "Coho", "Consolidated", "Datum", "Fourth Coffee", "Graphic Design"),
    *("Humongous", "Litware", "Lucerne", "Margie", "Proseware", "Relecloud", "Southridge", "Tailspin"),
]
SUFFIXES = ["Inc.", "Ltd", "GmbH", "LLC", "Corporation", "Group", "Partners", "Holdings"]
# country, city, state, postal code, language, culture
PLACES = [
    ("US", "Seattle", "WA", "98052", "en", "en-US"),
    ("US", "Austin", "TX", "73301", "en", "en-US"),
    ("US", "Boston", "MA", "02108", "en", "en-US"),
    ("US", "Chicago", "IL", "60601", "en", "en-US"),
    ("CA", "Toronto", "ON", "M5H 2N2", "en", "en-CA"),
    ("GB", "London", "", "SW1A 1AA", "en", "en-GB"),
    ("DE", "Berlin", "", "10115", "de", "de-DE"),
    ("KR", "Seoul", "", "04524", "ko", "ko-KR"),
]
FIRST_NAMES = ["ana", "minjun", "priya", "lars", "chen", "sam", "fatima", "jonas", "yuki", "olga"]
LAST_NAMES = ["kim", "smith", "garcia", "ito", "novak", "olsen", "okafor", "silva", "park", "weber"]
OFFERS = [("Microsoft 365 Business Premium", False), ("Azure plan", True), ("Microsoft 365 E3", False)]
AGREEMENTS = [Customer.Agreement.NOT_PROVIDED, Customer.Agreement.ATTESTED_BY_PARTNER]
# How many tags and subscriptions an active relationship gets (one of these, drawn evenly).
TAG_COUNTS = [0, 1, 1, 2, 2, 3, 4]
SUBSCRIPTION_COUNTS = [0, 1, 1, 2]

# How customers are spread over the three demo partners (cumulative thresholds of one random draw).
SHARE_CONTOSO = 0.85
SHARE_FABRIKAM = 0.91  # Fabrikam direct
SHARE_CHAIN = 0.96  # Fabrikam ↔ Northwind indirect chain
SHARE_CONTOSO_ENDED = 0.98  # the rest: relationships with Fabrikam that ended
INVITATION_SHARE = 0.005  # pending invitations Contoso has out to not-yet-customers
INVITATION_MESSAGE = "We would like to become your reseller."

# The statement behind one chunk. `draw` holds each customer's random choices, `rel` each of its relationships
# (one per template of `plan` its draw falls into); every INSERT reads one of the two. `{*_rest}` are the
# columns the seeder leaves to their model defaults (bound as parameters, see `_Defaults`).
CHUNK_SQL = """
WITH plan (partner_id, group_id, kind, indirect_partner_id, ended, low, high, tags) AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset(%(plan)s::jsonb)
        AS p(partner_id bigint, group_id integer, kind text, indirect_partner_id bigint, ended boolean,
             low float8, high float8, tags bigint[])
),
owner (partner_id, actor_id, actor_email, low, high) AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset(%(owners)s::jsonb)
        AS o(partner_id bigint, actor_id bigint, actor_email text, low float8, high float8)
),
draw AS MATERIALIZED (
    SELECT i,
        overlay(overlay(md5(random()::text || ':' || random()::text) placing '4' from 13) placing '8' from 17)::uuid
            AS id,
        initcap(
            (%(syllables)s::text[])[1 + floor(random() * %(n_syllables)s)::int]
            || (%(syllables)s::text[])[1 + floor(random() * %(n_syllables)s)::int]
            || CASE WHEN random() < 0.5 THEN (%(syllables)s::text[])[1 + floor(random() * %(n_syllables)s)::int]
                    ELSE '' END
        ) || ' ' || (%(name_parts)s::text[])[1 + floor(random() * %(n_name_parts)s)::int]
          || ' ' || (%(suffixes)s::text[])[1 + floor(random() * %(n_suffixes)s)::int] AS name,
        'bk' || %(run)s || 'n' || i AS prefix,
        1 + floor(random() * %(n_places)s)::int AS place,
        (%(first_names)s::text[])[1 + floor(random() * %(n_first)s)::int] AS first,
        (%(last_names)s::text[])[1 + floor(random() * %(n_last)s)::int] AS last,
        %(now)s::timestamptz - make_interval(secs => 3600 + floor(random() * (3 * 365 * 86400 - 3600 + 1)))
            AS created,
        (%(agreements)s::text[])[1 + floor(random() * %(n_agreements)s)::int] AS agreement,
        1 + floor(random() * 9999)::int AS street,
        1000000 + floor(random() * 9000000)::int AS phone,
        random() AS share,
        random() < %(invitation_share)s AS invited,
        floor(random() * 21)::int AS invited_days_ago
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
),
rel AS MATERIALIZED (
    SELECT d.id AS customer_id, d.created, p.partner_id, p.group_id, p.kind, p.indirect_partner_id, p.ended,
        p.tags, cardinality(p.tags) AS n_tags,
        least(cardinality(p.tags), (%(tag_counts)s::int[])[1 + floor(random() * %(n_tag_counts)s)::int]) AS tag_k,
        floor(random() * 1000)::int AS tag_at,
        (%(subscription_counts)s::int[])[1 + floor(random() * %(n_subscription_counts)s)::int] AS sub_k,
        floor(random() * 1000)::int AS sub_at,
        random() AS q1, random() AS q2, random() AS s1, random() AS s2,
        30 + floor(random() * 371)::int AS ended_days
    FROM draw d JOIN plan p ON d.share >= p.low AND d.share < p.high
),
customers AS (
    INSERT INTO {customer_table} ({customer_columns})
    SELECT d.id, d.name, d.prefix || %(domain_end)s, pl.country, d.street || ' Main Street', pl.city, pl.state,
        pl.postal, initcap(d.first), initcap(d.last), d.first || '.' || d.last || '@' || d.prefix || '.example.net',
        '+1 555 ' || d.phone, pl.language, pl.culture, d.agreement, d.created{customer_rest}
    FROM draw d JOIN jsonb_to_recordset(%(places)s::jsonb)
        AS pl(n int, country text, city text, state text, postal text, language text, culture text)
        ON pl.n = d.place
    ORDER BY d.id
),
relationships AS (
    INSERT INTO {relationship_table} ({relationship_columns})
    SELECT r.partner_id, r.customer_id, r.kind, r.indirect_partner_id,
        CASE WHEN r.ended THEN 'ended' ELSE 'active' END, true, 'created', r.created,
        CASE WHEN r.ended THEN r.created + make_interval(days => r.ended_days) END,
        CASE WHEN r.ended THEN %(moved_partner)s ELSE '' END{relationship_rest}
    FROM rel r
),
grants AS (
    INSERT INTO {grant_table} ({grant_columns})
    SELECT r.group_id, %(reach)s, r.customer_id{grant_rest}
    FROM rel r WHERE NOT r.ended ORDER BY r.customer_id
),
tags AS (
    INSERT INTO {tag_table} ({tag_columns})
    SELECT r.customer_id, r.tags[1 + (r.tag_at + k) %% r.n_tags]{tag_rest}
    FROM rel r CROSS JOIN LATERAL generate_series(0, r.tag_k - 1) AS k
    WHERE NOT r.ended
),
subscriptions AS (
    INSERT INTO {subscription_table} ({subscription_columns})
    SELECT r.customer_id, r.partner_id, o.name,
        CASE WHEN o.azure THEN 1 ELSE 1 + floor(CASE k WHEN 0 THEN r.q1 ELSE r.q2 END * 300)::int END,
        CASE WHEN CASE k WHEN 0 THEN r.s1 ELSE r.s2 END < 0.05 THEN 'suspended' ELSE 'active' END,
        o.azure, r.created{subscription_rest}
    FROM rel r CROSS JOIN LATERAL generate_series(0, r.sub_k - 1) AS k
    JOIN jsonb_to_recordset(%(offers)s::jsonb) AS o(n int, name text, azure boolean)
        ON o.n = (r.sub_at + k) %% %(n_offers)s
    WHERE NOT r.ended
),
activity AS (
    INSERT INTO {activity_table} ({activity_columns})
    SELECT d.created, o.partner_id, o.actor_id, o.actor_email, d.id, d.name, %(action)s,
        jsonb_build_object('after', jsonb_build_object(
            'company_name', d.name, 'primary_domain', d.prefix || %(domain_end)s, 'agreement_status', d.agreement
        )){activity_rest}
    FROM draw d JOIN owner o ON d.share >= o.low AND d.share < o.high
    ORDER BY d.created
),
invitations AS (
    INSERT INTO {invitation_table} ({invitation_columns})
    SELECT %(inviter)s, %(inviter_user)s, 'admin@invitee' || %(run)s || 'n' || d.i || '.example.org', %(message)s,
        true, 'pending', md5(random()::text || d.id::text) || md5(random()::text || d.i::text),
        %(now)s::timestamptz - make_interval(days => d.invited_days_ago),
        %(now)s::timestamptz - make_interval(days => d.invited_days_ago) + interval '30 days'{invitation_rest}
    FROM draw d WHERE d.invited
)
SELECT (SELECT count(*) FROM draw), (SELECT count(*) FROM rel), (SELECT count(*) FROM rel WHERE NOT ended),
    (SELECT coalesce(sum(tag_k), 0) FROM rel WHERE NOT ended), (SELECT count(*) FROM draw WHERE invited)
"""

# What each table gets from the statement above, in its INSERT's column order.
COLUMNS: dict[type[models.Model], list[str]] = {
    Customer: [
        *("id", "company_name", "primary_domain", "country", "address_line1", "city", "state", "postal_code"),
        *("contact_first_name", "contact_last_name", "contact_email", "contact_phone", "language", "culture"),
        *("agreement_status", "created_at"),
    ],
    Relationship: [
        *("partner_id", "customer_id", "kind", "indirect_partner_id", "status", "dap", "source"),
        *("started_at", "ended_at", "end_reason"),
    ],
    CustomerGroupObjectPermission: ["group_id", "permission_id", "content_object_id"],
    CustomerTag: ["customer_id", "tag_id"],
    Subscription: ["customer_id", "partner_id", "offer_name", "quantity", "status", "is_azure_plan", "created_at"],
    ActivityEntry: [
        *("created_at", "partner_id", "actor_id", "actor_email", "customer_id", "customer_name", "action"),
        "details",
    ],
    Invitation: [
        *("partner_id", "created_by_id", "email", "message", "dap", "status", "token_hash", "created_at"),
        "expires_at",
    ],
}
SQL_NAMES = {
    Customer: "customer",
    Relationship: "relationship",
    CustomerGroupObjectPermission: "grant",
    CustomerTag: "tag",
    Subscription: "subscription",
    ActivityEntry: "activity",
    Invitation: "invitation",
}


def _statement() -> tuple[str, dict[str, Any]]:
    """CHUNK_SQL with the tables, their columns and every other column's model default filled in.

    Filling the rest from the model keeps the seeder working when someone adds a field with a default.
    """
    quote = connection.ops.quote_name
    names: dict[str, str] = {}
    defaults: dict[str, Any] = {}
    for model, columns in COLUMNS.items():
        key = SQL_NAMES[model]
        fields = {
            f.attname: f
            for f in model._meta.concrete_fields
            if not getattr(f, "generated", False) and not (f.primary_key and isinstance(f, models.AutoField))
        }
        rest = [f for name, f in fields.items() if name not in columns]
        names[f"{key}_table"] = quote(model._meta.db_table)
        names[f"{key}_columns"] = ", ".join(quote(fields[name].column) for name in columns + [f.attname for f in rest])
        rest_sql = []
        for f in rest:
            param = f"default_{key}_{f.column}"
            defaults[param] = f.get_db_prep_save(f.get_default(), connection)
            rest_sql.append(f", %({param})s::{f.db_type(connection)}")
        names[f"{key}_rest"] = "".join(rest_sql)
    return CHUNK_SQL.format(**names), defaults


def _run_number() -> int:
    """The next bulk run's number: domain prefixes are `bk<run>n<index>`, so every run adds new domains."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(max(substring(primary_domain from '^bk([0-9]+)n')::int), 0) FROM customers_customer"
            " WHERE primary_domain LIKE 'bk%'"
        )
        return cursor.fetchone()[0] + 1


def _plan(contoso: Partner, fabrikam: Partner, northwind: Partner, tags: dict[int, list[int]]) -> list[dict]:
    """The relationship templates: a customer whose draw falls in [low, high) gets each template's relationship."""

    def row(partner, low, high, *, other=None, ended=False):
        return {
            "partner_id": partner.pk,
            "group_id": partner_group(partner).pk,
            "kind": "indirect" if other else "direct",
            "indirect_partner_id": other.pk if other else None,
            "ended": ended,
            "low": low,
            "high": high,
            "tags": tags[partner.pk],
        }

    return [
        row(contoso, 0, SHARE_CONTOSO),
        row(fabrikam, SHARE_CONTOSO, SHARE_FABRIKAM),
        row(northwind, SHARE_FABRIKAM, SHARE_CHAIN, other=fabrikam),
        row(fabrikam, SHARE_FABRIKAM, SHARE_CHAIN, other=northwind),
        row(contoso, SHARE_CHAIN, SHARE_CONTOSO_ENDED, ended=True),
        row(fabrikam, SHARE_CONTOSO_ENDED, 1.0, ended=True),
    ]


def _owners(contoso: Partner, fabrikam: Partner, northwind: Partner) -> list[dict]:
    """Whose activity log records the customer's creation (and by whom), by the same draw as `_plan`."""
    actors = {
        p.pk: User.objects.filter(partner=p, admin_role=AdminRole.GLOBAL_ADMIN).order_by("pk").first()
        for p in (contoso, fabrikam, northwind)
    }

    def row(partner, low, high):
        actor = actors[partner.pk]
        return {
            "partner_id": partner.pk,
            "actor_id": actor.pk if actor else None,
            "actor_email": actor.email if actor else "",
            "low": low,
            "high": high,
        }

    return [
        row(contoso, 0, SHARE_CONTOSO),
        row(fabrikam, SHARE_CONTOSO, SHARE_FABRIKAM),
        row(northwind, SHARE_FABRIKAM, SHARE_CHAIN),
        row(contoso, SHARE_CHAIN, SHARE_CONTOSO_ENDED),
        row(fabrikam, SHARE_CONTOSO_ENDED, 1.0),
    ]


def bulk_seed(*, count: int, rng: random.Random, stdout, rebuild_indexes: bool | None = None) -> None:
    """Create `count` customers with relationships, access, tags, subscriptions and activity, in SQL by chunks.

    Needs the demo partners (`seed_demo` creates them first). `rebuild_indexes` (default: when the tables hold no
    bulk customers yet and `count` is at least REBUILD_MIN) drops the written tables' secondary indexes and foreign
    keys and creates them again at the end; it needs the tables' owner, so it is skipped inside a transaction when
    the portal connects as another role. ANALYZE afterwards gives the planner the new row counts.
    """
    started = time.monotonic()
    contoso, fabrikam, northwind = (
        Partner.objects.get(partner_id=pid) for pid in ("CONTOSO-001", "FABRIKAM-001", "NORTHWIND-001")
    )
    tags = {
        p.pk: list(Tag.objects.filter(partner=p).order_by("pk").values_list("pk", flat=True))
        for p in (contoso, fabrikam, northwind)
    }
    owners = _owners(contoso, fabrikam, northwind)
    run = _run_number()
    # Repeatable for a given seed on a fresh database, yet a second run draws new customer IDs.
    rng = random.Random(f"{rng.getrandbits(64)}:{run}")
    now = timezone.now().astimezone(UTC)
    sql, defaults = _statement()
    params: dict[str, Any] = {
        **defaults,
        "plan": json.dumps(_plan(contoso, fabrikam, northwind, tags)),
        "owners": json.dumps(owners),
        "syllables": SYLLABLES,
        "n_syllables": len(SYLLABLES),
        "name_parts": NAME_PARTS,
        "n_name_parts": len(NAME_PARTS),
        "suffixes": SUFFIXES,
        "n_suffixes": len(SUFFIXES),
        "places": json.dumps(
            [
                dict(zip(("n", "country", "city", "state", "postal", "language", "culture"), (n, *place), strict=True))
                for n, place in enumerate(PLACES, 1)
            ]
        ),
        "n_places": len(PLACES),
        "first_names": FIRST_NAMES,
        "n_first": len(FIRST_NAMES),
        "last_names": LAST_NAMES,
        "n_last": len(LAST_NAMES),
        "agreements": [str(a) for a in AGREEMENTS],
        "n_agreements": len(AGREEMENTS),
        "tag_counts": TAG_COUNTS,
        "n_tag_counts": len(TAG_COUNTS),
        "subscription_counts": SUBSCRIPTION_COUNTS,
        "n_subscription_counts": len(SUBSCRIPTION_COUNTS),
        "offers": json.dumps([{"n": n, "name": name, "azure": azure} for n, (name, azure) in enumerate(OFFERS)]),
        "n_offers": len(OFFERS),
        "invitation_share": INVITATION_SHARE,
        "run": run,
        "now": now,
        "domain_end": domain_suffix(),
        "moved_partner": str(Relationship.EndReason.MOVED_PARTNER),
        "reach": reach_permission().pk,
        "action": str(Actions.CUSTOMER_CREATE),
        "inviter": contoso.pk,
        "inviter_user": owners[0]["actor_id"],
        "message": INVITATION_MESSAGE,
    }
    tables = [model._meta.db_table for model in COLUMNS]
    if rebuild_indexes is None:
        rebuild_indexes = count >= REBUILD_MIN and run == 1 and _may_act_as_owner()
    stdout.write(
        f"Bulk seeding {count:,} customers (run {run}, domains bk{run}n*"
        + (", indexes rebuilt afterwards" if rebuild_indexes else "")
        + ")…"
    )
    totals = dict.fromkeys(("customers", "relationships", "access rows", "tag links", "invitations"), 0)

    def chunks() -> None:
        for first in range(0, count, CHUNK):
            last = min(first + CHUNK, count) - 1
            with transaction.atomic(), connection.cursor() as cursor:
                # The seeding session only: commits need not wait for the disk (a crash loses at most the last
                # chunk, which a new run replaces), and the chunk's sorts stay in memory.
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                # setseed makes random() repeatable: one seed per chunk, drawn from the command's --seed.
                cursor.execute("SELECT setseed(%s)", [rng.uniform(-1, 1)])
                cursor.execute(sql, {**params, "first": first, "last": last})
                for key, rows in zip(totals, cursor.fetchone(), strict=True):
                    totals[key] += rows
            if count > CHUNK:
                stdout.write(f"  {last + 1:,} customers ({time.monotonic() - started:.0f} s)")

    if rebuild_indexes:
        with _as_owner(), transaction.atomic(), _indexes_rebuilt(tables, stdout=stdout, started=started):
            chunks()
        written = time.monotonic() - started
    else:
        chunks()
        written = time.monotonic() - started
    if connection.in_atomic_block or not has_separate_owner():
        not_analyzed = _analyze(tables)
    else:
        # Every chunk is committed: the owner (who alone may ANALYZE the tables) refreshes the statistics.
        with connected_as_owner():
            not_analyzed = _analyze(tables)
    elapsed = time.monotonic() - started
    stdout.write(
        f"Bulk seeded {count:,} customers in {elapsed:.1f} s ({written:.1f} s writing, "
        f"{elapsed - written:.1f} s ANALYZE): " + ", ".join(f"{rows:,} {what}" for what, rows in totals.items())
    )
    if not_analyzed:
        stdout.write(
            f"Planner statistics of {len(not_analyzed)} tables are left to autovacuum: only their owner may ANALYZE "
            "them (without DATABASE_OWNER_URL, or inside a transaction, the seeder cannot ask the owner)."
        )


def _may_act_as_owner() -> bool:
    """True when this connection owns the seeded tables, or can switch to the owner (not inside a transaction)."""
    if has_separate_owner():
        return not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = 'customers_customer'::regclass")
        return cursor.fetchone()[0]


@contextmanager
def _as_owner() -> Iterator[None]:
    """The block as the tables' owner (who alone may drop and create their indexes)."""
    if has_separate_owner() and not connection.in_atomic_block:
        with connected_as_owner():
            yield
    else:
        yield


def schema_of(tables: Iterable[str]) -> dict[str, set[str]]:
    """The tables' indexes and constraints as their definitions (what a rebuild must leave unchanged)."""
    tables = list(tables)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [tables],
        )
        constraints = {row[0] for row in cursor.fetchall()}
    return {"indexes": indexes, "constraints": constraints}


@contextmanager
def _indexes_rebuilt(tables: list[str], *, stdout, started: float) -> Iterator[None]:
    """Drop the tables' foreign keys, indexes and unique constraints, run the block, create them again.

    Primary keys and unique constraints that a foreign key of another table points at stay. Runs inside the
    caller's transaction: the tables are locked until it commits, and a failure leaves the schema as it was.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid), oid FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid::regclass::text, conname",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        dropped = [oid for *_rest, oid in foreign_keys]
        # Unique and primary-key constraints no remaining foreign key needs.
        cursor.execute(
            "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint k"
            " WHERE contype IN ('p', 'u') AND conrelid = ANY(%s::regclass[]) AND NOT EXISTS ("
            "   SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid"
            "   AND NOT f.oid = ANY(%s::oid[]))"
            " ORDER BY conrelid::regclass::text, conname",
            [tables, dropped],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT c.oid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = ANY(%s::regclass[])"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype <> 'f')"
            " ORDER BY c.relname",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition, _oid in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for qualified, _definition in indexes:
            cursor.execute(f"DROP INDEX {qualified}")
    yield
    written = time.monotonic()
    with connection.cursor() as cursor:
        # For this transaction only: room to sort each index in memory (the trigram index takes most of it).
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        for _qualified, definition in indexes:
            cursor.execute(definition)
        built = time.monotonic()
        for table, name, definition, _oid in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    stdout.write(
        f"  {len(indexes) + len(constraints)} indexes built in {built - written:.1f} s, {len(foreign_keys)} foreign "
        f"keys checked in {time.monotonic() - built:.1f} s ({time.monotonic() - started:.0f} s)"
    )


def _analyze(tables: Iterable[str]) -> list[str]:
    """Refresh the planner's statistics for the tables the seeder filled (and the lookups they join); returns the
    tables left out because only their owner may analyze them (the seeder running as the portal's role)."""
    skipped = []
    with connection.cursor() as cursor:
        for table in [*tables, "auth_group", "partnerportal_user_groups"]:
            cursor.execute(
                "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass",
                [connection.ops.quote_name(table)],
            )
            if cursor.fetchone()[0]:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            else:
                skipped.append(table)
    return skipped
