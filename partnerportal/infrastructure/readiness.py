"""Readiness: whether this node should be sent traffic — the database answers, every migration is applied, and a task
worker has been seen recently (otherwise emails and webhooks would pile up unsent). Reads only; no session."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from partnerportal.infrastructure.heartbeat import heartbeat_age, heartbeat_max_age
from partnerportal.models import WorkerHeartbeat

# Once every migration was found applied, this process does not look again: migrations are applied before new code
# starts, and a process never sees them un-applied afterwards (loading the migration graph takes tens of ms).
_all_migrations_applied = False


def migrations_pending() -> bool:
    """True while the database lacks a migration this code has (the answer is kept once it is False)."""
    global _all_migrations_applied
    if _all_migrations_applied:
        return False
    executor = MigrationExecutor(connection)
    pending = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if not pending:
        _all_migrations_applied = True
    return pending


def readiness_forget() -> None:
    """Forget the kept "all migrations applied" answer (tests that un-apply a migration)."""
    global _all_migrations_applied
    _all_migrations_applied = False


def readiness_report() -> tuple[bool, dict[str, Any]]:
    """(ready, body): each check "ok" or what is wrong with it, and the failing ones named in `failing`."""
    checks: dict[str, str] = {}
    body: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
        checks["migrations"] = "pending" if migrations_pending() else "ok"
        age = heartbeat_age(kind=WorkerHeartbeat.Kind.TASKS)
        body["worker_heartbeat_age_seconds"] = None if age is None else round(age, 1)
        if age is None:
            checks["worker"] = "never seen"
        elif age > heartbeat_max_age():
            checks["worker"] = "stale"
        else:
            checks["worker"] = "ok"
    except DatabaseError:
        checks.setdefault("database", "down")
        checks.setdefault("migrations", "unknown")
        checks.setdefault("worker", "unknown")
    failing = [name for name, state in checks.items() if state != "ok"]
    ready = not failing
    return ready, {"status": "ok" if ready else "unavailable", "checks": checks, "failing": failing, **body}
