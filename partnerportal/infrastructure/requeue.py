"""Queue again the outbox rows whose task died with its worker (the email outbox and the webhook deliveries)."""

from __future__ import annotations

from django.db import models, transaction
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult


def requeue_unheld(rows: models.QuerySet, *, task: Task) -> list[int]:
    """Enqueue `task(pk)` for each of `rows` that no task will handle any more; return their keys.

    A row is covered while a task waits for it (ready, or a retry due later) or while a worker holds its row lock —
    a live worker holds it for the whole send, and a killed one's lock went with its connection, so a row whose task
    is "running" but which nobody holds is queued again at once, however recently that task started. A duplicate
    task would be harmless anyway: the task takes the row lock and checks the row's status first.
    """
    waiting = DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)
    covered = {args_kwargs["args"][0] for args_kwargs in waiting.values_list("args_kwargs", flat=True)}
    candidates = [pk for pk in rows.values_list("pk", flat=True) if pk not in covered]
    with transaction.atomic():
        # The rows no worker holds right now; locked until the new tasks are committed with this transaction.
        unheld = list(
            rows.select_for_update(skip_locked=True)
            .filter(pk__in=candidates)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in unheld:
            task.enqueue(pk)
    return unheld
