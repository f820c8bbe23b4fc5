"""`db_worker` (django-tasks' database worker) that also records a heartbeat as it goes round its loop.

`/readyz` answers 503 when no task worker has been seen for PORTAL_WORKER_HEARTBEAT_MAX_AGE seconds: emails and
webhooks would queue up undelivered. The command takes the same options as django-tasks-db's; `partnerportal`
comes before `django_tasks_db` in INSTALLED_APPS so that this one is the `db_worker` manage.py runs.
"""

from __future__ import annotations

import logging
import os
import time
from types import FrameType
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from partnerportal.infrastructure.heartbeat import BEAT_EVERY, heartbeat_beat, heartbeat_start
from partnerportal.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class HeartbeatWorker(db_worker.Worker):
    """django-tasks-db's worker, beating once per BEAT_EVERY from the top of its loop.

    The loop (`Worker.run`) tests `self.running` at the start of every round, idle or not; that read is the hook,
    so the beat says the loop itself is turning, not merely that the process exists.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._running = True
        self._in_signal_handler = False
        self._last_beat = float("-inf")
        super().__init__(**kwargs)

    @property
    def running(self) -> bool:
        if self._running and not self._in_signal_handler:
            self._beat()
        return self._running

    @running.setter
    def running(self, value: bool) -> None:
        self._running = value

    def _beat(self) -> None:
        if time.monotonic() - self._last_beat < BEAT_EVERY.total_seconds():
            return
        self._last_beat = time.monotonic()
        try:
            # Right after a wait: drop a connection the server closed meanwhile, as the loop itself does next.
            close_old_connections()
            heartbeat_beat(kind=WorkerHeartbeat.Kind.TASKS)
        except DatabaseError as exc:
            # The loop's own query fails next and decides; a missed beat only shows in /readyz.
            logger.warning("Worker heartbeat not recorded: %s", exc)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        # A signal may arrive mid-query: no database work from inside the handler.
        self._in_signal_handler = True
        try:
            super().shutdown(signum, frame)
        finally:
            self._in_signal_handler = False


class Command(db_worker.Command):
    help = db_worker.Command.help + ", recording a heartbeat for /readyz"

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = HeartbeatWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                heartbeat_start(kind=WorkerHeartbeat.Kind.TASKS)
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            heartbeat_start(kind=WorkerHeartbeat.Kind.TASKS)
            worker.configure_signals()
            worker.run()
