"""The periodic-job runner: each job runs once per period however many runners look at once, a run that never
finished is taken over after its lease, a failing job does not stop the others, and `manage.py scheduler --once`."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from partnerportal.infrastructure import schedule
from partnerportal.infrastructure.schedule import period_start, schedule_register, schedule_run_due
from partnerportal.models import ScheduledRun

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def jobs(monkeypatch):
    """Only the test's jobs are registered (the real ones are put back afterwards)."""
    monkeypatch.setattr(schedule, "_REGISTRY", {})
    calls: list[tuple[str, datetime]] = []
    lock = threading.Lock()

    def recorder(name: str):
        def run(*, now: datetime) -> str:
            with lock:
                calls.append((name, now))
            return "ran"

        return run

    return calls, recorder


def test_periods_are_aligned_and_positive():
    every = timedelta(minutes=5)
    assert period_start(every, T0 + timedelta(minutes=7, seconds=3)) == T0 + timedelta(minutes=5)
    with pytest.raises(ValueError):
        schedule_register("never", every=timedelta(0), func=lambda *, now: None)


def test_a_job_runs_once_per_period(db, jobs):
    calls, recorder = jobs
    schedule_register("tick", every=timedelta(minutes=5), func=recorder("tick"))
    assert schedule_run_due(now=T0) == {"tick": "ran"}
    assert schedule_run_due(now=T0 + timedelta(minutes=4)) == {"tick": "claimed-elsewhere"}
    assert schedule_run_due(now=T0 + timedelta(minutes=5)) == {"tick": "ran"}
    assert [now for _name, now in calls] == [T0, T0 + timedelta(minutes=5)]
    run = ScheduledRun.objects.get(job="tick", period_start=T0)
    assert run.finished_at is not None and run.outcome == "ran"


def test_a_run_that_never_finished_is_taken_over_after_its_lease(db, jobs):
    calls, recorder = jobs
    schedule_register("tick", every=timedelta(hours=1), func=recorder("tick"))
    # A runner claimed the period and died before finishing.
    ScheduledRun.objects.create(job="tick", period_start=T0, claimed_at=T0, runner="dead:1")
    assert schedule_run_due(now=T0 + timedelta(minutes=5))["tick"] == "claimed-elsewhere"
    assert schedule_run_due(now=T0 + schedule.LEASE + timedelta(seconds=1))["tick"] == "ran"
    assert len(calls) == 1
    assert ScheduledRun.objects.get(job="tick", period_start=T0).finished_at is not None


def test_a_failing_job_is_retried_and_does_not_stop_the_others(db, jobs):
    calls, recorder = jobs

    def broken(*, now: datetime) -> None:
        raise RuntimeError("boom")

    schedule_register("broken", every=timedelta(hours=1), func=broken)
    schedule_register("tick", every=timedelta(hours=1), func=recorder("tick"))
    assert schedule_run_due(now=T0) == {"broken": "failed", "tick": "ran"}
    assert ScheduledRun.objects.get(job="broken").finished_at is None
    assert schedule_run_due(now=T0 + schedule.LEASE + timedelta(seconds=1))["broken"] == "failed", "tried again"
    assert [name for name, _now in calls] == ["tick"], "the other job ran once"


@pytest.mark.django_db(transaction=True)
def test_runners_at_once_run_a_job_once_per_period(jobs):
    calls, recorder = jobs
    schedule_register("tick", every=timedelta(minutes=5), func=recorder("tick"))
    schedule_register("tock", every=timedelta(minutes=10), func=recorder("tock"))
    results: list[dict[str, str]] = []
    lock = threading.Lock()

    def runner(now: datetime, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            outcome = schedule_run_due(now=now)
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    for minute in (0, 5, 10):
        barrier = threading.Barrier(4)
        now = T0 + timedelta(minutes=minute, seconds=30)
        threads = [threading.Thread(target=runner, args=(now, barrier)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(name for name, _now in calls) == ["tick"] * 3 + ["tock"] * 2
    assert len(results) == 12
    assert ScheduledRun.objects.filter(job="tick").count() == 3
    assert ScheduledRun.objects.filter(job="tock").count() == 2


def test_the_command_runs_each_due_job_once_and_exits(db, jobs):
    calls, recorder = jobs
    schedule_register("tick", every=timedelta(minutes=5), func=recorder("tick"))
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    call_command("scheduler", "--once", stdout=out)
    assert len(calls) == 1
    assert out.getvalue() == "tick: ran\n"
