"""A small production deployment on loopback: Debian's PostgreSQL, gunicorn web nodes, task workers, schedulers.

Everything runs as in docs/deploy.md — `partnerportal.settings.production`, the owner and portal roles with
passwords over TCP, `manage.py migrate` as the owner (the release step), each process with the environment a real
node gets and no other — except that the "reverse proxy" is the test's HTTP client, which sends
`X-Forwarded-Proto: https` and `X-Forwarded-For` as a TLS-terminating proxy on the node would
(`PORTAL_TRUSTED_PROXIES=127.0.0.1/32`; gunicorn trusts forwarded headers from 127.0.0.1 by default).

Every process is started in a session of its own and stopped by its process group; `Cluster.stop` is idempotent,
registered with `atexit` and called by the fixture's finalizer, and SIGTERM to the test process ends it through
the same path, so a failure, Ctrl-C or a CI timeout leaves no postgres, gunicorn or worker behind.
"""

from __future__ import annotations

import asyncio
import atexit
import email
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg2
from aiosmtpd.controller import Controller

from partnerportal.infrastructure.db import prepare_for_system_user, run_binary, system_user_ids
from tests.smtp import body_of, free_port

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
MANAGE = str(BASE_DIR / "manage.py")
# The public name behind the load balancer: every node answers to it, every emailed link starts with it.
PUBLIC_HOST = "portal.test"
PUBLIC_URL = f"https://{PUBLIC_HOST}"
DATABASE = "partnerportal"
OWNER_ROLE = "portal_owner"
PORTAL_ROLE = "portal_app"
START_TIMEOUT = 90.0


def postgres_bin_dir() -> Path:
    """The newest Debian PostgreSQL server's binaries (`/usr/lib/postgresql/<major>/bin`)."""
    found = sorted(
        (path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/postgres")),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError("Debian's PostgreSQL server is not installed (apt-get install postgresql).")
    return found[-1]


def as_root() -> bool:
    return os.geteuid() == 0


# --- PostgreSQL --------------------------------------------------------------------------------------------------


class Postgres:
    """A PostgreSQL server of its own: data in a temporary directory, TCP on 127.0.0.1, scram passwords."""

    def __init__(self, root: Path) -> None:
        self.bin = postgres_bin_dir()
        self.root = root
        self.pgdata = root / "pgdata"
        self.socket_dir = root / "socket"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.passwords = {OWNER_ROLE: secrets.token_urlsafe(16), PORTAL_ROLE: secrets.token_urlsafe(16)}
        self.started = False

    def _run(self, *args: str, timeout: float = 120) -> None:
        result = run_binary(list(args), binaries=self.bin, check=False, timeout=timeout)
        with open(self.root / "pg_ctl.out", "a") as out:
            out.write(result.stdout)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed:\n{(self.root / 'pg_ctl.out').read_text()}\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def start(self) -> None:
        for path in (self.pgdata, self.socket_dir):
            path.mkdir(mode=0o700)
        if as_root():
            # initdb and postgres refuse root: they run as the same system user the embedded server uses.
            prepare_for_system_user(self.pgdata, binaries=self.bin)
            uid, gid = system_user_ids()
            for path in (self.pgdata, self.socket_dir):
                os.chown(path, uid, gid)
            self.log.touch()
            os.chown(self.log, uid, gid)
        self._run(
            "initdb",
            "-D",
            str(self.pgdata),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        # Durability is not under test (no server crash is simulated): fsync off spares the shared disk.
        options = f"-h 127.0.0.1 -p {self.port} -k {self.socket_dir} -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "start", "-D", str(self.pgdata), "-w", "-t", "60", "-l", str(self.log), "-o", options)
        self.started = True
        # What an operator does once, as a superuser (docs/deploy.md, section 3).
        with closing(self.connect()) as conn, conn.cursor() as cur:
            for role in (OWNER_ROLE, PORTAL_ROLE):
                cur.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", [self.passwords[role]])
            cur.execute(f"CREATE DATABASE {DATABASE} OWNER {OWNER_ROLE}")

    def connect(self, database: str = "postgres") -> psycopg2.extensions.connection:
        """A superuser connection over the server's Unix socket (for the test's own checks)."""
        conn = psycopg2.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname=database)
        conn.autocommit = True
        return conn

    def url(self, role: str) -> str:
        return f"postgresql://{role}:{self.passwords[role]}@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        try:
            self._run("pg_ctl", "stop", "-D", str(self.pgdata), "-m", "immediate", "-w", "-t", "30", timeout=60)
        except (RuntimeError, subprocess.TimeoutExpired):
            pid_file = self.pgdata / "postmaster.pid"
            if pid_file.exists():
                with suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)


# --- SMTP: one server, one port per worker node, with gates that hold one session at a chosen step ---------------


@dataclass
class Received:
    port: int
    recipients: list[str]
    message: Message

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Gate:
    """Hold the session on `port` that reaches `step` (RCPT or QUIT) for a recipient `matches` accepts, after
    letting `skip` such sessions through."""

    step: str
    port: int
    matches: Callable[[str], bool]
    skip: int = 0
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    recipient: str = ""


class _Handler:
    def __init__(self, sink: SMTPSink, port: int) -> None:
        self.sink = sink
        self.port = port

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # the name aiosmtpd calls
        await self.sink.wait_at_gate("RCPT", self.port, address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        session.delivered_to = list(envelope.rcpt_tos)
        with self.sink.lock:
            self.sink.messages.append(Received(self.port, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        for recipient in getattr(session, "delivered_to", []):
            await self.sink.wait_at_gate("QUIT", self.port, recipient)
        return "221 Bye"


class SMTPSink:
    """A real SMTP server (aiosmtpd) in the test process, listening on one port per worker node; every message it
    accepts is recorded once, with the port it came in on (so: which worker node sent it)."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self._controllers: dict[int, Controller] = {}
        self._gates: list[Gate] = []

    def add_port(self) -> int:
        port = free_port()
        controller = Controller(_Handler(self, port), hostname="127.0.0.1", port=port)
        controller.start()
        self._controllers[port] = controller
        return port

    def gate(self, step: str, port: int, matches: Callable[[str], bool], *, skip: int = 0) -> Gate:
        gate = Gate(step, port, matches, skip)
        with self.lock:
            self._gates.append(gate)
        return gate

    async def wait_at_gate(self, step: str, port: int, recipient: str) -> None:
        with self.lock:
            gate = next(
                (
                    g
                    for g in self._gates
                    if g.step == step and g.port == port and not g.held.is_set() and g.matches(recipient)
                ),
                None,
            )
            if gate is not None and gate.skip > 0:
                gate.skip -= 1
                gate = None
            elif gate is not None:
                gate.recipient = recipient
                gate.held.set()
        if gate is not None:
            while not gate.released.is_set():
                await asyncio.sleep(0.01)

    def received(self, matches: Callable[[str], bool] = lambda address: True) -> list[Received]:
        with self.lock:
            return [r for r in self.messages if any(matches(address) for address in r.recipients)]

    def stop(self) -> None:
        for gate in self._gates:
            gate.released.set()
        for controller in self._controllers.values():
            with suppress(RuntimeError, AssertionError):
                controller.stop()
        self._controllers.clear()


LINK = re.compile(r"https://portal\.test(/\S+)")


def link_path_in(message: Message) -> str:
    """The path of the first portal link in a message's body."""
    match = LINK.search(body_of(message))
    assert match, f"a link to {PUBLIC_URL} in the message: {body_of(message)!r}"
    return match.group(1)


# --- HTTP: the reverse proxy's side of a browser --------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """Cookies and CSRF as a browser keeps them, sent to whichever node is asked, through a "proxy" that says the
    request came over HTTPS from `client_address`. (The cookies are `Secure`: a stock client would refuse to send
    them over the loopback's plain HTTP, which here stands for the proxy-to-node hop.)"""

    def __init__(self, client_address: str = "198.51.100.7") -> None:
        self.cookies: dict[str, str] = {}
        self.client_address = client_address

    def request(
        self,
        node: WebNode,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        *,
        client_address: str | None = None,
    ) -> Response:
        headers = {
            "Host": PUBLIC_HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": client_address or self.client_address,
            "User-Agent": "multinode-test",
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = PUBLIC_URL
            headers["Referer"] = PUBLIC_URL + path
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", node.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text)

    def get(self, node: WebNode, path: str, **kwargs) -> Response:
        return self.request(node, "GET", path, **kwargs)

    def csrf_token(self, node: WebNode, path: str) -> str:
        page = self.get(node, path)
        assert page.status == 200, (path, page.status, page.location)
        match = CSRF_INPUT.search(page.text)
        assert match, f"a CSRF token on {path}"
        return match.group(1)

    def submit(self, node: WebNode, path: str, form: dict[str, str], *, token: str | None = None, **kwargs):
        """POST a form as the browser would after loading `path` (its CSRF token, from that page unless given)."""
        token = token or self.csrf_token(node, path)
        return self.request(node, "POST", path, {"csrfmiddlewaretoken": token, **form}, **kwargs)


# --- Processes -----------------------------------------------------------------------------------------------


class Process:
    """One node process in its own session (so its process group is exactly it and its children)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> Process:
        self.starts += 1
        with open(self.log, "a") as out:
            out.write(f"--- start {self.starts}: {' '.join(self.args)}\n")
            out.flush()
            self.popen = subprocess.Popen(  # noqa: S603 -- the project's own commands
                self.args,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.popen is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole process group, at once: no handler, no cleanup, no goodbye to PostgreSQL."""
        self.signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=30)

    def stop(self, grace: float = 10.0) -> None:
        if not self.alive:
            self.signal(signal.SIGKILL)  # children a dead leader may have left in its group
            return
        self.signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=grace)
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class WebNode:
    name: str
    port: int
    process: Process


@dataclass
class WorkerNode:
    name: str
    smtp_port: int
    env: dict[str, str]
    worker: Process
    scheduler: Process


class Cluster:
    """PostgreSQL, two web nodes and two worker nodes (a task worker and a scheduler each), as docs/deploy.md has
    them; `start()` brings everything up (the release step included), `stop()` takes everything down."""

    def __init__(self, *, web_nodes: int = 2, worker_nodes: int = 2) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="portal-cluster-"))
        self.root.chmod(0o755)  # the server's system user reaches its data directory through it
        self.logs = self.root / "logs"
        self.logs.mkdir()
        self.postgres = Postgres(self.root)
        self.smtp = SMTPSink()
        self.secret_key = secrets.token_urlsafe(64)
        self.web: list[WebNode] = []
        self.workers: list[WorkerNode] = []
        self._web_count = web_nodes
        self._worker_count = worker_nodes
        self._stopped = False
        self.timings: dict[str, float] = {}

    # --- environment ---
    def node_env(self, *, smtp_port: int, **extra: str) -> dict[str, str]:
        """The environment of a production process (docs/deploy.md, section 4) — and nothing from the test's."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "DJANGO_SETTINGS_MODULE": "partnerportal.settings.production",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": PUBLIC_HOST,
            "DATABASE_URL": self.postgres.url(PORTAL_ROLE),
            "PORTAL_BASE_URL": PUBLIC_URL,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "PORTAL_TRUSTED_PROXIES": "127.0.0.1/32",
            # Staff sign in with a password alone here (the test has no authenticator app); a documented switch.
            "PORTAL_REQUIRE_MFA": "0",
            "PORTAL_EMAIL_RETRY_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
        }
        env.update(extra)
        return env

    def manage(self, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
        """Run one `manage.py` command with a node's environment (the first worker node's unless given)."""
        result = subprocess.run(  # noqa: S603 -- the project's own commands
            [PYTHON, MANAGE, *args],
            cwd=BASE_DIR,
            env=env or self.workers[0].env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    # --- life cycle ---
    def start(self) -> Cluster:
        atexit.register(self.stop)
        began = time.monotonic()
        self.postgres.start()
        self.timings["postgres"] = time.monotonic() - began
        smtp_ports = [self.smtp.add_port() for _ in range(self._worker_count)]
        release_env = self.node_env(smtp_port=smtp_ports[0], DATABASE_OWNER_URL=self.postgres.url(OWNER_ROLE))
        mark = time.monotonic()
        # Installing a node (static files for whitenoise's manifest, in staticfiles/, ignored by git) beside the
        # release step (migrate as the owner, which then grants the portal role its privileges).
        failures: list[BaseException] = []

        def _collectstatic() -> None:
            try:
                self.manage("collectstatic", "--noinput", "-v", "0", env=release_env)
            except BaseException as exc:  # noqa: BLE001 -- raised below, in the caller's thread
                failures.append(exc)

        collectstatic = threading.Thread(target=_collectstatic)
        collectstatic.start()
        try:
            self.manage("migrate", "--noinput", "-v", "0", env=release_env)
        finally:
            collectstatic.join()
        if failures:
            raise failures[0]
        self.timings["migrate+collectstatic"] = time.monotonic() - mark
        mark = time.monotonic()
        for index in range(self._worker_count):
            name = f"worker{index + 1}"
            env = self.node_env(smtp_port=smtp_ports[index])
            worker = Process(
                f"{name}-db_worker",
                [PYTHON, MANAGE, "db_worker", "--queue-name", "*", "--no-reload", "-v", "1", "--interval", "0.5"],
                env,
                self.logs,
            )
            scheduler = Process(
                f"{name}-scheduler", [PYTHON, MANAGE, "scheduler", "-v", "1", "--interval", "1"], env, self.logs
            )
            self.workers.append(WorkerNode(name, smtp_ports[index], env, worker, scheduler))
        for node in self.workers:
            node.worker.start()
            node.scheduler.start()
        for index in range(self._web_count):
            name = "ABCDEFGH"[index]
            port = free_port()
            metrics_dir = self.root / f"metrics-{name}"
            metrics_dir.mkdir()
            env = self.node_env(smtp_port=smtp_ports[0], PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
            process = Process(
                f"web{name}-gunicorn",
                [
                    GUNICORN,
                    "partnerportal.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "10",
                    "--forwarded-allow-ips",
                    "127.0.0.1",
                ],
                env,
                self.logs,
            )
            self.web.append(WebNode(name, port, process.start()))
        for node in self.web:
            self.wait_until(lambda node=node: self._healthy(node), f"web node {node.name} answers /healthz")
        self.timings["processes"] = time.monotonic() - mark
        self.timings["start"] = time.monotonic() - began
        return self

    def _healthy(self, node: WebNode) -> bool:
        if not node.process.alive:
            raise RuntimeError(f"web node {node.name} exited:\n{node.process.output()[-3000:]}")
        try:
            return Browser().get(node, "/healthz").status == 200
        except OSError:
            return False

    def wait_until(self, condition: Callable[[], object], what: str, timeout: float = START_TIMEOUT) -> object:
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting until {what}\n{self.diagnostics()}")
            time.sleep(0.1)

    def restart_worker(self, node: WorkerNode) -> None:
        """What systemd does after the worker died (docs/deploy.md, the worker unit): requeue, then start again."""
        self.manage("email_requeue", "-v", "0", env=node.env)
        node.worker.start()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        processes = [node.process for node in self.web] + [p for n in self.workers for p in (n.worker, n.scheduler)]
        for process in processes:
            process.signal(signal.SIGTERM)
        for process in processes:
            process.stop(grace=5)
        self.smtp.stop()
        self.postgres.stop()
        if os.environ.get("PORTAL_KEEP_CLUSTER_LOGS"):
            sys.stderr.write(f"cluster logs kept in {self.root}\n")
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    # --- the database, as the test sees it ---
    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with closing(self.postgres.connect(DATABASE)) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description is not None else []

    def diagnostics(self) -> str:
        parts = []
        for process in [node.process for node in self.web] + [p for n in self.workers for p in (n.worker, n.scheduler)]:
            parts.append(f"== {process.name} (alive={process.alive})\n{process.output()[-2000:]}")
        return "\n".join(parts)


@dataclass
class Staff:
    email: str
    password: str


def staff_sign_up(cluster: Cluster, *, name: str, partner_id: str, email: str) -> Staff:
    """A partner and its global admin as an operator makes them (`manage.py create_partner`), the welcome email
    delivered by a worker, and the password chosen through its link on the first web node."""
    cluster.manage(
        "create_partner",
        "--name",
        name,
        "--partner-id",
        partner_id,
        "--type",
        "direct_bill",
        "--market",
        "US",
        "--admin-email",
        email,
    )
    received = cluster.wait_until(
        lambda: cluster.smtp.received(lambda address: address == email), f"the welcome email reaches {email}"
    )
    path = link_path_in(received[0].message)
    password = "Multi-node " + secrets.token_urlsafe(12)
    browser = Browser()
    answer = browser.submit(cluster.web[0], path, {"new_password1": password, "new_password2": password})
    assert answer.status == 302, (answer.status, answer.text[:2000])
    return Staff(email, password)


def sign_in(browser: Browser, node: WebNode, staff: Staff, **kwargs) -> Response:
    return browser.submit(node, "/accounts/login/", {"username": staff.email, "password": staff.password}, **kwargs)


def cluster_session() -> Iterator[Cluster]:
    """Start a cluster and stop it however the caller ends (SIGTERM included: it raises SystemExit here)."""
    cluster = Cluster()
    previous = signal.getsignal(signal.SIGTERM)

    def _terminate(signum, frame):
        cluster.stop()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        signal.signal(signal.SIGTERM, previous)
