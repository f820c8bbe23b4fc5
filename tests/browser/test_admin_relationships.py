"""The admin-relationship journey in a real browser: an admin agent of Contoso requests a relationship from a role
template on the customer's page; the request email arrives at a real SMTP server; its link opens the public approval
page in a fresh browser context (with and without JavaScript); the customer approves; the agent assigns a security
group; a member of that group sees the customer and roles on "My admin access"; another partner's staff get 404."""

from __future__ import annotations

import re

import pytest

from adminrelationships.models import AdminRelationship, Status
from adminrelationships.services import role_template_create, security_group_save
from tests.factories import PASSWORD
from tests.smtp import SMTPServer, body_of, run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/admin-approval/[A-Za-z0-9_-]+/")
HELPDESK_STANDARD = ["Directory Readers", "Helpdesk Administrator", "Service Support Administrator"]


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
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
    assert sorted(role.name for role in relationship.role_list) == HELPDESK_STANDARD
    assert "/admin-approval/" not in page.content(), "staff never see the approval link"
    return relationship


def approve_in_fresh_context(browser, link: str, *, javascript: bool) -> None:
    """The customer's administrator opens the mailed link in their own browser and approves all the roles."""
    context = browser.new_context(locale="en-US", java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(link)
        text = page.inner_text("body")
        for role in HELPDESK_STANDARD:
            assert role in text, "every requested role is shown"
        assert "365 days" in text
        page.fill("#approve-form input[name=name]", "Ana Kim")
        page.check("#approve-form input[name=confirm]")
        page.click("#approve-form button[value=approve]")
        page.wait_for_selector("#approval-outcome")
        assert "is approved" in page.inner_text("#approval-outcome")
    finally:
        context.close()


def test_request_email_approval_assignment_and_my_admin_access(live_server, settings, browser, page, world, smtp):
    settings.PORTAL_BASE_URL = live_server.url  # the mailed link points at the server under test
    agent, helpdesk = world.users["admin_agent"], world.users["helpdesk_agent"]
    customer = world.customer_in
    role_template_create(
        actor=agent,
        name="Helpdesk standard",
        roles=[
            "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
            "729827e3-9c14-49f7-bb1b-9608f156bbb8",
            "f023fd81-a637-4b56-95fd-791ac0226033",
        ],
    )
    security_group_save(actor=world.users["global_admin"], name="Helpdesk", members=[helpdesk])

    sign_in(page, live_server.url, agent.email)
    relationship = request_from_template(page, live_server.url, customer, "Helpdesk standard")
    assert not smtp.received(), "nothing is sent inside the request"
    run_worker(smtp)
    link = mailed_link(smtp, customer.contact_email)
    assert link.startswith(live_server.url + "/admin-approval/")

    approve_in_fresh_context(page.context.browser, link, javascript=True)
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE and relationship.approved_name == "Ana Kim"

    # The admin agent assigns the Helpdesk group two of the approved roles.
    page.goto(live_server.url + relationship.get_absolute_url())
    page.click("#assign-admin-relationship")
    page.select_option("select[name=group]", label="Helpdesk")
    page.check("input[name=roles][value='88d8e3e3-8f55-4a1e-953a-9b9898b8876b']")
    page.check("input[name=roles][value='729827e3-9c14-49f7-bb1b-9608f156bbb8']")
    page.click("button[type=submit]:has-text('Save assignment')")
    page.wait_for_selector("text=Assignments saved.")
    assert page.url.endswith(relationship.get_absolute_url() + "assign/"), "back on the page, for the next group"
    shown = page.inner_text("#admin-relationship-assignments")
    assert "Helpdesk" in shown and "Helpdesk Administrator" in shown
    assert relationship.assignments.get().group.name == "Helpdesk"

    # A member of the group signs in and sees the customer and the roles before taking a call.
    member = page.context.browser.new_context(locale="en-US")
    try:
        member_page = member.new_page()
        member_page.set_default_timeout(15_000)
        sign_in(member_page, live_server.url, helpdesk.email)
        member_page.goto(live_server.url + "/admin-relationships/mine/")
        row = member_page.locator("#my-admin-access tbody tr", has_text=customer.company_name)
        assert row.count() == 1
        assert "Directory Readers" in row.inner_text() and "Helpdesk Administrator" in row.inner_text()
        assert "Service Support Administrator" not in row.inner_text(), "only the roles the group holds"
        assert "Helpdesk" in row.inner_text()
    finally:
        member.close()

    # Staff of another partner get 404 on the relationship's page.
    other = page.context.browser.new_context(locale="en-US")
    try:
        other_page = other.new_page()
        other_page.set_default_timeout(15_000)
        sign_in(other_page, live_server.url, world.user_b.email)
        response = other_page.goto(live_server.url + relationship.get_absolute_url())
        assert response is not None and response.status == 404
    finally:
        other.close()


def test_the_approval_page_works_without_javascript(live_server, settings, browser, page, world, smtp):
    settings.PORTAL_BASE_URL = live_server.url
    agent = world.users["admin_agent"]
    customer = world.customer_in
    role_template_create(
        actor=agent,
        name="Helpdesk standard",
        roles=[
            "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
            "729827e3-9c14-49f7-bb1b-9608f156bbb8",
            "f023fd81-a637-4b56-95fd-791ac0226033",
        ],
    )
    sign_in(page, live_server.url, agent.email)
    relationship = request_from_template(page, live_server.url, customer, "Helpdesk no script")
    run_worker(smtp)
    approve_in_fresh_context(browser, mailed_link(smtp, customer.contact_email), javascript=False)
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE
    run_worker(smtp)
    assert any("approved" in str(m["Subject"]) for m in smtp.received(to=agent.email)), "the requester is told"
