"""/admin/ needs a second factor: the admin's sign-in asks for a code, and a session verified by none (a password
sign-in to the portal, or `force_login`) is not let in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from partnerportal.models import User
from tests.factories import PASSWORD
from tests.mfa.helpers import login_verified, mfa_enrol, totp_code


@pytest.fixture
def operator(db):
    return User.objects.create_superuser(email="operator@platform.example", password=PASSWORD)


def admin_sign_in(client: Client, operator: User, code: str = ""):
    return client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": operator.email, "password": PASSWORD, "otp_token": code, "next": "/admin/"},
    )


def test_the_admin_login_asks_for_a_code_and_says_how_to_get_one(operator):
    client = Client()
    page = client.get(reverse("admin:login")).content.decode()
    assert 'name="otp_token"' in page and reverse("mfa:overview") in page
    response = admin_sign_in(client, operator)
    assert response.status_code == 200
    assert "This account has no authenticator app" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_admin_login_takes_password_and_code(operator):
    device, _codes = mfa_enrol(operator)
    client = Client()
    response = admin_sign_in(client, operator)
    assert response.status_code == 200 and "The code is not correct" in response.content.decode()
    response = admin_sign_in(client, operator, f"{(int(totp_code(device)) + 1) % 1_000_000:06d}")
    assert response.status_code == 200 and client.get(reverse("admin:index")).status_code == 302
    response = admin_sign_in(client, operator, totp_code(device))
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get("/admin/customers/customer/").status_code == 200
    assert ActivityEntry.objects.filter(action=Actions.MFA_FAILED, actor=operator).count() == 2
    assert ActivityEntry.objects.filter(action=Actions.MFA_VERIFY, actor=operator).count() == 1
    # The same code again is refused (another browser).
    assert admin_sign_in(Client(), operator, totp_code(device)).status_code == 200


def test_a_session_without_a_code_is_not_let_in(operator):
    mfa_enrol(operator)
    client = Client()
    client.force_login(operator)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    # A password-only portal sign-in of an operator who enrolled owes the code first.
    portal = Client()
    portal.post(reverse("login"), {"username": operator.email, "password": PASSWORD})
    assert portal.get(reverse("admin:index"))["Location"].startswith(reverse("mfa:verify"))
    assert login_verified(Client(), operator).get(reverse("admin:index")).status_code == 200


def test_an_operator_enrols_on_the_portal_page_then_reaches_the_admin(operator):
    client = Client()
    client.post(reverse("login"), {"username": operator.email, "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 302
    client.post(reverse("mfa:setup"))
    device = operator.totpdevice_set.get()
    assert client.post(reverse("mfa:confirm"), {"code": totp_code(device)}).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
