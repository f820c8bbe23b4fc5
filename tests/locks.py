"""A live worker in the middle of its work, for the requeue tests: a row held locked in another connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models, transaction


@contextmanager
def row_held(model: type[models.Model], pk: object) -> Iterator[None]:
    """Hold `model`'s row `pk` with SELECT … FOR UPDATE in a thread of its own until the block ends."""
    held, done = threading.Event(), threading.Event()

    def holder() -> None:
        try:
            with transaction.atomic():
                model.objects.select_for_update().get(pk=pk)
                held.set()
                done.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(10), "the row was not locked in time"
        yield
    finally:
        done.set()
        thread.join()
