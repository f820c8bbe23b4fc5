"""The add-customer page in real Chromium: the live domain check, the ".com" hint and the state list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from tests.factories import PASSWORD, make_customer, make_partner, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_load_state("domcontentloaded")


def test_live_checks_while_typing_then_the_customer_is_added(live_server, page):
    partner = make_partner(name="Contoso Cloud", domain="contoso.example")
    agent = make_user(partner, "sales_agent")
    make_customer(partner, actor=make_user(partner, "global_admin"), prefix="fourthcoffee")
    sign_in(page, live_server.url, agent.email)
    page.goto(live_server.url + "/customers/new/")

    message = page.locator("#domain-check-message")
    page.fill("#id_domain_prefix", "FourthCoffee")
    # Locator expectations, not wait_for_function: a string predicate is eval'd, which the portal's CSP forbids.
    expect(message).to_contain_text("already in use")
    assert "text-danger" in message.get_attribute("class")
    page.fill("#id_domain_prefix", "adatum2026")
    expect(message).to_contain_text("is available")
    assert message.inner_text() == "adatum2026.onmicrosoft.com is available."

    page.fill("#id_company_name", "Adatum.com")
    assert "not recommended" in page.locator("#company-name-warning").inner_text()
    page.fill("#id_company_name", "Adatum Corporation")
    assert page.locator("#company-name-warning").is_hidden()

    page.select_option("#id_country", "KR")
    assert page.locator("#state-wrapper").is_hidden(), "Korea has no states: the field goes away"
    page.select_option("#id_country", "CA")
    assert page.locator("#state-wrapper").is_visible()
    assert page.locator("#id_state optgroup[label='Canada']").get_attribute("hidden") is None
    assert page.locator("#id_state optgroup[label='United States']").get_attribute("hidden") is not None
    page.select_option("#id_state", "CA-ON")

    page.fill("#id_address_line1", "100 Queen St W")
    page.fill("#id_city", "Toronto")
    page.fill("#id_postal_code", "m5h2n2")
    page.fill("#id_contact_first_name", "Ana")
    page.fill("#id_contact_last_name", "Kim")
    page.fill("#id_contact_email", "ana@adatum.example.net")
    page.click("button[type=submit]:has-text('Add customer')")
    page.wait_for_load_state("domcontentloaded")

    customer = Customer.objects.get(primary_domain="adatum2026.onmicrosoft.com")
    assert page.url.endswith(f"/customers/{customer.pk}/")
    assert (customer.state, customer.postal_code) == ("ON", "M5H 2N2")
    assert "Adatum Corporation was added." in page.locator("main").inner_text()
