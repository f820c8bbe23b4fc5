"""Queue again the unfinished webhook deliveries whose task was lost (a worker that died mid-try)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from partnerportal.webhooks.delivery import webhook_requeue_stranded


class Command(BaseCommand):
    help = "Queue again every unfinished webhook delivery that no task will make any more (run before db_worker)."

    def handle(self, *args, **options):
        count = webhook_requeue_stranded()
        if options["verbosity"]:
            self.stdout.write(f"{count} webhook delivery(ies) queued again.")
