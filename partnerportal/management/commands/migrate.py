"""`migrate` as the owner of the tables, then the portal role's grants.

The portal connects (DATABASES, from DATABASE_URL or the embedded server) as a role that may not change the schema,
so the migrations run with the owner's credentials (settings.DATABASE_OWNER: DATABASE_OWNER_URL, or the embedded
server's owner role), swapped into the connection for this command only; at the end the owner grants the portal
role its privileges on every table (`partnerportal.infrastructure.dbroles`). Overriding the command, rather than
giving the portal a second connection alias, keeps the owner's credentials out of every other process: only where
migrate runs does DATABASE_OWNER_URL need to be set. Without it, migrate runs as DATABASE_URL's role (a single-role
deployment; `check --deploy` warns about it).
"""

from __future__ import annotations

from django.core.management.commands import migrate

from partnerportal.infrastructure.dbroles import connected_as_owner, grant_portal_privileges


class Command(migrate.Command):
    help = migrate.Command.help + " Runs as the owner role (DATABASE_OWNER_URL) and grants the portal role its rights."

    def handle(self, *args, **options):
        alias = options["database"]
        with connected_as_owner(alias):
            super().handle(*args, **options)
            if not (options["plan"] or options["check_unapplied"]):
                grant_portal_privileges(alias)
