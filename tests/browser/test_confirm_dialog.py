"""A destructive action in real Chromium: with JavaScript a dialog asks over the list and posts the action; without
it the link opens the confirmation page, whose red button does the same."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from relationships.models import Invitation
from relationships.services import invitation_create
from tests.browser.test_customer_form import sign_in
from tests.factories import make_partner, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_revoke_asks_in_a_dialog_with_javascript_and_on_a_page_without(live_server, browser, page):
    partner = make_partner(name="Contoso Cloud", domain="contoso.example")
    agent = make_user(partner, "sales_agent")
    first, _ = invitation_create(actor=agent, email="first@fourthcoffee.example.net", message="Hello", dap=True)
    second, _ = invitation_create(actor=agent, email="second@adatum.example.net", message="Hello", dap=True)
    listing = live_server.url + reverse("relationships:invitation_list")

    # With JavaScript: the same question in a dialog over the list; Cancel keeps the invitation.
    sign_in(page, live_server.url, agent.email)
    page.goto(listing)
    page.locator(f"tr[data-invitation='{first.pk}'] a:has-text('Revoke')").click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("Revoke the invitation to first@fourthcoffee.example.net?")
    expect(dialog).to_contain_text("stops working at once")
    assert page.url == listing, "the dialog opens over the list"
    expect(dialog.locator("[data-confirm-close]")).to_be_focused()
    dialog.locator("[data-confirm-close]").click()
    expect(dialog).to_have_count(0)
    first.refresh_from_db()
    assert first.status == Invitation.Status.PENDING

    page.locator(f"tr[data-invitation='{first.pk}'] a:has-text('Revoke')").click()
    page.locator("#confirm-dialog-submit").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("main")).to_contain_text("The invitation to first@fourthcoffee.example.net was revoked.")
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED

    # Without JavaScript: the link opens the confirmation page; its red button revokes.
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    try:
        plain = context.new_page()
        sign_in(plain, live_server.url, agent.email)
        plain.goto(listing)
        plain.locator(f"tr[data-invitation='{second.pk}'] a:has-text('Revoke')").click()
        plain.wait_for_load_state("domcontentloaded")
        assert plain.url == live_server.url + reverse("relationships:invitation_revoke", args=[second.pk])
        expect(plain.locator("h1")).to_have_text("Revoke the invitation to second@adatum.example.net?")
        second.refresh_from_db()
        assert second.status == Invitation.Status.PENDING, "the page only asks"
        plain.click("#confirm-submit")
        plain.wait_for_load_state("domcontentloaded")
        assert plain.url == listing
        expect(plain.locator("main")).to_contain_text("The invitation to second@adatum.example.net was revoked.")
    finally:
        context.close()
    second.refresh_from_db()
    assert second.status == Invitation.Status.REVOKED
