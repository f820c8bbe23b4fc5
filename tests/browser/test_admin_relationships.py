"""The admin-relationship journey in a real browser: an admin agent of Contoso requests a relationship from a role
template on the customer's page; the request email arrives at a real SMTP server; its link opens the public approval
page in a fresh browser context (with and without JavaScript); the customer approves; the agent assigns a security
group; a member of that group sees the customer and roles on "My admin access"; another partner's staff get 404."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager

import pytest
from django.core.management import call_command

from adminrelationships.models import AdminRelationship, Status
from adminrelationships.services import role_template_create
from customers.models import Customer
from partnerportal.models import Partner
from partnerportal.seeding.admin_relationships import DIRECTORY_READERS, HELPDESK_ADMINISTRATOR, HELPDESK_STANDARD
from partnerportal.seeding.demo import DEMO_PASSWORD
from tests.factories import PASSWORD
from tests.smtp import SMTPServer, body_of, run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/admin-approval/[A-Za-z0-9_-]+/")
HELPDESK_STANDARD_NAMES = ["Directory Readers", "Helpdesk Administrator", "Service Support Administrator"]


@contextmanager
def fresh_page(browser, *, javascript: bool = True):
    """A page in a browser context of its own (another person's browser); fails on a Content-Security-Policy block."""
    context = browser.new_context(locale="en-US", java_script_enabled=javascript)
    violations: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        yield page
    finally:
        context.close()
    assert not violations, f"blocked by the Content-Security-Policy: {violations}"


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_selector("#customer-table")


def mailed_link(smtp: SMTPServer, to: str) -> str:
    """The approval link in the one request email the customer's contact received."""
    [message] = smtp.received(to=to)
    match = LINK.search(body_of(message))
    assert match, "the request email carries the approval link"
    return match.group(0)


def request_from_template(page, base_url: str, customer, name: str) -> AdminRelationship:
    """On the customer's page: Request admin relationship, pick the template, send."""
    page.goto(base_url + customer.get_absolute_url())
    page.click("#request-admin-relationship")
    page.wait_for_selector("#privileged-warning")
    page.fill("input[name=name]", name)
    page.fill("input[name=duration_days]", "365")
    page.select_option("select[name=template]", label="Helpdesk standard")
    page.click("button[type=submit]:has-text('Send request')")
    page.wait_for_selector("#assign-admin-relationship, #terminate-admin-relationship")
    relationship = AdminRelationship.objects.get(name=name)
    assert page.url.endswith(relationship.get_absolute_url())
    assert relationship.status == Status.APPROVAL_PENDING
    assert sorted(role.name for role in relationship.role_list) == HELPDESK_STANDARD_NAMES
    assert "/admin-approval/" not in page.content(), "staff never see the approval link"
    return relationship


def approve_in_fresh_context(browser, link: str, relationship: AdminRelationship, *, javascript: bool) -> None:
    """The customer's administrator opens the mailed link in their own browser and approves all the roles."""
    with fresh_page(browser, javascript=javascript) as page:
        page.goto(link)
        relationship.refresh_from_db()
        assert relationship.status == Status.APPROVAL_PENDING, "opening the link changes nothing"
        text = page.inner_text("body")
        for role in HELPDESK_STANDARD_NAMES:
            assert role in text, "every requested role is shown"
        assert "365 days" in text
        page.fill("#approve-form input[name=name]", "Ana Kim")
        page.check("#approve-form input[name=confirm]")
        page.click("#approve-form button[value=approve]")
        page.wait_for_selector("#approval-outcome")
        assert "is approved" in page.inner_text("#approval-outcome")


def test_request_email_approval_assignment_and_my_admin_access(live_server, settings, browser, page, smtp):
    """On the demo data: Contoso's admin agent, a demo customer, the demo template and the demo Helpdesk group."""
    call_command("seed_demo", stdout=io.StringIO())
    settings.PORTAL_BASE_URL = live_server.url  # the mailed link points at the server under test
    contoso = Partner.objects.get(partner_id="CONTOSO-001")
    customer = Customer.objects.get(primary_domain__startswith="contoso010.")
    assert not customer.admin_relationships.exists()

    sign_in(page, live_server.url, "admin.agent@contoso.example", DEMO_PASSWORD)
    relationship = request_from_template(page, live_server.url, customer, "Helpdesk for the service desk")
    assert relationship.partner == contoso
    assert not smtp.received(), "nothing is sent inside the request"
    run_worker(smtp)
    link = mailed_link(smtp, customer.contact_email)
    assert link.startswith(live_server.url + "/admin-approval/")

    approve_in_fresh_context(browser, link, relationship, javascript=True)
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE and relationship.approved_name == "Ana Kim"

    # The admin agent assigns the Helpdesk group two of the approved roles.
    page.goto(live_server.url + relationship.get_absolute_url())
    page.click("#assign-admin-relationship")
    page.select_option("select[name=group]", label="Helpdesk")
    page.check(f"input[name=roles][value='{DIRECTORY_READERS}']")
    page.check(f"input[name=roles][value='{HELPDESK_ADMINISTRATOR}']")
    page.click("button[type=submit]:has-text('Save assignment')")
    page.wait_for_selector("text=Assignments saved.")
    assert page.url.endswith(relationship.get_absolute_url() + "assign/"), "back on the page, for the next group"
    shown = page.inner_text("#admin-relationship-assignments")
    assert "Helpdesk" in shown and "Helpdesk Administrator" in shown
    assert relationship.assignments.get().group.name == "Helpdesk"

    # A member of the group signs in and sees the customer and the roles before taking a call.
    with fresh_page(browser) as member:
        sign_in(member, live_server.url, "helpdesk.agent@contoso.example", DEMO_PASSWORD)
        member.goto(live_server.url + "/admin-relationships/mine/")
        row = member.locator("#my-admin-access tbody tr", has_text=relationship.name)
        assert row.count() == 1
        text = row.inner_text()
        assert customer.company_name in text
        assert "Directory Readers" in text and "Helpdesk Administrator" in text
        assert "Service Support Administrator" not in text, "only the roles the group holds"
        assert "Helpdesk" in text

    # Staff of another partner get 404 on the relationship's pages.
    with fresh_page(browser) as other:
        sign_in(other, live_server.url, "admin.agent@fabrikam.example", DEMO_PASSWORD)
        for path in (relationship.get_absolute_url(), relationship.get_absolute_url() + "assign/"):
            response = other.goto(live_server.url + path)
            assert response is not None and response.status == 404


def test_the_approval_page_works_without_javascript(live_server, settings, browser, page, world, smtp):
    settings.PORTAL_BASE_URL = live_server.url
    agent = world.users["admin_agent"]
    customer = world.customer_in
    role_template_create(actor=agent, name="Helpdesk standard", roles=HELPDESK_STANDARD)
    sign_in(page, live_server.url, agent.email)
    relationship = request_from_template(page, live_server.url, customer, "Helpdesk no script")
    run_worker(smtp)
    approve_in_fresh_context(browser, mailed_link(smtp, customer.contact_email), relationship, javascript=False)
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE
    run_worker(smtp)
    assert any("approved" in str(m["Subject"]) for m in smtp.received(to=agent.email)), "the requester is told"
