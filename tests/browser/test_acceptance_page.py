"""The customer's acceptance page in real Chromium: the live domain check and the regions narrowed to the chosen
country, as on Add customer, and the customer agreement one click away."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from relationships.services import invitation_create
from tests.factories import KNOWN_CODE, make_acceptance_code, make_customer, make_partner, make_user
from tests.relationships.invite_helpers import accept_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_new_customer_s_profile_checks_the_domain_live_and_narrows_the_regions(live_server, page):
    partner = make_partner(name="Contoso Cloud", domain="contoso.example")
    admin = make_user(partner, "global_admin")
    make_customer(partner, actor=admin, prefix="takenbrew")
    invitation, token = invitation_create(actor=admin, email="it@fourthcoffee.example.net", message="Hi", dap=True)
    make_acceptance_code(invitation)

    page.goto(live_server.url + accept_url(token))
    page.fill("input[name=code]", KNOWN_CODE)
    page.click("button[type=submit]:has-text('Confirm the code')")
    page.wait_for_load_state("domcontentloaded")

    message = page.locator("#domain-check-message")
    page.fill("#id_profile-domain_prefix", "TakenBrew")
    expect(message).to_contain_text("already in use")
    page.fill("#id_profile-domain_prefix", "fourthcoffee2026")
    expect(message).to_have_text("fourthcoffee2026.onmicrosoft.com is available.")

    page.select_option("#id_profile-country", "KR")
    expect(page.locator("#state-wrapper")).to_be_hidden()
    page.select_option("#id_profile-country", "CA")
    expect(page.locator("#state-wrapper")).to_be_visible()
    assert page.locator("#id_profile-state optgroup[label='Canada']").get_attribute("hidden") is None
    assert page.locator("#id_profile-state optgroup[label='United States']").get_attribute("hidden") is not None

    link = page.locator("#agreement-link")
    assert link.get_attribute("href") == "/customer-agreement/"
    assert link.get_attribute("target") == "_blank"
