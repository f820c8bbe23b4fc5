"""`manage.py api_token create --email … --name … [--expires-days N]`: an operator issues a staff user's token."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.services import api_token_create
from partnerportal.models import User


class Command(BaseCommand):
    help = "Create a personal API token for a staff user; the token is printed once and stored only as a digest."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token")
        create.add_argument("--email", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the email {options['email']}.")
        try:
            issued = api_token_create(actor=user, name=options["name"], expires_days=options["expires_days"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except PermissionDenied:
            raise CommandError(f"{user.email} holds no staff role, so a token could do nothing.") from None
        self.stdout.write(issued.raw)
        self.stderr.write(f"Token “{issued.token.name}” for {user.email} ({issued.token.prefix}…); shown only once.")
