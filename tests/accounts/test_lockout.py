"""Brute-force protection: repeated failed sign-ins lock the account and the client address, with a clear message;
password-reset requests are throttled per address and per client, with one answer for known and unknown emails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from activity.actions import Actions
from activity.models import ActivityEntry
from partnerportal.models import OutboundEmail, User
from tests.factories import PASSWORD

LOCKED = "Too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def sign_in(client: Client, email: str, password: str, address: str = "192.0.2.10"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def without_csrf(html: str) -> str:
    """A page without its lines carrying the per-client CSRF token."""
    return "\n".join(line for line in html.splitlines() if "csrf" not in line)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_fifty_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_message(world, settings):
    user = world.users["sales_agent"]
    client = Client()
    statuses = [sign_in(client, user.email, f"wrong-{n}").status_code for n in range(50)]
    # The first failures are the ordinary form error; from the limit on, every answer is the lockout page.
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert set(statuses[limit:]) == {429}

    response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert "locked for 15 more minutes" in html
    assert not signed_in(client)
    assert ActivityEntry.objects.filter(action=Actions.AUTH_LOCKOUT, partner=user.partner).exists()
    assert ActivityEntry.objects.filter(action=Actions.AUTH_SIGN_IN_FAILED, partner=user.partner).count() >= limit
    assert not ActivityEntry.objects.filter(action=Actions.AUTH_SIGN_IN, actor=user).exists()


def test_the_account_stays_locked_from_any_address(world, settings):
    user = world.users["helpdesk_agent"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), user.email, "wrong", address=f"198.51.100.{n + 1}")

    client = Client()
    response = sign_in(client, user.email, PASSWORD, address="203.0.113.99")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_the_client_address_is_locked_for_every_account(world, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), f"nobody{n}@contoso.example", "wrong", address="192.0.2.77")

    client = Client()
    response = sign_in(client, world.users["admin_agent"].email, PASSWORD, address="192.0.2.77")
    assert response.status_code == 429
    assert not signed_in(client)
    # Another address is not affected.
    other = Client()
    assert sign_in(other, world.users["admin_agent"].email, PASSWORD, address="192.0.2.78").status_code == 302
    assert signed_in(other)


def test_the_lockout_page_is_the_same_for_known_and_unknown_addresses(world, settings):
    def locked_page(email: str, address: str) -> str:
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            response = sign_in(Client(), email, "wrong", address=address)
        assert response.status_code == 429
        return response.content.decode().replace(email, "EMAIL")

    known = locked_page(world.users["global_admin"].email, "192.0.2.31")
    unknown = locked_page("no.such.user@contoso.example", "192.0.2.32")
    assert without_csrf(known) == without_csrf(unknown)


def test_the_lockout_page_is_translated(world, settings):
    client = Client()
    client.post(reverse("set_language"), {"language": "ko"})
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in(client, "someone@contoso.example", "wrong", address="192.0.2.40")
    assert response.status_code == 429
    assert "15분 동안 로그인이 잠깁니다" in response.content.decode()


def test_a_success_before_the_limit_clears_the_failures(world, settings):
    user = world.users["sales_agent"]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(Client(), user.email, "wrong")
    assert sign_in(Client(), user.email, PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(Client(), user.email, "wrong")
    client = Client()
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_admin_login_is_locked_out_too(db, settings):
    operator = User.objects.create_superuser(email="operator@platform.example", password=PASSWORD)
    client = Client()
    url = reverse("admin:login")
    for n in range(50):
        client.post(url, {"username": operator.email, "password": f"wrong-{n}"}, REMOTE_ADDR="192.0.2.50")

    response = client.post(url, {"username": operator.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.50")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)
    assert client.get(reverse("admin:index")).status_code == 302


# --- password reset -------------------------------------------------------------------------------------------


def reset(client: Client, email: str, address: str = "192.0.2.60"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def reset_emails(email: str) -> int:
    return OutboundEmail.objects.filter(to=email, topic="password-reset").count()


def test_twenty_reset_requests_for_one_address_queue_at_most_the_limit(world, settings):
    email = world.users["sales_agent"].email
    limit, _ = settings.PORTAL_PASSWORD_RESET_RATE_LIMIT_EMAIL
    responses = [reset(Client(), email, address=f"198.51.100.{n + 1}") for n in range(20)]

    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {reverse("password_reset_done")}
    assert reset_emails(email) == limit


def test_reset_requests_are_throttled_per_client(world, settings):
    limit, _ = settings.PORTAL_PASSWORD_RESET_RATE_LIMIT_ADDRESS
    for n in range(limit):
        reset(Client(), f"unknown{n}@contoso.example", address="192.0.2.61")
    email = world.users["admin_agent"].email

    response = reset(Client(), email, address="192.0.2.61")

    assert response.status_code == 302
    assert reset_emails(email) == 0
    # The same request from another client goes through.
    reset(Client(), email, address="192.0.2.62")
    assert reset_emails(email) == 1


def test_reset_answers_alike_for_known_and_unknown_addresses(world):
    known = reset(Client(), world.users["global_admin"].email, address="192.0.2.63")
    unknown = reset(Client(), "no.such.user@contoso.example", address="192.0.2.64")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    done_known = Client().get(known["Location"]).content.decode()
    done_unknown = Client().get(unknown["Location"]).content.decode()
    assert without_csrf(done_known) == without_csrf(done_unknown)


def test_changing_the_case_of_the_email_does_not_dodge_the_account_lockout(world, settings):
    user = world.users["global_admin"]
    variants = [user.email.upper(), user.email.title(), f"  {user.email}", user.email.swapcase(), user.email]
    for n, email in enumerate(variants[: settings.AXES_FAILURE_LIMIT]):
        sign_in(Client(), email, "wrong", address=f"203.0.113.{n + 1}")
    client = Client()
    assert sign_in(client, user.email, PASSWORD, address="203.0.113.200").status_code == 429
    assert not signed_in(client)


def test_the_lockout_page_counts_down_the_minutes_left(world, settings):
    user = world.users["admin_agent"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), user.email, "wrong", address="192.0.2.90")
    # Ten minutes pass (the attempts are dated back): five of the fifteen are left.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10, seconds=1))

    response = sign_in(Client(), user.email, PASSWORD, address="192.0.2.90")

    assert response.status_code == 429
    assert "locked for 5 more minutes" in response.content.decode()
    # Trying during the lockout did not prolong it; once it is over, the right password signs in.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    client = Client()
    assert sign_in(client, user.email, PASSWORD, address="192.0.2.90").status_code == 302
    assert signed_in(client)
