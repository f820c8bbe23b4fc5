"""Create a partner and its first global admin, who receives a link to set a password."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerportal.infrastructure.emails import email_enqueue
from partnerportal.models import Partner, SetPasswordToken
from partnerportal.staff.services import partner_create, set_password_link, set_password_token_issue, staff_user_create
from permissions.roles import AdminRole


class Command(BaseCommand):
    help = "Create a partner organisation and its first global admin (who gets a set-password link by email)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--partner-id", required=True)
        parser.add_argument("--type", required=True, choices=Partner.Type.values)
        parser.add_argument("--market", required=True, help="ISO country code, e.g. US")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--email-domain", default="")

    def handle(self, *args, **opts):
        try:
            with transaction.atomic():
                partner = partner_create(
                    name=opts["name"],
                    partner_id=opts["partner_id"],
                    type=opts["type"],
                    market=opts["market"],
                    email_domain=opts["email_domain"],
                )
                user = staff_user_create(partner=partner, email=opts["admin_email"], admin_role=AdminRole.GLOBAL_ADMIN)
                # The staff set-password link: one-time, hashed at rest, expires after 72 hours.
                token = set_password_token_issue(user=user, purpose=SetPasswordToken.Purpose.WELCOME)
                link = set_password_link(token)
                email_enqueue(
                    to=user.email,
                    partner=partner,
                    subject=f"Your {partner.name} account on the Partner Portal",
                    body=f"You are the global admin of {partner.name}.\n\nChoose your password here:\n{link}\n",
                    topic="staff-welcome",
                    secret=token,
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {partner} with global admin {user.email}."))
        self.stdout.write(f"Set-password link (also emailed): {link}")
