"""Run the periodic jobs (the admin-relationship expiry sweep, …): every due job once per period, on any node."""

from __future__ import annotations

import signal
import threading
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from partnerportal.infrastructure.heartbeat import heartbeat_beat, heartbeat_start
from partnerportal.infrastructure.schedule import schedule_jobs, schedule_run_due
from partnerportal.models import WorkerHeartbeat


class Command(BaseCommand):
    help = (
        "Run due periodic jobs, then wait and look again (--once: run each due job once and exit). Several runners "
        "on several nodes are safe: each job runs once per period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run each due job once and exit.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between looks (default 60).")

    def handle(self, *args, **options) -> None:
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        if not options["once"]:
            # SIGTERM (make run's `kill 0`) ends the loop between runs; a run cut short is claimed again later.
            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
        if options["verbosity"] > 1:
            self.stdout.write("Jobs: " + ", ".join(f"{job.name} every {job.every}" for job in schedule_jobs()))
        if not options["once"]:
            heartbeat_start(kind=WorkerHeartbeat.Kind.SCHEDULER)
        while True:
            if not options["once"]:
                heartbeat_beat(kind=WorkerHeartbeat.Kind.SCHEDULER)
            outcomes = schedule_run_due()
            if options["verbosity"]:
                for name, outcome in outcomes.items():
                    if outcome != "claimed-elsewhere" or options["verbosity"] > 1:
                        self.stdout.write(f"{name}: {outcome}")
            if options["once"] or stop.wait(options["interval"]):
                break
            # A long-lived loop: drop a connection the server closed or that outlived CONN_MAX_AGE while waiting.
            close_old_connections()
