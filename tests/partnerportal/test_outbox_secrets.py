"""Links in the outbox: a message's one-time token is kept only until the worker delivers it, so afterwards no row
of any table (nor /admin/, nor a backup) holds a usable link, while the delivered email still carries it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from partnerportal.models import OutboundEmail, SetPasswordToken
from partnerportal.staff import services as staff_services
from relationships.services import invitation_create, invitation_revoke
from tests.factories import make_user
from tests.smtp import body_of, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def rows_containing(text: str) -> list[str]:
    """Every table (of the portal and of the task queue) with a row whose text form contains `text`."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{table}" t WHERE strpos(t::text, %s) > 0', [text])  # noqa: S608 -- table names from the catalogue
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def _token_of(message, pattern: str) -> str:
    match = re.search(pattern, body_of(message))
    assert match, body_of(message)
    return match.group(1)


def test_after_delivery_no_row_holds_a_link_token_and_the_emailed_links_work(world, smtp):
    inviter = world.users["global_admin"]
    _invitation, invite_token = invitation_create(
        actor=inviter, email="it.admin@fourthcoffee.example.net", message="Please accept.", dap=True
    )
    staff = make_user(world.partner_a, "helpdesk_agent")
    staff_services.staff_password_reset_send(actor=inviter, user=staff)
    reset_user = world.users["sales_agent"]
    assert Client().post(reverse("password_reset"), {"email": reset_user.email}).status_code == 302

    # Waiting to be sent: the stored body holds a marker, never the link's token.
    for message in OutboundEmail.objects.all():
        assert message.secret and message.secret not in message.body
        assert OutboundEmail.SECRET_MARKER in message.body
    run_worker(smtp)

    invite_mail = smtp.received(to="it.admin@fourthcoffee.example.net")[0]
    assert _token_of(invite_mail, r"/invite/([A-Za-z0-9_-]+)/") == invite_token
    set_password_token = _token_of(smtp.received(to=staff.email)[0], r"/staff/set-password/([A-Za-z0-9_-]+)/")
    reset_match = re.search(
        r"(/accounts/password/reset/[^/\s]+/[^/\s]+/)", body_of(smtp.received(to=reset_user.email)[0])
    )
    assert reset_match
    reset_token = reset_match.group(1).rstrip("/").rsplit("/", 1)[1]

    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}
    assert not OutboundEmail.objects.exclude(secret="").exists()
    for token in (invite_token, set_password_token, reset_token):
        assert rows_containing(token) == [], token

    # The delivered links still work: the copy the recipient has is the only one.
    assert (
        Client().get(urlsplit(reverse("relationships:invitation_accept", args=[invite_token])).path).status_code == 200
    )
    assert Client().get(reverse("staff:set_password", args=[set_password_token])).status_code == 200
    assert Client().get(reset_match.group(1)).status_code == 302
    assert SetPasswordToken.objects.get(user=staff).used_at is None


def test_a_withdrawn_invitation_leaves_no_link_token_behind(world):
    invitation, token = invitation_create(
        actor=world.users["global_admin"], email="it.admin@fourthcoffee.example.net", message="Hi.", dap=True
    )
    assert rows_containing(token), "kept until sent"
    invitation_revoke(actor=world.users["global_admin"], invitation=invitation)
    assert rows_containing(token) == []
