"""Sessions end when idle and after an absolute lifetime, rotate on sign-in, and end everywhere when a user is
deactivated, has roles or scope changed, or gets a new password."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from activity.actions import Actions
from activity.models import ActivityEntry
from partnerportal.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from partnerportal.accounts.models import PortalSession
from partnerportal.models import SetPasswordToken
from partnerportal.staff.services import (
    set_password_token_issue,
    set_password_token_use,
    staff_user_deactivate,
    staff_user_reactivate,
    staff_user_update,
)
from tests.factories import PASSWORD

NEW_PASSWORD = "Another-Long-Passphrase-42"


def sign_in(user, address: str = "192.0.2.1") -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR=address)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def works(client: Client) -> bool:
    """The client's cookie still reaches a signed-in page."""
    response = client.get(reverse("customers:customer_list"))
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
        return False
    assert response.status_code == 200
    return True


def age(client: Client, *, signed_in: int | None = None, seen: int | None = None) -> None:
    """Move the session's sign-in and last-seen times `signed_in` / `seen` seconds into the past."""
    session = client.session
    now = int(time.time())
    if signed_in is not None:
        session[SIGNED_IN_AT] = now - signed_in
    if seen is not None:
        session[LAST_SEEN] = now - seen
    session.save()


def test_a_session_row_records_its_user(world):
    user = world.users["sales_agent"]
    client = sign_in(user)
    row = PortalSession.objects.get(session_key=client.session.session_key)
    assert row.user_id == user.pk


def test_sign_in_rotates_the_session_key(world):
    client = Client()
    client.post(reverse("set_language"), {"language": "en"})  # an anonymous session exists before signing in
    session = client.session
    session["probe"] = 1
    session.save()
    client.cookies["sessionid"] = before = session.session_key

    client.post(reverse("login"), {"username": world.users["sales_agent"].email, "password": PASSWORD})

    assert client.cookies["sessionid"].value != before
    assert not PortalSession.objects.filter(session_key=before).exists()
    assert works(client)


def test_an_idle_session_ends(world, settings):
    client = sign_in(world.users["sales_agent"])
    age(client, seen=settings.PORTAL_SESSION_IDLE_SECONDS - 120)
    assert works(client)
    age(client, seen=settings.PORTAL_SESSION_IDLE_SECONDS + 1)
    key = client.session.session_key

    response = client.get(reverse("customers:customer_list"), follow=True)

    assert "Your session has expired" in response.content.decode()
    assert not PortalSession.objects.filter(session_key=key).exists()
    assert not works(client)


def test_a_busy_session_ends_after_its_absolute_lifetime(world, settings):
    client = sign_in(world.users["sales_agent"])
    age(client, signed_in=settings.PORTAL_SESSION_MAX_SECONDS - 60, seen=0)
    assert works(client)
    age(client, signed_in=settings.PORTAL_SESSION_MAX_SECONDS + 1, seen=0)
    assert not works(client)


def test_activity_keeps_a_session_alive_and_renews_its_expiry(world, settings):
    client = sign_in(world.users["sales_agent"])
    age(client, seen=120)
    key = client.session.session_key
    expiry_before = PortalSession.objects.get(session_key=key).expire_date
    assert works(client)
    assert time.time() - client.session[LAST_SEEN] < 5
    assert PortalSession.objects.get(session_key=key).expire_date >= expiry_before


def test_the_production_idle_timeout_is_thirty_minutes_and_the_lifetime_twelve_hours(settings):
    assert settings.PORTAL_SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.PORTAL_SESSION_MAX_SECONDS == 12 * 3600


def test_deactivation_deletes_the_sessions_so_the_old_cookie_fails_after_reactivation(world):
    target = world.users["sales_agent"]
    first, second = sign_in(target), sign_in(target, address="192.0.2.2")
    admin = world.users["global_admin"]

    staff_user_deactivate(actor=admin, user=target)
    assert not PortalSession.objects.filter(user_id=target.pk).exists()
    staff_user_reactivate(actor=admin, user=target)

    assert not works(first)
    assert not works(second)
    assert works(sign_in(target, address="192.0.2.3"))


@pytest.mark.parametrize(
    "change",
    [{"admin_role": "global_admin"}, {"agent_role": "admin_agent"}, {"scope": "assigned"}],
    ids=["admin-role", "agent-role", "scope"],
)
def test_a_role_or_scope_change_ends_every_session(world, change):
    target = world.users["sales_agent"]
    client = sign_in(target)
    fields = {"admin_role": target.admin_role, "agent_role": target.agent_role, "scope": target.scope, **change}

    staff_user_update(actor=world.users["global_admin"], user=target, **fields)

    assert not PortalSession.objects.filter(user_id=target.pk).exists()
    assert not works(client)


def test_a_name_change_keeps_the_sessions(world):
    target = world.users["sales_agent"]
    client = sign_in(target)
    staff_user_update(
        actor=world.users["global_admin"],
        user=target,
        admin_role=target.admin_role,
        agent_role=target.agent_role,
        scope=target.scope,
        first_name="Renamed",
    )
    assert works(client)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(world):
    user = world.users["helpdesk_agent"]
    here, elsewhere = sign_in(user), sign_in(user, address="192.0.2.2")
    old_key = here.session.session_key

    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert here.session.session_key != old_key  # rotated
    assert list(PortalSession.objects.filter(user_id=user.pk).values_list("session_key", flat=True)) == [
        here.session.session_key
    ]
    assert works(here)
    assert not works(elsewhere)
    assert ActivityEntry.objects.filter(action=Actions.AUTH_PASSWORD_CHANGE, actor=user).count() == 1


def test_a_password_reset_link_ends_every_session(world):
    user = world.users["admin_agent"]
    signed_in = sign_in(user)
    user.refresh_from_db()  # the reset token covers last_login, which signing in just changed
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reader = Client()
    response = reader.get(reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]))
    assert response.status_code == 302
    response = reader.post(response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")

    assert not PortalSession.objects.filter(user_id=user.pk).exists()
    assert not works(signed_in)
    assert ActivityEntry.objects.filter(action=Actions.AUTH_PASSWORD_RESET, actor=user).count() == 1


def test_a_set_password_link_ends_every_session(world):
    user = world.users["admin_agent"]
    signed_in = sign_in(user)
    token = set_password_token_issue(user=user, purpose=SetPasswordToken.Purpose.RESET)

    set_password_token_use(token=token, password=NEW_PASSWORD)

    assert not works(signed_in)
