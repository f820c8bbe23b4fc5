"""Worker heartbeats: each task worker (`manage.py db_worker`) and scheduler writes, as it goes round its loop, the
time it was last seen; `/readyz` and `/metrics` read how long ago the freshest one was.

A beat is one conditional UPDATE of the process's own row that only writes when the row is older than
`BEAT_EVERY`, so a busy worker does not write on every task; the row is created on the first beat. Rows of
processes gone for a day are deleted when a process starts.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from partnerportal.models import WorkerHeartbeat

# A beat writes at most this often; PORTAL_WORKER_HEARTBEAT_MAX_AGE (120 s) must stay well above it.
BEAT_EVERY = timedelta(seconds=15)
FORGET_AFTER = timedelta(days=1)


def heartbeat_name(kind: str) -> str:
    """This process's row: kind, host and pid (unique while the process lives)."""
    return f"{kind}:{socket.gethostname()}:{os.getpid()}"[:200]


def heartbeat_start(*, kind: str, now: datetime | None = None) -> WorkerHeartbeat:
    """Record that a worker process of `kind` started (and forget processes not seen for a day)."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        name=heartbeat_name(kind), defaults={"kind": kind, "started_at": now, "seen_at": now}
    )
    return beat


def heartbeat_beat(*, kind: str, now: datetime | None = None) -> bool:
    """Mark this process as alive now, unless it was marked less than BEAT_EVERY ago; True when a row was written."""
    now = now or timezone.now()
    name = heartbeat_name(kind)
    if WorkerHeartbeat.objects.filter(name=name, seen_at__lt=now - BEAT_EVERY).update(seen_at=now):
        return True
    if WorkerHeartbeat.objects.filter(name=name).exists():
        return False
    try:
        with transaction.atomic():
            WorkerHeartbeat.objects.create(name=name, kind=kind, started_at=now, seen_at=now)
    except IntegrityError:
        return False
    return True


def heartbeat_age(*, kind: str, now: datetime | None = None) -> float | None:
    """Seconds since the freshest process of `kind` was seen, or None when none ever was."""
    latest = WorkerHeartbeat.objects.filter(kind=kind).aggregate(latest=Max("seen_at"))["latest"]
    if latest is None:
        return None
    return max(((now or timezone.now()) - latest).total_seconds(), 0.0)


def heartbeat_max_age() -> float:
    """How old the freshest task worker's beat may be for the deployment to count as ready (seconds)."""
    return float(settings.PORTAL_WORKER_HEARTBEAT_MAX_AGE)
