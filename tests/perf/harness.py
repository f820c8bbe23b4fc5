"""Benchmark machinery: fresh databases, interleaved in-process timing, export memory, EXPLAIN, gunicorn + wrk."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from django.conf import settings
from django.db import connection, connections
from django.template import Template
from django.test.utils import CaptureQueriesContext

from partnerportal.infrastructure.dbroles import connected_as_owner

BASE_DIR = Path(settings.BASE_DIR)


@dataclass
class Timing:
    """Server times (ms) of one URL over the timed requests, and its queries per request."""

    url: str
    times: list[float] = field(default_factory=list)
    sql_times: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0

    @property
    def sql_median(self) -> float:
        """Median time spent inside cursor.execute() per request (database work plus round trips)."""
        return statistics.median(self.sql_times) if self.sql_times else float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def p95(self) -> float:
        if len(self.times) < 2:
            return self.median
        return statistics.quantiles(self.times, n=20, method="inclusive")[18]


@contextlib.contextmanager
def plain_templates():
    """Render templates without the test environment's per-render signal (it is not part of serving a page)."""
    from django.test.utils import _TestState

    saved = getattr(_TestState, "saved_data", None)
    current = Template._render
    if saved is not None:
        Template._render = saved.template_render
    try:
        yield
    finally:
        Template._render = current


def _consume(response) -> int:
    """Read the whole body (streamed or not); return its size in bytes."""
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size
    return len(response.content)


@dataclass
class Target:
    """One contender's request: which database it reads, which signed-in client, which URL."""

    database: object  # a DatabaseWrapper (see `Databases`)
    client: object
    url: str
    # Fewer requests than the run's for this target (a contender that takes seconds per request at 1,000,000
    # customers); None: the run's warm-up and repeat.
    repeat: int | None = None
    warmup: int | None = None


def queries_of(target: Target, *, captures: int = 3) -> tuple[int, int, list[str]]:
    """(status, number of queries, their SQL) of the page's steady state: the fewest of `captures` requests.

    A signed-in session's last-seen time is rewritten at most once a minute (`LAST_SEEN_RESOLUTION`), and the one
    request that does it runs more queries (the session row's save); counting a single request
    would charge that minute's write to whichever page it happened to land on.
    """
    use(target.database)
    fewest: tuple[int, int, list[str]] | None = None
    for _ in range(captures):
        with CaptureQueriesContext(connection) as ctx:
            response = target.client.get(target.url)
            _consume(response)
        found = (response.status_code, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries])
        if fewest is None or found[1] < fewest[1]:
            fewest = found
    assert fewest is not None
    return fewest


def measure_interleaved(targets: dict, *, repeat: int, warmup: int = 5) -> dict[object, Timing]:
    """Time each target `repeat` times after `warmup` requests, taking turns (across contenders and database
    sizes), so a burst of load from elsewhere on the machine hits every contender alike and ratios stay fair."""
    timings = {}
    with plain_templates():
        for i in range(warmup):
            for target in targets.values():
                if i >= (warmup if target.warmup is None else target.warmup):
                    continue
                use(target.database)
                _consume(target.client.get(target.url))
    # Counted after the warm-up, as every later request runs them (a process's first request also fills its
    # caches, e.g. the permission keys, which no later request asks the database for again).
    for name, target in targets.items():
        status, count, _sql = queries_of(target)
        timings[name] = Timing(url=target.url, queries=count, status=status)
    with plain_templates():
        for i in range(repeat):
            for name, target in targets.items():
                if i >= (repeat if target.repeat is None else target.repeat):
                    continue
                use(target.database)
                sql = SqlTimer()
                with connection.execute_wrapper(sql):
                    started = time.perf_counter()
                    _consume(target.client.get(target.url))
                    timings[name].times.append((time.perf_counter() - started) * 1000)
                timings[name].sql_times.append(sql.seconds * 1000)
    return timings


class SqlTimer:
    """A database execute wrapper that adds up the time spent inside cursor.execute()."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


@dataclass
class ExportFigures:
    """A full CSV export: rows, median seconds, rows/s, memory growth (traced Python peak; process peak RSS)."""

    rows: int
    seconds: float
    peak_mb: float
    rss_growth_mb: float
    queries: int
    status: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("nan")


def measure_export(target: Target, *, repeat: int) -> ExportFigures:
    """Time the whole streamed export; then one more run under tracemalloc for the peak memory growth."""
    status, count, _sql = queries_of(target)
    client, url = target.client, target.url
    times, rows = [], 0
    with plain_templates():
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1 if response.streaming else 0
            response.close()
            times.append(time.perf_counter() - started)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            _consume(client.get(url))
            peak = tracemalloc.get_traced_memory()[1] - baseline
        finally:
            tracemalloc.stop()
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    return ExportFigures(rows, statistics.median(times), peak / 2**20, rss_growth / 1024, count, status)


def explain(sql: str) -> str:
    """EXPLAIN ANALYZE of one captured query (already interpolated by the driver)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def main_query(sql_list: list[str]) -> str | None:
    """The page's row query: the one that reads customers with the page's LIMIT."""
    for sql in sql_list:
        if sql.startswith("SELECT") and 'FROM "customers_customer"' in sql and "LIMIT" in sql:
            return sql
    return None


# --- fresh databases ------------------------------------------------------------------------------------------


def _admin_connection():
    """The server's maintenance database as the tables' owner, who may create databases (the portal's role may not)."""
    with connected_as_owner():
        params = connection.get_connection_params()
    params["dbname"] = "postgres"
    conn = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    conn.autocommit = True
    return conn


def use(database) -> None:
    """Point Django's default connection at one benchmark database (each keeps its own open connection)."""
    connections["default"] = database


class Databases:
    """Fresh databases copied from the migrated, empty test database; dropped again on close.

    Each gets its own DatabaseWrapper with a persistent connection, so the benchmark can switch between the
    sizes between two requests at no cost and interleave their measurements.

    With `reuse` (BENCH_REUSE=1) a database stays after the run, marked with the size it was seeded with, and the
    next run takes it as it is (after `migrate`, for migrations added since) instead of copying and seeding again.
    """

    def __init__(self, *, reuse: bool = False):
        self.original = connections["default"]
        self.template = self.original.settings_dict["NAME"]
        self.reuse = reuse
        self.created: list = []

    def _wrapper(self, name: str):
        backend = type(self.original)
        database = backend({**self.original.settings_dict, "NAME": name}, alias="default")
        self.created.append(database)
        return database

    def seeded(self, name: str) -> int | None:
        """The size a kept database was seeded with (its comment, see `mark_seeded`), or None."""
        with contextlib.closing(_admin_connection()) as admin, admin.cursor() as cursor:
            cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
            row = cursor.fetchone()
        match = re.fullmatch(r"bench seeded (\d+)", (row[0] or "") if row else "")
        return int(match.group(1)) if match else None

    def mark_seeded(self, name: str, n: int) -> None:
        with contextlib.closing(_admin_connection()) as admin, admin.cursor() as cursor:
            cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS 'bench seeded {int(n)}'")

    def reuse_existing(self, name: str):
        """The kept database `name`, migrated to the current code."""
        database = self._wrapper(name)
        use(database)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        return database

    def create(self, name: str):
        # CREATE DATABASE … TEMPLATE needs the template to have no open connections.
        self.original.close()
        connections.close_all()
        with contextlib.closing(_admin_connection()) as admin, admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._wrapper(name)

    def close(self) -> None:
        for database in self.created:
            database.close()
        connections["default"] = self.original
        if self.reuse:
            return
        with contextlib.closing(_admin_connection()) as admin, admin.cursor() as cursor:
            for database in self.created:
                cursor.execute(f'DROP DATABASE IF EXISTS "{database.settings_dict["NAME"]}"')


def database_url() -> str:
    """A URL for the database Django is connected to (for the gunicorn workers)."""
    if os.environ.get("DATABASE_URL"):
        base = os.environ["DATABASE_URL"]
    else:
        from partnerportal.infrastructure.db import embedded_database_url

        base = embedded_database_url()
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


# --- HTTP throughput ------------------------------------------------------------------------------------------


@dataclass
class WrkFigures:
    """What wrk reports for one URL."""

    requests_per_second: float
    latency: dict[str, str]
    non_2xx: int
    raw: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, workers: int = 2):
    """gunicorn serving the benchmark urlconf from the current database on a free local port; yields the base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.perf.settings_bench",
        "DATABASE_URL": database_url(),
        "PYTHONWARNINGS": "ignore",
    }
    binary = Path(sys.executable).with_name("gunicorn")
    command = [str(binary), "partnerportal.wsgi:application", f"--workers={workers}", f"--bind=127.0.0.1:{port}"]
    # The log goes to a file, not a pipe: a full pipe would block the workers.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603 -- fixed arguments: our own gunicorn binary and options
            [*command, "--log-level=warning"], cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(base + "/bench/constant/", timeout=2) as answer:  # noqa: S310 -- local URL
                        if answer.status == 200:
                            break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError("gunicorn did not start: " + log.read().decode()[-2000:]) from None
                    time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(url: str, *, seconds: int, cookie: str = "", threads: int = 2, connections_: int = 8) -> WrkFigures:
    """Run wrk against one URL; parse requests/s, latency percentiles and non-2xx answers."""
    command = [shutil.which("wrk"), f"-t{threads}", f"-c{connections_}", f"-d{seconds}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603 -- wrk
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, flags=re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkFigures(rps, latency, int(non_2xx.group(1)) if non_2xx else 0, out)
