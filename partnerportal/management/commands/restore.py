"""`manage.py restore FILE [--database-url URL] [--force]`: `pg_restore` a backup into an empty database."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from partnerportal.infrastructure.backup import BackupError, database_restore
from partnerportal.infrastructure.dbroles import owner_settings


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database: --database-url's, else the portal's "
        "own (as the owner role when DATABASE_OWNER_URL or the embedded server provides it). A database that "
        "holds tables is refused unless --force. One transaction: a failed restore leaves the target as it was."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A backup file written by `manage.py backup`.")
        parser.add_argument(
            "--database-url",
            help="The target database (postgresql://owner:password@host:port/name); it should be owned by the role "
            "named in the URL, which will own the restored objects.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Restore into a database that is not empty (its objects replaced)."
        )

    def handle(self, *args, **options) -> None:
        if options["database_url"]:
            settings_dict = dict(dj_database_url.parse(options["database_url"]))
        else:
            settings_dict = {**connections["default"].settings_dict, **(owner_settings() or {})}
        try:
            pg_restore = database_restore(settings_dict=settings_dict, path=options["file"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"]:
            self.stdout.write(f"Restored {options['file']} into {settings_dict.get('NAME')} ({pg_restore}).")
