"""The embedded PostgreSQL gets its two roles on a new data directory and on one the previous code made (superuser
only, every table the superuser's): the next start hands the databases over to the owner, migrate runs as the owner,
and the portal connects as the portal role, which may read and add to the log but not rewrite it."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import closing

import psycopg2
import pytest

from partnerportal.infrastructure import db
from partnerportal.infrastructure.db import BASE_DIR, EmbeddedServer
from partnerportal.infrastructure.dbroles import append_only_tables

PORTAL_CHECK = """
from django.db import connection, transaction, DatabaseError
with connection.cursor() as c:
    c.execute("SELECT current_user, count(*) FROM activity_activityentry")
    print(*c.fetchone())
    try:
        with transaction.atomic():
            c.execute("DELETE FROM activity_activityentry")
    except DatabaseError as error:
        print(error.__cause__.pgcode)
"""


def _env(pgdata, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE_")}
    env.update(DJANGO_SETTINGS_MODULE="partnerportal.settings.test", PORTAL_EMBEDDED_PGDATA=str(pgdata), **extra)
    return env


def _manage(pgdata, *args: str, **extra) -> str:
    result = subprocess.run(  # noqa: S603 -- this interpreter running manage.py
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=_env(pgdata, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _superuser(server: EmbeddedServer, database: str):
    conn = psycopg2.connect(server.uri(database, db.SUPERUSER))
    conn.autocommit = True
    return conn


def _rows(conn, sql: str, params=None) -> list[tuple]:
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def server(tmp_path):
    server = EmbeddedServer(tmp_path / "pgdata")
    yield server
    server.stop()


def test_a_data_directory_of_the_superuser_only_days_is_handed_over_to_the_two_roles(server):
    # The previous code: initdb with the superuser alone, the database created and migrated as that superuser.
    server.ensure_running()
    with closing(_superuser(server, "postgres")) as conn:
        conn.cursor().execute('CREATE DATABASE "partnerportal"')
    (server.pgdata / db.LEGACY_DATABASE_MARKER).touch()
    old_url = server.uri(db.DATABASE_NAME, db.SUPERUSER)
    _manage(server.pgdata, "migrate", "-v", "0", DATABASE_URL=old_url)
    with closing(_superuser(server, db.DATABASE_NAME)) as conn:
        assert _rows(conn, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'") == [("postgres",)]
        assert _rows(conn, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'portal%%'") == [(0,)]
        conn.cursor().execute(
            "INSERT INTO activity_activityentry (created_at, action, details, actor_email, customer_name)"
            " VALUES (now(), 'auth.sign_in', '{}', 'old@example.com', '')"
        )

    # The new code, as `make test` starts after a pull: commands that read the tables before any migrate (the
    # migration check reads the history) work at once, as the portal role, because the hand-over grants too ...
    assert _manage(server.pgdata, "shell", "-v", "0", "-c", PORTAL_CHECK).split() == [db.PORTAL_ROLE, "1", "42501"]
    _manage(server.pgdata, "makemigrations", "--check", "--dry-run", "-v", "0")
    # ... and as `make run` starts: migrate (which grants again), then the portal.
    _manage(server.pgdata, "migrate", "-v", "0")
    assert _manage(server.pgdata, "shell", "-v", "0", "-c", PORTAL_CHECK).split() == [db.PORTAL_ROLE, "1", "42501"]

    with closing(_superuser(server, db.DATABASE_NAME)) as conn:
        roles = _rows(
            conn, "SELECT rolname, rolsuper, rolcreatedb FROM pg_roles WHERE rolname LIKE 'portal%%' ORDER BY 1"
        )
        assert roles == [(db.PORTAL_ROLE, False, False), (db.OWNER_ROLE, False, True)]
        assert _rows(conn, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'") == [
            (db.OWNER_ROLE,)
        ]
        assert _rows(conn, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()") == [
            (db.OWNER_ROLE,)
        ]
        # Sequences and the trigger function went with the tables; the extension's objects stay the superuser's.
        assert _rows(
            conn,
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace AND relkind IN ('S', 'i')",
        ) == [(db.OWNER_ROLE,)]
        assert _rows(
            conn, "SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'activity_entry_append_only'"
        ) == [(db.OWNER_ROLE,)]
        privileges = "SELECT has_table_privilege(%s, 'activity_activityentry', %s)"
        assert _rows(conn, privileges, [db.PORTAL_ROLE, "SELECT, INSERT"]) == [(True,)]
        assert _rows(conn, privileges, [db.PORTAL_ROLE, "UPDATE"]) == [(False,)]
        assert _rows(conn, privileges, [db.PORTAL_ROLE, "DELETE"]) == [(False,)]
        assert _rows(conn, privileges, [db.PORTAL_ROLE, "TRUNCATE"]) == [(False,)]
    assert (server.pgdata / db.ROLES_MARKER).exists()
    assert not (server.pgdata / db.LEGACY_DATABASE_MARKER).exists()


def test_the_hand_over_knows_the_activity_log_table():
    # The hand-over runs before Django's apps load, so it names the append-only table itself.
    assert list(db.APPEND_ONLY_TABLES) == append_only_tables()


def test_a_new_data_directory_starts_with_both_roles_and_the_owners_database(server):
    portal_url, owner_url = db.embedded_database_urls(server.pgdata)
    with closing(psycopg2.connect(portal_url)) as conn:
        owner = _rows(
            conn, "SELECT current_user, pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'partnerportal'"
        )
        assert owner == [(db.PORTAL_ROLE, db.OWNER_ROLE)]
    with closing(psycopg2.connect(owner_url)) as conn:
        assert _rows(conn, "SELECT current_user") == [(db.OWNER_ROLE,)]
    assert (server.pgdata / db.ROLES_MARKER).exists()
