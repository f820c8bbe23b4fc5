"""Periodic jobs: a registry (`schedule_register`) and a runner (`schedule_run_due`, driven by `manage.py scheduler`).

Time is cut into periods of each job's `every` (aligned on the Unix epoch). Running a job for a period starts by
claiming it: one INSERT of the unique (job, period) row, so of several runners on several nodes the database lets
exactly one through. A runner that dies mid-run leaves its claim unfinished; after `LEASE` another runner takes it
over (one conditional UPDATE, again a single winner) and runs the job again, which is why every job must be
idempotent (the expiry sweep is: each notice has its own claim). The next period's run catches up in any case.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from partnerportal.models import ScheduledRun

logger = logging.getLogger(__name__)

# How long a claimed run may stay unfinished before another runner assumes its runner died and runs it again.
LEASE = timedelta(minutes=10)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    func: Callable[..., object]  # called as func(now=<datetime>)


_REGISTRY: dict[str, Job] = {}


def schedule_register(name: str, *, every: timedelta, func: Callable[..., object]) -> Job:
    """Declare a periodic job (from an app's `ready`); registering the same name again replaces it."""
    if every <= timedelta(0):
        raise ValueError("A job's period must be positive.")
    job = Job(name=name, every=every, func=func)
    _REGISTRY[name] = job
    return job


def schedule_jobs() -> list[Job]:
    """The registered jobs, by name."""
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def period_start(every: timedelta, now: datetime) -> datetime:
    """The start of the period of length `every` that contains `now`."""
    periods = (now - _EPOCH) // every
    return _EPOCH + periods * every


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _claim(job: Job, start: datetime, *, now: datetime, lease: timedelta) -> bool:
    """Claim (job, period) for this runner: True when this runner is the one to run it.

    ON CONFLICT DO NOTHING rather than an INSERT that fails: every runner but one finds the period claimed on every
    look, and a unique violation each time would fill the server's log with errors (three jobs × every runner ×
    every minute)."""
    table = ScheduledRun._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (job, period_start, claimed_at, finished_at, runner, outcome)"  # noqa: S608 -- table name is a constant
            " VALUES (%s, %s, %s, NULL, %s, '') ON CONFLICT (job, period_start) DO NOTHING RETURNING id",
            [job.name, start, now, runner_name()],
        )
        if cursor.fetchone() is not None:
            return True
    # Claimed already: take it over only when that run never finished and its lease ran out.
    taken = ScheduledRun.objects.filter(
        job=job.name, period_start=start, finished_at__isnull=True, claimed_at__lte=now - lease
    ).update(claimed_at=now, runner=runner_name())
    return taken == 1


def schedule_run_due(*, now: datetime | None = None, lease: timedelta = LEASE) -> dict[str, str]:
    """Run, once, every job whose current period no runner has claimed; return {job name: outcome}.

    A job that raises is logged and its claim left unfinished, so it is retried after the lease; the other jobs
    still run.
    """
    now = now or timezone.now()
    outcomes: dict[str, str] = {}
    for job in schedule_jobs():
        start = period_start(job.every, now)
        if not _claim(job, start, now=now, lease=lease):
            outcomes[job.name] = "claimed-elsewhere"
            continue
        try:
            result = job.func(now=now)
        except Exception:
            logger.exception("Scheduled job %s failed for the period starting %s", job.name, start)
            outcomes[job.name] = "failed"
            continue
        outcome = str(result if result is not None else "done")[:200]
        ScheduledRun.objects.filter(job=job.name, period_start=start).update(
            finished_at=timezone.now(), outcome=outcome
        )
        outcomes[job.name] = outcome
    return outcomes
