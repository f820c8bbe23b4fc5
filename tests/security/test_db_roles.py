# ruff: noqa: S608 -- the statements are built from the table's name and fixed text: raw SQL is what is tested
"""The activity log is tamper-proof from the portal's own database connection, not only to polite SQL.

The suite runs as the portal role (tests/conftest.py: the owner creates and migrates the test database, then every
test connects as the portal), so `django.db.connection` here is exactly what a taken-over web process holds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from activity.actions import Actions
from activity.models import ActivityEntry
from activity.services import activity_record
from partnerportal.infrastructure.db import SUPERUSER
from partnerportal.infrastructure.dbroles import (
    connected_as_owner,
    grant_portal_privileges,
    has_separate_owner,
    portal_role,
)
from tests.factories import make_customer, make_partner
from tests.security.test_headers import DEPLOY_ENV

LOG = ActivityEntry._meta.db_table
TRIGGER = "activity_entry_no_update_delete"  # activity/migrations/0003_append_only.py
INSUFFICIENT_PRIVILEGE = "42501"
OWNER = settings.DATABASE_OWNER["USER"]


def query(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def log_rows() -> list[tuple]:
    return query(f"SELECT id, action, details::text, created_at, actor_id, customer_id FROM {LOG} ORDER BY id")


@pytest.fixture
def logged(db):
    """A partner and a customer, and so a few activity entries (customer created, relationship, access)."""
    make_customer(make_partner())
    rows = log_rows()
    assert rows
    return rows


# Everything a taken-over portal could try to rewrite, empty or unprotect the log, or to gain the rights to.
ATTACKS = {
    "update": f"UPDATE {LOG} SET action = 'forged'",
    "delete": f"DELETE FROM {LOG}",
    "truncate": f"TRUNCATE {LOG}",
    "truncate cascade": f"TRUNCATE {LOG} CASCADE",
    "disable the trigger": f"ALTER TABLE {LOG} DISABLE TRIGGER {TRIGGER}",
    "disable every trigger": f"ALTER TABLE {LOG} DISABLE TRIGGER ALL",
    "drop the trigger": f"DROP TRIGGER {TRIGGER} ON {LOG}",
    "replace the trigger function": (
        "CREATE OR REPLACE FUNCTION activity_entry_append_only() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$"
        " LANGUAGE plpgsql"
    ),
    "replica mode": "SET session_replication_role = replica",
    "replica mode, local": "SET LOCAL session_replication_role = replica",
    "take ownership": f"ALTER TABLE {LOG} OWNER TO CURRENT_USER",
    "drop the table": f"DROP TABLE {LOG}",
    "rename the table": f"ALTER TABLE {LOG} RENAME TO activity_old",
    "create a role": "CREATE ROLE intruder LOGIN SUPERUSER",
    "create a plain role": "CREATE ROLE intruder",
    "become superuser": "ALTER ROLE CURRENT_USER SUPERUSER",
    "grant itself the owner role": f"GRANT {OWNER} TO CURRENT_USER",
    "switch to the owner role": f"SET ROLE {OWNER}",
    "rewind the id sequence": f"SELECT setval(pg_get_serial_sequence('{LOG}', 'id'), 1)",
    "create a table": "CREATE TABLE public.activity_shadow (id bigint)",
    "copy to a program": f"COPY {LOG} TO PROGRAM 'cat'",
}


@pytest.mark.parametrize("sql", list(ATTACKS.values()), ids=list(ATTACKS))
def test_the_portal_connection_cannot_rewrite_empty_or_unprotect_the_log(logged, sql):
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert raised.value.__cause__.pgcode == INSUFFICIENT_PRIVILEGE, raised.value
    assert log_rows() == logged
    assert query("SELECT current_setting('session_replication_role')") == [("origin",)]


def test_granting_itself_more_on_the_log_grants_nothing(logged):
    # PostgreSQL answers a GRANT without grant option with a warning, not an error: nothing is granted.
    for privileges in ("UPDATE, DELETE, TRUNCATE", "ALL"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"GRANT {privileges} ON {LOG} TO CURRENT_USER")
            assert "no privileges were granted" in cursor.connection.notices[-1]
    assert query(f"SELECT has_table_privilege('{LOG}', 'UPDATE, DELETE, TRUNCATE, TRIGGER, MAINTAIN')") == [(False,)]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {LOG} SET action = 'forged'")
    assert log_rows() == logged


def test_the_portal_adds_to_and_reads_the_log(logged):
    entry = activity_record(action=Actions.AUTH_SIGN_IN, after={"email": "someone@example.com"})
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LOG} (created_at, action, details, actor_email, customer_name)"
            " VALUES (now(), %s, '{}', '', '') RETURNING id",
            [Actions.AUTH_SIGN_OUT.value],
        )
        raw_id = cursor.fetchone()[0]
    assert list(ActivityEntry.objects.filter(pk__in=[entry.pk, raw_id]).values_list("action", flat=True)) == [
        Actions.AUTH_SIGN_IN,
        Actions.AUTH_SIGN_OUT,
    ]
    assert log_rows()[: len(logged)] == logged


def test_the_portal_role_is_no_superuser_and_owns_nothing(db):
    role = portal_role()
    assert query("SELECT current_user") == [(role,)]
    assert role != OWNER
    assert query(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication FROM pg_roles"
        " WHERE rolname = current_user"
    ) == [(False, False, False, False, False)]
    assert query("SELECT tablename FROM pg_tables WHERE tableowner = current_user") == []
    me = "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
    assert query(f"SELECT relname FROM pg_class WHERE relowner = {me}") == []
    assert query(f"SELECT proname FROM pg_proc WHERE proowner = {me}") == []
    assert query(f"SELECT nspname FROM pg_namespace WHERE nspowner = {me}") == []
    assert query(f"SELECT datname FROM pg_database WHERE datdba = {me}") == []
    # Not a member of any role either (so no SET ROLE to one with more rights).
    assert query(f"SELECT roleid::regrole::text FROM pg_auth_members WHERE member = {me}") == []


def test_the_migrations_were_applied_by_the_owner(db):
    assert MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes()) == []
    owners = query("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()")
    assert owners == [(OWNER,)]
    assert query("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()") == [(OWNER,)]
    assert query("SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'activity_entry_append_only'") == [
        (OWNER,)
    ]
    assert query("SELECT tgenabled FROM pg_trigger WHERE tgname = %s", [TRIGGER]) == [("O",)]


PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN")


def table_privileges(role: str) -> dict[str, set[str]]:
    """Every table of the schema → the privileges `role` holds on it."""
    checks = ", ".join(f"has_table_privilege(%s, c.oid, '{privilege}')" for privilege in PRIVILEGES)
    rows = query(
        f"SELECT c.relname, {checks} FROM pg_class AS c WHERE c.relnamespace = current_schema()::regnamespace"
        " AND c.relkind IN ('r', 'p', 'v', 'm')",
        [role] * len(PRIVILEGES),
    )
    return {name: {p for p, held in zip(PRIVILEGES, flags, strict=True) if held} for name, *flags in rows}


def test_after_every_migration_the_log_grants_the_portal_only_select_and_insert(db):
    privileges = table_privileges(portal_role())
    assert privileges.pop(LOG) == {"SELECT", "INSERT"}
    assert privileges.pop("django_migrations") == {"SELECT"}
    assert len(privileges) > 20
    assert {table: held for table, held in privileges.items() if held != {"SELECT", "INSERT", "UPDATE", "DELETE"}} == {}
    sequences = query(
        "SELECT c.relname, has_sequence_privilege(c.oid, 'USAGE'), has_sequence_privilege(c.oid, 'SELECT'),"
        " has_sequence_privilege(c.oid, 'UPDATE') FROM pg_class AS c"
        " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'S'"
    )
    assert sequences
    assert {
        name for name, usage, select, update in sequences if (usage, select, update) != (True, True, False)
    } == set()


def test_a_table_a_later_migration_creates_gets_the_portals_grants_at_once(as_owner, db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_feature (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
    assert table_privileges(portal_role())["later_feature"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    usage = query("SELECT has_sequence_privilege(%s, 'later_feature_id_seq', 'USAGE')", [portal_role()])
    assert usage == [(True,)]


def test_migrate_puts_the_grants_back_however_they_drifted(as_owner, db):
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT ALL ON {LOG} TO {portal_role()}")
        cursor.execute(f"REVOKE INSERT ON customers_customer FROM {portal_role()}")
    grant_portal_privileges()  # what `manage.py migrate` ends with
    privileges = table_privileges(portal_role())
    assert privileges[LOG] == {"SELECT", "INSERT"}
    assert privileges["customers_customer"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}


@pytest.mark.parametrize("owner", ["none", "the portal's own role"])
def test_a_single_role_deployment_migrates_as_its_one_role(db, settings, owner):
    # No DATABASE_OWNER_URL (or one naming the portal's role): nothing to switch to, nothing to grant.
    settings.DATABASE_OWNER = None if owner == "none" else dict(connection.settings_dict)
    assert not has_separate_owner()
    with connected_as_owner():  # inside the test's transaction: a switch would have to close it
        assert query("SELECT current_user") == [(portal_role(),)]
    grant_portal_privileges()
    assert table_privileges(portal_role())[LOG] == {"SELECT", "INSERT"}


def test_the_role_is_not_switched_inside_a_transaction(db):
    with pytest.raises(RuntimeError, match="inside a transaction"), connected_as_owner():
        pass


@pytest.mark.parametrize("sql", [f"UPDATE {LOG} SET action = 'forged'", f"DELETE FROM {LOG}"], ids=["update", "delete"])
def test_the_trigger_still_stops_the_owner(as_owner, logged, sql):
    # The second line of defence: even the owner's UPDATE or DELETE (a migration, an operator) is refused unless
    # it switches the trigger off on purpose, as the one sanctioned rewrite (activity migration 0005) did.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert log_rows() == logged


def _url(credentials: dict) -> str:
    """A DATABASE_URL for the test database with the given credentials (USER, PASSWORD, HOST, PORT, OPTIONS)."""
    user = quote(credentials.get("USER") or "", safe="")
    password = quote(credentials.get("PASSWORD") or "", safe="")
    netloc = f"{user}:{password}@{credentials.get('HOST') or ''}" + (
        f":{credentials['PORT']}" if credentials.get("PORT") else ""
    )
    socket = (credentials.get("OPTIONS") or {}).get("host")
    return f"postgresql://{netloc}/{connection.settings_dict['NAME']}" + (f"?host={quote(socket)}" if socket else "")


def test_check_deploy_warns_when_the_portal_connects_as_superuser_or_owner(django_db_setup):
    roles = {"portal": connection.settings_dict, "owner": settings.DATABASE_OWNER}
    if not os.environ.get("DATABASE_URL"):
        roles["superuser"] = {**connection.settings_dict, "USER": SUPERUSER, "PASSWORD": ""}
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    runs = {
        role: subprocess.Popen(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=settings.BASE_DIR,
            env={**env, **DEPLOY_ENV, "DATABASE_URL": _url(credentials)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for role, credentials in roles.items()
    }
    output = {role: run.communicate(timeout=180)[0] for role, run in runs.items()}
    assert runs["portal"].returncode == 0, output["portal"]
    assert "no issues" in output["portal"]
    assert runs["owner"].returncode != 0
    assert "partnerportal.W102" in output["owner"] and "owns the activity log table" in output["owner"]
    assert "partnerportal.W101" not in output["owner"]
    if "superuser" in runs:
        assert runs["superuser"].returncode != 0
        assert "partnerportal.W101" in output["superuser"] and "a superuser" in output["superuser"]
