"""The design system's JavaScript in real Chromium: focus moves to the error summary; IDs get a copy button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_customer, make_partner, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_submit_focuses_the_error_summary_and_ids_have_a_copy_button(live_server, page):
    partner = make_partner(name="Contoso Cloud", domain="contoso.example")
    admin = make_user(partner, "global_admin")
    customer = make_customer(partner, actor=admin, prefix="fourthcoffee")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_load_state("domcontentloaded")

    # The skip link is the first stop of the keyboard and leads to <main>.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()

    # The customer ID in the list: one line, with a copy button that JavaScript added beside it.
    cell = page.locator("#customer-table tbody tr").first.locator("td").nth(1)
    expect(cell.locator(".portal-id")).to_have_text(str(customer.pk))
    expect(cell.locator("button.copy-button")).to_have_count(1)
    assert cell.inner_text().strip() == str(customer.pk), "the button adds no text to the cell"
    box = cell.locator(".portal-id").bounding_box()
    assert box is not None and box["height"] < 24, "the ID stays on one line"

    page.goto(live_server.url + "/customers/new/")
    page.fill("#id_company_name", "Adatum Corporation")
    page.click("button[type=submit]:has-text('Add customer')")
    page.wait_for_load_state("domcontentloaded")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    # Each link leads to its field.
    summary.locator("a[href='#id_contact_email']").click()
    expect(page.locator("#id_contact_email")).to_be_focused()
