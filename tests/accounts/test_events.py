"""Sign-in, failed sign-in, lockout and sign-out are entries of the activity log, under the account's partner."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from activity.actions import Actions
from activity.models import ActivityEntry
from tests.factories import PASSWORD


def entries(action: Actions):
    return ActivityEntry.objects.filter(action=action)


def test_a_sign_in_and_a_sign_out_are_logged_with_the_client_address(world):
    user = world.users["sales_agent"]
    client = Client()
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.5")
    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.5")

    [signed_in] = entries(Actions.AUTH_SIGN_IN).filter(actor=user)
    [signed_out] = entries(Actions.AUTH_SIGN_OUT).filter(actor=user)
    for entry in (signed_in, signed_out):
        assert entry.partner_id == user.partner_id
        assert entry.client_address == "192.0.2.5"
        assert entry.details["after"]["email"] == user.email


def test_a_failed_sign_in_is_logged_under_the_named_account_s_partner(world):
    user = world.users["sales_agent"]
    Client().post(reverse("login"), {"username": user.email.upper(), "password": "wrong"}, REMOTE_ADDR="192.0.2.6")

    [failed] = entries(Actions.AUTH_SIGN_IN_FAILED)
    assert failed.partner_id == user.partner_id
    assert failed.actor_id is None
    assert failed.client_address == "192.0.2.6"
    assert "wrong" not in str(failed.details)


def test_a_failed_sign_in_for_an_unknown_address_is_logged_without_a_partner(world):
    Client().post(reverse("login"), {"username": "nobody@nowhere.example", "password": "wrong"})
    [failed] = entries(Actions.AUTH_SIGN_IN_FAILED)
    assert failed.partner_id is None
    assert failed.details["after"]["email"] == "nobody@nowhere.example"


def test_a_lockout_is_logged(world, settings):
    user = world.users["helpdesk_agent"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": user.email, "password": "wrong"})
    lockouts = entries(Actions.AUTH_LOCKOUT)
    assert lockouts.exists()
    assert {entry.partner_id for entry in lockouts} == {user.partner_id}


def test_the_global_admin_reads_sign_in_events_in_the_log(world, client_for):
    user = world.users["sales_agent"]
    Client().post(reverse("login"), {"username": user.email, "password": "wrong"})
    Client().post(reverse("login"), {"username": user.email, "password": PASSWORD})

    html = client_for(world.users["global_admin"]).get(reverse("activity:activity_list")).content.decode()

    assert "Failed sign-in" in html
    assert "Sign in" in html
