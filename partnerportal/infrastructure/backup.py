"""Backups of the portal's database with PostgreSQL's own tools: `pg_dump --format=custom` and `pg_restore`.

The connection comes from Django's database settings: the owner's credentials when the deployment has them
(settings.DATABASE_OWNER: DATABASE_OWNER_URL, or the embedded server's owner role), which can read every object,
otherwise the portal role's, which may SELECT every table too. The password travels in the `PGPASSWORD`
environment variable of the child process, never on its command line (where `ps` shows it to every user).

`pg_dump` refuses a server newer than itself, and an archive is read only by a `pg_restore` at least as new as the
`pg_dump` that wrote it, so the tools are chosen by the server's major version (`SHOW server_version_num`): the
embedded PostgreSQL binaries when their major version is the server's, else one on PATH or under
/usr/lib/postgresql/<major>/bin (Debian's packages), the same major first and a newer one if no exact match exists.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg2

from partnerportal.infrastructure import db as embedded

# Django's OPTIONS keys that are not libpq connection parameters.
_DJANGO_ONLY_OPTIONS = {"assume_role", "isolation_level", "pool", "server_side_binding", "cursor_factory", "context"}
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")
# The schemas a fresh database already has; a table in any other, or in public, makes a target "not empty".
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


class BackupError(Exception):
    """A backup or restore that cannot be made as asked (with the reason for the operator)."""


def connection_params(settings_dict: Mapping[str, Any]) -> tuple[dict[str, str], str]:
    """(libpq parameters without the password, the password) of a Django database settings dict."""
    params: dict[str, str] = {}
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key not in _DJANGO_ONLY_OPTIONS and value is not None:
            params[key] = str(value)
    for key, name in (("NAME", "dbname"), ("USER", "user"), ("HOST", "host"), ("PORT", "port")):
        if settings_dict.get(key):
            params[name] = str(settings_dict[key])
    password = str(params.pop("password", "") or settings_dict.get("PASSWORD") or "")
    return params, password


@contextmanager
def _connect(params: Mapping[str, str], password: str) -> Iterator[Any]:
    connection = psycopg2.connect(**params, **({"password": password} if password else {}))
    try:
        yield connection
    finally:
        connection.close()


def server_major_version(params: Mapping[str, str], password: str) -> int:
    """The major version of the server behind `params` (e.g. 18)."""
    with _connect(params, password) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def database_is_empty(params: Mapping[str, str], password: str) -> bool:
    """True when the database holds no table, view or sequence outside the system schemas."""
    with _connect(params, password) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname <> ALL(%s)"
            " AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'",
            [list(_SYSTEM_SCHEMAS)],
        )
        return cursor.fetchone()[0] == 0


def _tool_major(path: str) -> int | None:
    try:
        output = subprocess.run(  # noqa: S603 -- a PostgreSQL client binary found below, asked its version
            [path, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(output)
    return int(match.group(1)) if match else None


def _candidates(tool: str) -> list[str]:
    found: list[str] = []
    with suppress(embedded.EmbeddedPostgresError):
        found.append(str(embedded.bin_dir() / tool))
    on_path = shutil.which(tool)
    if on_path:
        found.append(on_path)
    found.extend(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}")))
    return [path for path in dict.fromkeys(found) if os.access(path, os.X_OK)]


def client_tool(tool: str, server_major: int) -> str:
    """The path of `tool` (pg_dump, pg_restore) for a server of `server_major`: the same major version if one is
    installed, else the oldest newer one; BackupError when only older ones exist."""
    versions = [(major, path) for path in _candidates(tool) if (major := _tool_major(path)) is not None]
    exact = [path for major, path in versions if major == server_major]
    if exact:
        return exact[0]
    newer = sorted((major, path) for major, path in versions if major > server_major)
    if newer:
        return newer[0][1]
    seen = ", ".join(f"{path} ({major})" for major, path in versions) or "none"
    raise BackupError(
        f"No {tool} for PostgreSQL {server_major} or newer (found: {seen}). Install the client tools of the server's"
        f" version (Debian: postgresql-client-{server_major})."
    )


def _run(command: list[str], password: str) -> None:
    env = {**os.environ, "PGPASSWORD": password} if password else {**os.environ}
    if not password:
        env.pop("PGPASSWORD", None)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 -- argv list
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()[-4000:]}")


def _dsn(params: Mapping[str, str]) -> str:
    return psycopg2.extensions.make_dsn(**params)


def database_backup(*, settings_dict: Mapping[str, Any], path: Path) -> str:
    """Write a custom-format dump of the database to `path`; return the pg_dump used."""
    params, password = connection_params(settings_dict)
    pg_dump = client_tool("pg_dump", server_major_version(params, password))
    _run([pg_dump, "--format=custom", "--file", str(path), "--dbname", _dsn(params)], password)
    return pg_dump


def database_restore(*, settings_dict: Mapping[str, Any], path: Path, force: bool = False) -> str:
    """Restore a dump made by `database_backup` into the database of `settings_dict`, which must be empty unless
    `force` (then the dump's objects replace theirs); all or nothing (one transaction). Return the pg_restore used.

    Objects are owned by the role that restores (`--no-owner`); the dump's grants to the portal role come along.
    """
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    params, password = connection_params(settings_dict)
    if not force and not database_is_empty(params, password):
        raise BackupError(
            f"The database {params.get('dbname', '')!r} is not empty; restore into an empty database, or pass --force"
            " to replace its objects with the backup's."
        )
    pg_restore = client_tool("pg_restore", server_major_version(params, password))
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            _dsn(params),
            str(path),
        ],
        password,
    )
    return pg_restore
