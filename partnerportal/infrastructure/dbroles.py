"""The two database roles from Django's side: run a block as the owner, grant the portal role its privileges, and
the deployment check that the portal's own connection is neither superuser nor owner of the activity log.

The owner (settings.DATABASE_OWNER, from DATABASE_OWNER_URL or the embedded server) owns every table and runs the
migrations; the portal role (settings.DATABASES) gets SELECT, INSERT, UPDATE and DELETE on every table and USAGE and
SELECT on every sequence, except on the append-only tables — the activity log — where it may only SELECT and
INSERT. No TRUNCATE, REFERENCES, TRIGGER or MAINTAIN anywhere, and only SELECT on `django_migrations` (the
migration history is the owner's business). The grants are applied again after every migrate, and ALTER DEFAULT
PRIVILEGES gives tables created by later migrations the same grants the moment they exist.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from partnerportal.infrastructure.db import portal_privilege_statements

# The connection settings that say who connects where; NAME (and TEST) stay the portal's.
CREDENTIAL_KEYS = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
# The portal role's credentials of each connection currently switched to the owner (alias → saved settings).
_switched: dict[str, dict[str, Any]] = {}


def owner_settings() -> dict[str, Any] | None:
    """The owner's credentials, or None when the deployment has one role (no DATABASE_OWNER_URL)."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    if not owner:
        return None
    return {key: owner.get(key, {} if key == "OPTIONS" else "") for key in CREDENTIAL_KEYS}


def _role_of(credentials: dict[str, Any]) -> str:
    # libpq connects as the operating-system user when no user is given.
    return credentials.get("USER") or getpass.getuser()


def portal_role(alias: str = "default") -> str:
    """The name of the role the portal connects as (also while the connection is switched to the owner)."""
    credentials = _switched.get(alias, connections[alias].settings_dict)
    return _role_of(credentials)


def has_separate_owner(alias: str = "default") -> bool:
    """True when migrations run as another role than the portal's."""
    owner = owner_settings()
    return owner is not None and _role_of(owner) != portal_role(alias)


@contextmanager
def connected_as_owner(alias: str = "default") -> Iterator[None]:
    """Run the block with the connection `alias` logged in as the owner, then as the portal role again.

    The connection is closed on the way in and out (a new login is the only way to change role: the portal role
    is not a member of the owner's). Nested use keeps the outer switch. Without a separate owner the block runs as
    it is. Not inside a transaction: its work would be lost with the connection. The credentials are changed in the
    connection's settings, which Django shares with settings.DATABASES and so with every thread's connection of
    that alias: for single-threaded work only (a management command, the test database's set-up and flush).
    """
    if alias in _switched or not has_separate_owner(alias):
        yield
        return
    connection = connections[alias]
    if connection.in_atomic_block:
        raise RuntimeError("Cannot switch the database role inside a transaction.")
    owner = owner_settings()
    assert owner is not None  # has_separate_owner
    connection.close()
    _switched[alias] = {key: connection.settings_dict.get(key) for key in CREDENTIAL_KEYS}
    connection.settings_dict.update(owner)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(_switched.pop(alias))


def append_only_tables() -> list[str]:
    """The tables the portal may only read and add to: the activity log (named in `db.APPEND_ONLY_TABLES` too, for
    the embedded server's hand-over of an older data directory, which runs before Django's apps are loaded)."""
    return [apps.get_model("activity", "ActivityEntry")._meta.db_table]


def grant_portal_privileges(alias: str = "default") -> None:
    """As the owner: give the portal role exactly its privileges on every table and sequence of the schema, now and
    (default privileges) for tables and sequences that later migrations create. One transaction, so the portal
    never sees a moment without its grants. Nothing to do with a single role (the owner holds every privilege)."""
    if not has_separate_owner(alias):
        return
    connection = connections[alias]
    role = connection.ops.quote_name(portal_role(alias))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
    statements = portal_privilege_statements(
        schema, role, append_only=tuple(append_only_tables()), migrations_table=True
    )
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def role_problems(connection: BaseDatabaseWrapper) -> list[str]:
    """What makes the connection's role able to rewrite the activity log: superuser, owner of the log table, or
    holder of UPDATE, DELETE or TRUNCATE on it. Codes: 'superuser', 'owner', 'privileges'."""
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            problems.append("superuser")
        for table in append_only_tables():
            cursor.execute(
                "SELECT tableowner = current_user,"
                " has_table_privilege(format('%%I.%%I', schemaname, tablename), 'UPDATE, DELETE, TRUNCATE')"
                " FROM pg_tables WHERE tablename = %s AND schemaname = current_schema()",
                [table],
            )
            row = cursor.fetchone()
            if row is None:
                continue  # not migrated yet
            owner, privileged = row
            if owner:
                problems.append("owner")
            elif privileged and "superuser" not in problems:
                problems.append("privileges")
    return problems


def check_portal_database_role(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Deployment check (`manage.py check --deploy`): the portal's own connection can rewrite the activity log.

    It asks PostgreSQL; when the database cannot be reached (a build step without one), it says nothing.
    """
    connection = connections["default"]
    try:
        problems = role_problems(connection)
    except DatabaseError:
        return []
    role = portal_role()
    hint = (
        "Connect the portal (DATABASE_URL) as a role that neither is superuser nor owns the tables, and give "
        "DATABASE_OWNER_URL the owner's credentials where `manage.py migrate` runs; migrate then grants the "
        "portal role its privileges (README, Database)."
    )
    messages = {
        "superuser": (f"The portal connects to PostgreSQL as {role!r}, a superuser.", "partnerportal.W101"),
        "owner": (f"The portal's database role {role!r} owns the activity log table.", "partnerportal.W102"),
        "privileges": (
            f"The portal's database role {role!r} may UPDATE, DELETE or TRUNCATE the activity log.",
            "partnerportal.W103",
        ),
    }
    return [
        checks.Warning(
            messages[problem][0] + " Anyone who takes over the portal process can rewrite or empty the log.",
            hint=hint,
            id=messages[problem][1],
        )
        for problem in problems
    ]
