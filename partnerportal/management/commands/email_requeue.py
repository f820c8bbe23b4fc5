"""Queue again the unsent emails whose delivery task was lost (a worker that died mid-send)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from partnerportal.infrastructure.emails import email_requeue_stranded


class Command(BaseCommand):
    help = "Queue again every unsent email that no task will deliver any more (run before starting db_worker)."

    def handle(self, *args, **options):
        count = email_requeue_stranded()
        if options["verbosity"]:
            self.stdout.write(f"{count} email(s) queued again.")
