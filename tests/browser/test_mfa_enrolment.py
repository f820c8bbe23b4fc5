"""A staff user of a partner that requires MFA signs in through a real browser, is sent to set up an authenticator,
types the key shown on the page into "their app" (a TOTP computed here), and gets in; no CSP violation on the way
(the QR code is a data: image)."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP

from partnerportal.models import Partner
from tests.factories import PASSWORD, make_partner, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forced_enrolment_journey(live_server, page):
    partner = make_partner()
    user = make_user(partner, "sales_agent")
    Partner.objects.filter(pk=partner.pk).update(require_mfa=True)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_selector("#mfa-must-enrol")
    page.click("#mfa-setup")
    page.wait_for_selector("#mfa-secret")
    assert page.locator("#mfa-qr").get_attribute("src").startswith("data:image/svg+xml")
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=code]", f"{TOTP(key).token():06d}")
    page.click("button[type=submit]:has-text('Confirm')")
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("a:has-text('I have saved them')")
    page.wait_for_selector("#customer-table")
    assert page.url.rstrip("/").endswith("/customers")
