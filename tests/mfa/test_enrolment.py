"""Setting up an authenticator: QR code, secret and otpauth:// URI on the page, confirmed only by a right code;
10 single-use recovery codes stored as digests; re-enrolment and regenerated codes replace the old ones."""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from activity.models import ActivityEntry
from activity.services import Actions
from partnerportal.mfa.services import recovery_code_digest
from tests.factories import make_partner, make_user
from tests.mfa.helpers import login_verified, mfa_enrol, totp_code


@pytest.fixture
def user(db):
    return make_user(make_partner(), "sales_agent")


def _secret_from_page(html: str) -> bytes:
    secret = re.search(r'<code id="mfa-secret"[^>]*>([^<]+)</code>', html).group(1).replace(" ", "")
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def _code_for(key: bytes, steps: int = 0) -> str:
    totp = TOTP(key)
    totp.time += steps * 30
    return f"{totp.token():06d}"


def test_setup_shows_qr_secret_and_uri_and_confirms_only_with_a_right_code(client, user):
    client.force_login(user)
    page = client.get(reverse("mfa:overview"))
    assert page.status_code == 200 and 'id="mfa-setup"' in page.content.decode()

    response = client.post(reverse("mfa:setup"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa:confirm")
    html = client.get(reverse("mfa:confirm")).content.decode()
    assert re.search(r'<img src="data:image/svg\+xml;charset=utf-8,[^"]+" ', html), (
        "QR code rendered server-side as a data URI"
    )
    key = _secret_from_page(html)
    device = TOTPDevice.objects.get(user=user)
    assert key == device.bin_key and not device.confirmed
    uri = re.search(r'<code id="mfa-uri"[^>]*>([^<]+)</code>', html).group(1)
    assert uri.startswith("otpauth://totp/") and "secret=" in uri

    wrong = f"{(int(_code_for(key)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa:confirm"), {"code": wrong})
    assert response.status_code == 200 and "The code is not correct" in response.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert not StaticToken.objects.filter(device__user=user).exists()

    session_key = client.session.session_key
    response = client.post(reverse("mfa:confirm"), {"code": _code_for(key)})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z0-9-]{19})</li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    # Stored only as digests: no code appears in the table.
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {recovery_code_digest(code) for code in codes}
    assert not stored & set(codes)
    # The session that enrolled is verified now, under a new key.
    assert client.session.session_key != session_key
    assert client.get(reverse("home")).status_code in (200, 302)
    entry = ActivityEntry.objects.filter(action=Actions.MFA_ENROL).get()
    assert entry.actor == user and entry.details["after"]["replaced_authenticator"] is False


def test_an_unconfirmed_device_does_not_count_as_enrolled(client, user):
    client.force_login(user)
    client.post(reverse("mfa:setup"))
    # Still signed in with the password only, and nothing asks for a code.
    assert client.get(reverse("customers:customer_list")).status_code == 200
    client.logout()
    client.force_login(user)
    assert client.get(reverse("customers:customer_list")).status_code == 200


def test_re_enrolment_replaces_the_device_and_the_codes(client, user):
    old_device, old_codes = mfa_enrol(user)
    login_verified(client, user)
    client.post(reverse("mfa:setup"))
    new_device = TOTPDevice.objects.get(user=user, confirmed=False)
    # Until confirmed, the old authenticator still works.
    assert TOTPDevice.objects.filter(pk=old_device.pk, confirmed=True).exists()
    response = client.post(reverse("mfa:confirm"), {"code": totp_code(new_device)})
    new_codes = re.findall(r"<li>([a-z0-9-]{19})</li>", response.content.decode())
    assert len(new_codes) == 10
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [new_device.pk]
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {recovery_code_digest(code) for code in new_codes}
    assert not stored & {recovery_code_digest(code) for code in old_codes}
    entry = ActivityEntry.objects.filter(action=Actions.MFA_ENROL).latest("pk")
    assert entry.details["after"]["replaced_authenticator"] is True


def test_regenerating_recovery_codes_replaces_them_and_is_logged(client, user):
    _device, old_codes = mfa_enrol(user)
    login_verified(client, user)
    response = client.post(reverse("mfa:recovery_codes"))
    new_codes = re.findall(r"<li>([a-z0-9-]{19})</li>", response.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {recovery_code_digest(code) for code in new_codes}
    assert ActivityEntry.objects.filter(action=Actions.MFA_RECOVERY_CODES_REGENERATE, actor=user).count() == 1


def test_the_overview_shows_the_state(client, user):
    client.force_login(user)
    assert "Off" in client.get(reverse("mfa:overview")).content.decode()
    mfa_enrol(user)
    login_verified(client, user)
    html = client.get(reverse("mfa:overview")).content.decode()
    assert "On" in html and "10 recovery codes left." in html
