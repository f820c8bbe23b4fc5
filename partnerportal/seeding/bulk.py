"""Bulk demo data for benchmarks: `seed_demo --customers N` streams N customers into PostgreSQL with COPY.

The rows are the ones real use creates (customer, relationship(s), the partner staff group's guardian reach
permission, tags, subscriptions, an activity entry), written in chunks so 1,000,000 customers run in
constant memory. At least 80% of the customers belong to Contoso Cloud, the worst case for its staff.
"""

from __future__ import annotations

import io
import json
import random
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.models import Permission
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

CHUNK = 10_000
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

# How customers are spread over the three demo partners (cumulative thresholds of one random draw).
SHARE_CONTOSO = 0.85
SHARE_FABRIKAM = 0.91  # Fabrikam direct
SHARE_CHAIN = 0.96  # Fabrikam ↔ Northwind indirect chain
SHARE_CONTOSO_ENDED = 0.98  # the rest: relationships with Fabrikam that ended
INVITATION_SHARE = 0.005  # pending invitations Contoso has out to not-yet-customers


def _text(value) -> str:
    """A Python value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _CopyTable:
    """A COPY buffer for one model: the listed columns in order; every other column gets its field default.

    Filling the rest from the model keeps the seeder working when someone adds a field with a default.
    """

    def __init__(self, model: type[models.Model], columns: list[str]):
        fields = {
            f.attname: f
            for f in model._meta.concrete_fields
            if not getattr(f, "generated", False) and not (f.primary_key and isinstance(f, models.AutoField))
        }
        rest = [f for name, f in fields.items() if name not in columns]
        self.table = model._meta.db_table
        names = [fields[name].column for name in columns] + [f.column for f in rest]
        self.columns = ", ".join(connection.ops.quote_name(name) for name in names)
        self.suffix = "".join("\t" + _text(f.get_default()) for f in rest) + "\n"
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, *values: str) -> None:
        """Append one row; values are already in COPY text format (the seeder's own strings need no escaping)."""
        self.buffer.write("\t".join(values))
        self.buffer.write(self.suffix)
        self.rows += 1

    def add_raw(self, text: str, rows: int) -> None:
        """Append pre-formatted lines that hold only the listed columns (no defaulted columns)."""
        self.buffer.write(text)
        self.rows += rows

    def flush(self, cursor) -> int:
        """COPY the buffered rows into the table and start a new buffer; return the row count."""
        rows = self.rows
        if rows:
            self.buffer.seek(0)
            cursor.copy_expert(f"COPY {self.table} ({self.columns}) FROM STDIN", self.buffer)
        self.buffer = io.StringIO()
        self.rows = 0
        return rows


def _run_number() -> int:
    """The next bulk run's number: domain prefixes are `bk<run>n<index>`, so every run adds new domains."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(max(substring(primary_domain from '^bk([0-9]+)n')::int), 0) FROM customers_customer"
            " WHERE primary_domain LIKE 'bk%'"
        )
        return cursor.fetchone()[0] + 1


def _grant_prefixes(partner: Partner, reach: Permission) -> list[str]:
    """The "group<TAB>permission<TAB>" line starts `customer_access_grant` writes for one customer of the partner."""
    return [f"{partner_group(partner).pk}\t{reach.pk}\t"]


def bulk_seed(*, count: int, rng: random.Random, stdout) -> None:
    """Create `count` customers with relationships, access, tags, subscriptions and activity, by COPY in chunks.

    Needs the demo partners (`seed_demo` creates them first). Each chunk is its own transaction, so memory
    stays flat however large `count` is; ANALYZE afterwards gives the planner the new row counts.
    """
    started = time.monotonic()
    contoso, fabrikam, northwind = (
        Partner.objects.get(partner_id=pid) for pid in ("CONTOSO-001", "FABRIKAM-001", "NORTHWIND-001")
    )
    demo = (contoso, fabrikam, northwind)
    reach = reach_permission()
    grants = {p.pk: _grant_prefixes(p, reach) for p in demo}
    tags = {
        p.pk: list(Tag.objects.filter(partner=p).values_list("pk", flat=True)) for p in (contoso, fabrikam, northwind)
    }
    actors = {
        p.pk: User.objects.filter(partner=p, admin_role=AdminRole.GLOBAL_ADMIN).order_by("pk").first() for p in demo
    }
    run = _run_number()
    # Repeatable for a given seed on a fresh database, yet a second run draws new customer IDs.
    rng = random.Random(f"{rng.getrandbits(64)}:{run}")
    domain_end = domain_suffix()
    now = timezone.now().astimezone(UTC)
    stdout.write(f"Bulk seeding {count:,} customers (run {run}, domains bk{run}n*)…")

    customer_t = _CopyTable(
        Customer,
        [
            *("id", "company_name", "primary_domain", "country", "address_line1", "city", "state", "postal_code"),
            *("contact_first_name", "contact_last_name", "contact_email", "contact_phone", "language", "culture"),
            *("agreement_status", "created_at"),
        ],
    )
    relationship_t = _CopyTable(
        Relationship,
        [
            *("partner_id", "customer_id", "kind", "indirect_partner_id", "status", "dap", "source"),
            *("started_at", "ended_at", "end_reason"),
        ],
    )
    grant_t = _CopyTable(CustomerGroupObjectPermission, ["group_id", "permission_id", "content_object_id"])
    tag_t = _CopyTable(CustomerTag, ["customer_id", "tag_id"])
    subscription_t = _CopyTable(
        Subscription, ["customer_id", "partner_id", "offer_name", "quantity", "status", "is_azure_plan", "created_at"]
    )
    activity_t = _CopyTable(
        ActivityEntry,
        ["created_at", "partner_id", "actor_id", "actor_email", "customer_id", "customer_name", "action", "details"],
    )
    invitation_t = _CopyTable(
        Invitation,
        [
            *("partner_id", "created_by_id", "email", "message", "dap", "status", "token_hash", "created_at"),
            "expires_at",
        ],
    )
    tables = [customer_t, relationship_t, grant_t, tag_t, subscription_t, activity_t, invitation_t]
    totals = dict.fromkeys((t.table for t in tables), 0)

    def relationship(partner: Partner, customer_id: str, began: datetime, *, other=None, ended=False) -> None:
        end = began + timedelta(days=rng.randint(30, 400)) if ended else None
        relationship_t.add(
            str(partner.pk),
            customer_id,
            "indirect" if other else "direct",
            str(other.pk) if other else r"\N",
            "ended" if ended else "active",
            "t",
            "created",
            began.isoformat(),
            end.isoformat() if end else r"\N",
            Relationship.EndReason.MOVED_PARTNER if ended else "",
        )
        if not ended:
            prefixes = grants[partner.pk]
            grant_t.add_raw("".join(f"{prefix}{customer_id}\n" for prefix in prefixes), len(prefixes))
            for tag_id in rng.sample(tags[partner.pk], min(len(tags[partner.pk]), rng.choice((0, 1, 1, 2, 2, 3, 4)))):
                tag_t.add(customer_id, str(tag_id))
            for offer, azure in rng.sample(OFFERS, rng.choice((0, 1, 1, 2))):
                subscription_t.add(
                    customer_id,
                    str(partner.pk),
                    offer,
                    "1" if azure else str(rng.randint(1, 300)),
                    "suspended" if rng.random() < 0.05 else "active",
                    "t" if azure else "f",
                    began.isoformat(),
                )

    skip_checks = _may_skip_foreign_key_checks()

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if skip_checks:
                # Every foreign key here points at a row this run wrote or read, so the deferred per-row checks
                # (over 40% of the time, measured at commit) prove nothing; replica mode skips them.
                cursor.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                totals[table.table] += table.flush(cursor)
            if skip_checks:
                # Inside an outer transaction (a test) SET LOCAL would outlive this block.
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    # Each chunk's customer IDs are drawn first and written in key order: every index keyed by customer
    # (the customer, permission, relationship, tag tables) then takes the chunk's rows page by page instead
    # of at random, which halved the permission rows' COPY time on a 100,000-customer database.
    ids: list[str] = []
    for index in range(count):
        if not ids:
            ids = sorted(
                (str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(min(CHUNK, count - index))),
                reverse=True,
            )
        customer_id = ids.pop()
        prefix = f"bk{run}n{index}"
        brand = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        name = f"{brand} {rng.choice(NAME_PARTS)} {rng.choice(SUFFIXES)}"
        country, city, state, postal, language, culture = rng.choice(PLACES)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        created = now - timedelta(seconds=rng.randint(3600, 3 * 365 * 86400))
        customer_t.add(
            customer_id,
            name,
            prefix + domain_end,
            country,
            f"{rng.randint(1, 9999)} Main Street",
            city,
            state,
            postal,
            first.title(),
            last.title(),
            f"{first}.{last}@{prefix}.example.net",
            f"+1 555 {rng.randint(1000000, 9999999)}",
            language,
            culture,
            rng.choice(AGREEMENTS),
            created.isoformat(),
        )
        draw = rng.random()
        if draw < SHARE_CONTOSO:
            owner = contoso
            relationship(contoso, customer_id, created)
        elif draw < SHARE_FABRIKAM:
            owner = fabrikam
            relationship(fabrikam, customer_id, created)
        elif draw < SHARE_CHAIN:
            owner = northwind
            relationship(northwind, customer_id, created, other=fabrikam)
            relationship(fabrikam, customer_id, created, other=northwind)
        elif draw < SHARE_CONTOSO_ENDED:
            owner = contoso
            relationship(contoso, customer_id, created, ended=True)
        else:
            owner = fabrikam
            relationship(fabrikam, customer_id, created, ended=True)
        actor = actors[owner.pk]
        activity_t.add(
            created.isoformat(),
            str(owner.pk),
            str(actor.pk) if actor else r"\N",
            actor.email if actor else "",
            customer_id,
            name,
            Actions.CUSTOMER_CREATE,
            json.dumps({"after": {"company_name": name, "primary_domain": prefix + domain_end}}),
        )
        if rng.random() < INVITATION_SHARE:
            sent = now - timedelta(days=rng.randint(0, 20))
            invitation_t.add(
                str(contoso.pk),
                str(contoso_actor.pk) if (contoso_actor := actors[contoso.pk]) else r"\N",
                f"admin@invitee{run}n{index}.example.org",
                "We would like to become your reseller.",
                "t",
                "pending",
                f"{rng.getrandbits(256):064x}",
                sent.isoformat(),
                (sent + timedelta(days=30)).isoformat(),
            )
        if not ids:
            flush()
            if (index + 1) % (CHUNK * 10) == 0:
                stdout.write(f"  {index + 1:,} customers ({time.monotonic() - started:.0f} s)")
    if connection.in_atomic_block or not has_separate_owner():
        not_analyzed = _analyze(totals)
    else:
        # Every chunk is committed: the owner (who alone may ANALYZE the tables) refreshes the statistics.
        with connected_as_owner():
            not_analyzed = _analyze(totals)
    elapsed = time.monotonic() - started
    stdout.write(
        f"Bulk seeded {count:,} customers in {elapsed:.1f} s: "
        + ", ".join(f"{rows:,} {table}" for table, rows in totals.items())
    )
    if not_analyzed:
        stdout.write(
            f"Planner statistics of {len(not_analyzed)} tables are left to autovacuum: only their owner may ANALYZE "
            "them (without DATABASE_OWNER_URL, or inside a transaction, the seeder cannot ask the owner)."
        )


def _may_skip_foreign_key_checks() -> bool:
    """True when the database role may switch to replica mode: superusers only (neither of the embedded server's
    roles, nor the portal's role anywhere)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]


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
