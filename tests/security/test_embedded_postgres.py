"""The embedded PostgreSQL starts from any state a stop can leave behind (scratch data directory, real server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from partnerportal.infrastructure.db import BASE_DIR, LEGACY_PID_LIST, EmbeddedServer

QUERY = "from django.db import connection; c = connection.cursor(); c.execute('SELECT 40 + 2'); print(c.fetchone()[0])"


@pytest.fixture(scope="module")
def pgdata(tmp_path_factory):
    path = tmp_path_factory.mktemp("embedded") / "pgdata"
    yield path
    EmbeddedServer(path).stop()


def _env(pgdata) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="partnerportal.settings.test", PORTAL_EMBEDDED_PGDATA=str(pgdata))
    return env


def _manage(pgdata, code: str = QUERY) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 -- this interpreter running manage.py
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=BASE_DIR,
        env=_env(pgdata),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _query(pgdata) -> None:
    process = _manage(pgdata)
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, output
    assert output.strip().splitlines()[-1] == "42"


def _stopped(pgdata) -> EmbeddedServer:
    server = EmbeddedServer(pgdata)
    server.stop()
    assert not server.is_running()
    return server


def test_first_start_after_an_interrupted_initialisation(pgdata):
    # What a Ctrl-C during the very first start leaves: an empty data directory and initdb's scratch directory.
    pgdata.mkdir()
    (pgdata.parent / f"{pgdata.name}.init-999999").mkdir()
    _query(pgdata)
    assert (pgdata / "PG_VERSION").exists()
    assert not list(pgdata.parent.glob(f"{pgdata.name}.init-*"))


@pytest.mark.parametrize("content", ["", "[12, 3", "\x00\x00", "{}"], ids=["empty", "truncated", "nul", "object"])
def test_start_with_a_broken_pid_list_of_the_old_package(pgdata, content):
    _stopped(pgdata)
    (pgdata / LEGACY_PID_LIST).write_text(content)
    _query(pgdata)
    # And with the server running.
    (pgdata / LEGACY_PID_LIST).write_text(content)
    _query(pgdata)
    assert not (pgdata / LEGACY_PID_LIST).exists()


def test_start_after_the_server_was_killed(pgdata):
    # SIGKILL leaves postmaster.pid behind with a dead pid (a stale lock file).
    _query(pgdata)
    server = EmbeddedServer(pgdata)
    pid = server.postmaster()["pid"]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (pgdata / "postmaster.pid").exists()
    _query(pgdata)
    assert server.postmaster()["pid"] != pid


def test_start_with_a_postmaster_pid_naming_an_unrelated_live_process(pgdata):
    server = _stopped(pgdata)
    _query(pgdata)
    stale = (pgdata / "postmaster.pid").read_text().splitlines()
    server.stop()
    unrelated = subprocess.Popen(["sleep", "120"])  # noqa: S607 -- any live process will do
    try:
        stale[0] = str(unrelated.pid)
        (pgdata / "postmaster.pid").write_text("\n".join(stale) + "\n")
        _query(pgdata)
        assert server.postmaster()["pid"] != unrelated.pid
    finally:
        unrelated.kill()
        unrelated.wait()


def test_concurrent_starts_of_a_stopped_server_all_succeed(pgdata):
    # `make run` starts the worker, runserver and its autoreloader at once.
    _stopped(pgdata)
    processes = [_manage(pgdata) for _ in range(4)]
    for process in processes:
        output, _ = process.communicate(timeout=180)
        assert process.returncode == 0, output
        assert output.strip().splitlines()[-1] == "42"


def test_start_after_every_client_was_stopped_at_once(pgdata):
    # SIGTERM to several connected processes at the same moment (stopping `make run`) and a SIGKILLed one.
    code = QUERY + "; import sys, time; sys.stdout.flush(); time.sleep(120)"
    clients = [_manage(pgdata, code) for _ in range(4)]
    for client in clients:
        assert client.stdout.readline().strip() == "42"
    for client in clients[:3]:
        client.send_signal(signal.SIGTERM)
    clients[3].kill()
    for client in clients:
        client.wait(timeout=30)
    _query(pgdata)
    assert not (pgdata / LEGACY_PID_LIST).exists()
    json.dumps(EmbeddedServer(pgdata).postmaster())  # readable, a live server's
