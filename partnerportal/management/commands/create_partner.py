"""Create a partner and its first global admin, who receives a link to set a password."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from partnerportal.emails import email_enqueue
from partnerportal.models import Partner
from partnerportal.services import partner_create, staff_user_create
from permissions.roles import AdminRole


def set_password_link(user, base_url: str) -> str:
    """A one-time link (Django's password-reset token: it dies once the password changes, and expires)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])


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
        from django.conf import settings

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
                link = set_password_link(user, settings.PORTAL_BASE_URL)
                email_enqueue(
                    to=user.email,
                    partner=partner,
                    subject=f"Your {partner.name} account on the Partner Portal",
                    body=f"You are the global admin of {partner.name}.\n\nChoose your password here:\n{link}\n",
                    topic="staff-welcome",
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {partner} with global admin {user.email}."))
        self.stdout.write(f"Set-password link (also emailed): {link}")
