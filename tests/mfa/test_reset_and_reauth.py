"""A global admin resets a staff member's MFA (within their own partner, logged, every session of the target ends);
staff-management writes and MFA changes need a password or code confirmed within the last 10 minutes."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from activity.models import ActivityEntry
from activity.services import Actions
from partnerportal.mfa.state import REAUTH_AT
from partnerportal.models import User
from tests.factories import PASSWORD, make_partner, make_user
from tests.mfa.helpers import login_verified, mfa_enrol, totp_code


@pytest.fixture
def team(db):
    partner = make_partner()
    admin = make_user(partner, "global_admin")
    member = make_user(partner, "sales_agent")
    outsider = make_user(make_partner(), "sales_agent")
    return admin, member, outsider


def stale(client: Client, seconds: int = 11 * 60) -> Client:
    """Move the session's last confirmation `seconds` into the past."""
    session = client.session
    session[REAUTH_AT] = int(time.time()) - seconds
    session.save()
    return client


def test_admin_reset_removes_the_devices_ends_every_session_and_is_logged(team):
    admin, member, _outsider = team
    mfa_enrol(member)
    member_client = login_verified(Client(), member)
    assert member_client.get(reverse("customers:customer_list")).status_code == 200

    admin_client = Client()
    admin_client.force_login(admin)
    page = admin_client.get(reverse("staff:user_update", args=[member.pk])).content.decode()
    assert 'id="reset-mfa"' in page
    assert admin_client.get(reverse("staff:user_mfa_reset", args=[member.pk])).status_code == 200
    # Without the confirmation tick nothing happens.
    response = admin_client.post(reverse("staff:user_mfa_reset", args=[member.pk]), {})
    assert response.status_code == 200 and TOTPDevice.objects.filter(user=member).exists()
    response = admin_client.post(reverse("staff:user_mfa_reset", args=[member.pk]), {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("staff:user_update", args=[member.pk])
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    # The target's old cookie is dead: the next request goes to the login page.
    assert member_client.get(reverse("customers:customer_list"))["Location"].startswith(reverse("login"))
    entry = ActivityEntry.objects.get(action=Actions.MFA_RESET)
    assert (entry.actor, entry.partner) == (admin, admin.partner)
    assert entry.details["after"] == {"email": member.email, "had_authenticator": True, "sessions_ended": 1}
    # Signing in again takes the password only.
    fresh = Client()
    fresh.post(reverse("login"), {"username": member.email, "password": PASSWORD})
    assert fresh.get(reverse("customers:customer_list")).status_code == 200


def test_reset_is_only_for_the_admins_own_partner_and_role(team):
    admin, member, outsider = team
    mfa_enrol(outsider)
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("staff:user_mfa_reset", args=[outsider.pk])).status_code == 404
    assert client.post(reverse("staff:user_mfa_reset", args=[outsider.pk]), {"confirm": "on"}).status_code == 404
    assert TOTPDevice.objects.filter(user=outsider).exists()
    mfa_enrol(admin)
    agent = Client()
    agent.force_login(member)
    assert agent.post(reverse("staff:user_mfa_reset", args=[admin.pk]), {"confirm": "on"}).status_code == 403
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_a_staff_post_without_fresh_reauth_changes_nothing(team):
    admin, member, _outsider = team
    client = Client()
    client.force_login(admin)
    stale(client)
    url = reverse("staff:user_deactivate", args=[member.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa:reauth") + "?next=")
    assert User.objects.get(pk=member.pk).is_active
    assert not ActivityEntry.objects.filter(action=Actions.STAFF_DEACTIVATE).exists()
    for name, data in (
        ("staff:user_update", {"first_name": "X", "last_name": "Y", "admin_role": "global_admin", "scope": "partner"}),
        ("staff:user_reset_password", {}),
        ("staff:user_mfa_reset", {"confirm": "on"}),
    ):
        assert client.post(reverse(name, args=[member.pk]), data)["Location"].startswith(reverse("mfa:reauth"))
    assert client.post(reverse("staff:user_create"), {"email": "n@x.example"})["Location"].startswith(
        reverse("mfa:reauth")
    )
    assert client.post(reverse("staff:partner_security"), {"require_mfa": "on"})["Location"].startswith(
        reverse("mfa:reauth")
    )
    member.refresh_from_db()
    assert (member.first_name, member.admin_role) != ("X", "global_admin")
    admin.partner.refresh_from_db()
    assert admin.partner.require_mfa is False

    # Confirming the password opens the gate for 10 minutes, and sends the admin back to the question they answered
    # (deactivating asks first).
    reauth = client.get(response["Location"])
    assert reauth.status_code == 200 and 'name="password"' in reauth.content.decode()
    wrong = client.post(response["Location"], {"password": "wrong-password"})
    assert wrong.status_code == 200 and "The password is not correct." in wrong.content.decode()
    back = client.post(response["Location"], {"password": PASSWORD})
    assert back.status_code == 302 and back["Location"] == reverse("staff:user_deactivate", args=[member.pk])
    assert client.post(url).status_code == 302
    assert not User.objects.get(pk=member.pk).is_active


def test_reauth_with_an_authenticator_takes_a_code(team):
    admin, _member, _outsider = team
    device, _codes = mfa_enrol(admin)
    client = stale(login_verified(Client(), admin))
    response = client.post(reverse("mfa:recovery_codes"))
    assert response["Location"].startswith(reverse("mfa:reauth"))
    page = client.get(response["Location"]).content.decode()
    assert 'name="code"' in page and 'name="password"' not in page
    wrong = client.post(response["Location"], {"code": PASSWORD})
    assert wrong.status_code == 200 and "The code is not correct" in wrong.content.decode()
    assert client.post(reverse("mfa:recovery_codes")).status_code == 302  # still stale: the password is no code
    assert client.post(response["Location"], {"code": totp_code(device)}).status_code == 302
    assert client.post(reverse("mfa:recovery_codes")).status_code == 200


def test_mfa_pages_need_fresh_reauth_too(team):
    admin, _member, _outsider = team
    client = Client()
    client.force_login(admin)
    stale(client)
    assert client.post(reverse("mfa:setup"))["Location"].startswith(reverse("mfa:reauth"))
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert client.get(reverse("mfa:confirm"))["Location"].startswith(reverse("mfa:reauth"))
    # The overview itself only shows the state.
    assert client.get(reverse("mfa:overview")).status_code == 200


def test_reauth_next_stays_on_the_site(team):
    admin, _member, _outsider = team
    client = Client()
    client.force_login(admin)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(reverse("mfa:reauth") + "?next=" + target, {"password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("home"), target


def test_staff_form_pages_ask_for_reauth_before_showing_the_form(team):
    admin, member, _outsider = team
    client = stale(login(admin))
    for url in (
        reverse("staff:user_update", args=[member.pk]),
        reverse("staff:user_create"),
        reverse("staff:user_mfa_reset", args=[member.pk]),
        reverse("staff:partner_security"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa:reauth") + "?next=" + quote(
            url, safe=""
        )
    # The list only shows; it needs no confirmation.
    assert client.get(reverse("staff:user_list")).status_code == 200
    url = reverse("staff:user_update", args=[member.pk])
    back = client.post(reverse("mfa:reauth") + "?next=" + quote(url, safe=""), {"password": PASSWORD})
    assert back["Location"] == url
    assert client.get(url).status_code == 200


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
