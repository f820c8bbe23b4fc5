"""`manage.py backup FILE`: a custom-format `pg_dump` of the portal's database (restore it with `manage.py restore`)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from partnerportal.infrastructure.backup import BackupError, database_backup
from partnerportal.infrastructure.dbroles import owner_settings


class Command(BaseCommand):
    help = (
        "Back up the portal's database to FILE with pg_dump --format=custom, as the owner role when "
        "DATABASE_OWNER_URL (or the embedded server) provides it, else as DATABASE_URL's role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Where to write the backup (overwritten if it exists).")
        parser.add_argument("--database", default="default", help="The database alias (default: 'default').")

    def handle(self, *args, **options) -> None:
        # The alias's own settings (under the test runner they name the test database), with the owner's
        # credentials when there are any: the owner reads every object.
        settings_dict = {**connections[options["database"]].settings_dict, **(owner_settings() or {})}
        path: Path = options["file"]
        try:
            pg_dump = database_backup(settings_dict=settings_dict, path=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"]:
            size = path.stat().st_size
            self.stdout.write(f"Backed up {settings_dict['NAME']} to {path} ({size:,} bytes, {pg_dump}).")
