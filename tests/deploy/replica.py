"""A primary and a streaming replica of Debian's PostgreSQL on loopback ports, for the replica routing test.

The primary runs with `wal_level=replica` and a replication role; the standby is made from it by
`pg_basebackup -R` (which writes `standby.signal` and `primary_conninfo`) and started on a port of its own. Both
are scratch servers under a temporary directory, reached over TCP on 127.0.0.1 only (no Unix socket), with trust
authentication: nothing outside this machine can reach them and they are removed on stop. As root, as for the
embedded server (partnerportal/infrastructure/db.py), every PostgreSQL binary runs as its unprivileged system
user. Durability is switched off (`fsync=off`): a test server need not survive a power cut.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2

from partnerportal.infrastructure import db as embedded
from tests.deploy.cluster import as_root, postgres_bin_dir
from tests.smtp import free_port

SUPERUSER = "postgres"
REPLICATION_ROLE = "replicator"
OWNER_ROLE = embedded.OWNER_ROLE
PORTAL_ROLE = embedded.PORTAL_ROLE
DATABASE = "partnerportal"
START_TIMEOUT_SECONDS = 60
SERVER_SETTINGS = (
    "listen_addresses = '127.0.0.1'",
    "unix_socket_directories = ''",
    "wal_level = replica",
    "max_wal_senders = 4",
    "hot_standby = on",
    "fsync = off",
    "full_page_writes = off",
    "shared_buffers = 32MB",
    # The pause of replay (pg_wal_replay_pause) must not be cut short by a conflicting query's cancellation.
    "max_standby_streaming_delay = -1",
)


def run(args: list[str], *, timeout: float = 120) -> str:
    """Run one PostgreSQL binary (as the server's system user when we are root); its output, or an error."""
    try:
        return embedded.run_binary(args, binaries=postgres_bin_dir(), timeout=timeout).stdout
    except embedded.EmbeddedPostgresError as error:
        raise RuntimeError(str(error)) from None


@dataclass
class Server:
    data: Path
    port: int

    @property
    def log(self) -> Path:
        return self.data.parent / f"{self.data.name}.log"

    def configure(self) -> None:
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n".join((*SERVER_SETTINGS, f"port = {self.port}", "")))

    def start(self) -> int:
        """Start the server; its postmaster's pid."""
        try:
            run(["pg_ctl", "start", "-D", str(self.data), "-w", "-t", str(START_TIMEOUT_SECONDS), "-l", str(self.log)])
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n{self.log_tail()}") from None
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                run(["pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w"], timeout=60)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no server log)"

    def url(self, role: str, database: str = DATABASE) -> str:
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database}"

    def connect(self, role: str = SUPERUSER, database: str = DATABASE) -> Any:
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=role, dbname=database)
        conn.autocommit = True
        return conn

    def scalar(self, sql: str, params: list[Any] | None = None, *, role: str = SUPERUSER) -> Any:
        conn = self.connect(role)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params or [])
                return cur.fetchone()[0]
        finally:
            conn.close()


@dataclass
class ReplicaCluster:
    """A primary and its streaming standby; `start()` sets both up, `stop()` stops them and removes their files."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="portal-replica-")))
    primary: Server = field(init=False)
    standby: Server = field(init=False)
    pids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.primary = Server(self.root / "primary", free_port())
        self.standby = Server(self.root / "standby", free_port())

    def start(self) -> None:
        self.root.chmod(0o700)
        if as_root():
            os.chown(self.root, *embedded.system_user_ids())
        run(["initdb", "-D", str(self.primary.data), "--auth=trust", "--encoding=utf8", "-U", SUPERUSER])
        self.primary.configure()
        self.pids.append(self.primary.start())
        conn = self.primary.connect(database="postgres")
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE ROLE {REPLICATION_ROLE} LOGIN REPLICATION")
                cur.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN CREATEDB")
                cur.execute(f"CREATE ROLE {PORTAL_ROLE} LOGIN")
                cur.execute(f"CREATE DATABASE {DATABASE} OWNER {OWNER_ROLE}")
        finally:
            conn.close()
        run(
            [
                "pg_basebackup",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.primary.port),
                "-U",
                REPLICATION_ROLE,
                "-D",
                str(self.standby.data),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        )
        # The copy carries the primary's settings; the standby's own port comes last and wins.
        self.standby.configure()
        self.pids.append(self.standby.start())
        assert self.standby.scalar("SELECT pg_is_in_recovery()")

    def stop(self) -> None:
        for server in (self.standby, self.primary):
            server.stop()
        # pg_ctl returns once postmaster.pid is gone; the process itself exits a moment later.
        deadline = time.monotonic() + 30
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- replication ---------------------------------------------------------------------------------------------
    def pause_replay(self) -> None:
        self.standby.scalar("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + 10
        while self.standby.scalar("SELECT pg_get_wal_replay_pause_state()") != "paused":
            if time.monotonic() > deadline:
                raise RuntimeError("The standby did not pause its replay.")
            time.sleep(0.01)

    def resume_replay(self) -> None:
        self.standby.scalar("SELECT pg_wal_replay_resume()")

    def wait_caught_up(self, timeout: float = 30) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        target = self.primary.scalar("SELECT pg_current_wal_insert_lsn()::text")
        deadline = time.monotonic() + timeout
        while not self.standby.scalar("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"The standby did not catch up with {target}.\n{self.standby.log_tail()}")
            time.sleep(0.02)

    def processes(self) -> list[int]:
        """The pids of this cluster's postmasters that are still alive (none after `stop()`)."""
        alive = []
        for pid in self.pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (FileNotFoundError, IndexError):
                continue
            if state != "Z":  # a zombie has exited; only its parent's reaping is left
                alive.append(pid)
        return alive
