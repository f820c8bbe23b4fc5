"""The portal's journeys as a new user does them, in real Chromium, each once with JavaScript and once without:
add a customer (live domain check, or the server's check on submit), invite a new organisation and have it accept
through the mailed link and code, end a relationship and restore it, look a customer up at the helpdesk, add a staff
member who sets a password from the mail and signs in, and a distributor adding a customer for its reseller.

Mail goes through the outbox and the email worker to a real SMTP server (`tests/smtp.py`). Every step asserts what
the person sees — headings, messages, table rows — and finds elements by role, label and visible text. Each journey
builds only the few rows it needs (`tests/factories.py`), never the demo data.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from partnerportal.models import Partner
from relationships.services.partnerships import partnership_authorize, partnership_request
from tests.browser.helpers import code_in, field, link_in, mail, nav, person, row, sign_in
from tests.factories import make_customer, make_partner, make_user
from tests.smtp import SMTPServer, body_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
NEW_PASSWORD = "Lantern-Orchard-Quiet-71"


@pytest.fixture
def base_url(live_server, settings) -> str:
    """The server under test, which the mailed links point at."""
    settings.PORTAL_BASE_URL = live_server.url
    return live_server.url


# --- steps shared by the journeys ---------------------------------------------------------------------------------


def fill_customer_profile(page: Page, *, company: str, prefix: str | None, email: str) -> None:
    """The Add customer fields (the same on the acceptance page), for a company in Washington, US."""
    page.get_by_label("Company name").fill(company)
    if prefix is not None:
        page.get_by_label("Primary domain name").fill(prefix)
    page.get_by_label("Country/region").select_option("US")
    page.get_by_label("Address line 1").fill("1 Microsoft Way")
    page.get_by_label("City").fill("Redmond")
    page.get_by_label("State/province").select_option("US-WA")
    page.get_by_label("Postal code").fill("98052")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Lee")
    field(page, "Email address").fill(email)


def accept_invitation(browser, link: str, smtp: SMTPServer, *, email: str, js: bool, profile: dict | None) -> None:
    """The customer's global admin opens the mailed link in their own browser, confirms the address with the mailed
    code, completes the profile when the organisation is new, and accepts."""
    with person(browser, js=js) as customer:
        customer.goto(link)
        expect(customer.get_by_role("heading", level=1)).to_contain_text("invites you to a reseller relationship")
        customer.get_by_role("button", name="Send me a code").click()
        expect(customer.get_by_text("We are emailing a code")).to_be_visible()
        code = code_in(mail(smtp, to=email, subject="Your code"))
        customer.get_by_label("Code from the email").fill(code)
        customer.get_by_role("button", name="Confirm the code").click()
        expect(customer.get_by_text("the address you confirmed with the emailed code")).to_be_visible()
        if profile is not None:
            fill_customer_profile(customer, **profile)
        customer.get_by_label("Your name").fill("Dana Lee")
        customer.get_by_label("I am a global administrator of this organisation").check()
        customer.get_by_label("I accept the reseller relationship and the customer agreement").check()
        customer.get_by_role("button", name="Accept the invitation").click()
        expect(customer.get_by_role("heading", level=1)).to_have_text("Invitation accepted")


def end_relationship(page: Page, *, customer: str) -> None:
    """On the customer's page: End relationship, a reason, the good-faith statement, confirm."""
    page.get_by_role("link", name="End relationship").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"End the relationship with {customer}")
    page.get_by_label("Reason").select_option(label="The customer asked to end the relationship")
    page.get_by_label("I confirm that the decision to end this relationship was made in good faith").check()
    page.get_by_role("button", name="End relationship").click()


def add_staff_member(page: Page, *, email: str, first: str, last: str, agent_role: str) -> None:
    """Staff › Add user: email, names, an agent role; the whole partner as scope (the default)."""
    page.get_by_role("link", name="Add user").click()
    field(page, "Email address").fill(email)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_role("radio", name=agent_role, exact=True).check()
    page.get_by_role("button", name="Add user").click()


# --- 1. Add customer with the live domain check -------------------------------------------------------------------


@JS
def test_add_customer_with_the_domain_check(base_url, browser, js):
    partner = make_partner(name="Contoso Cloud", domain="contoso.example")
    agent = make_user(partner, "sales_agent")
    make_customer(make_partner(), prefix="fourthcoffee")  # another partner's customer holds the domain

    with person(browser, js=js) as page:
        sign_in(page, base_url, agent.email)
        page.get_by_role("link", name="Add customer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add customer")
        if js:
            # While typing, before anything is submitted.
            page.get_by_label("Primary domain name").fill("FourthCoffee")
            expect(page.get_by_text("This domain name is already in use")).to_be_visible()
            page.get_by_label("Primary domain name").fill("adatum2026")
            expect(page.get_by_text("adatum2026.onmicrosoft.com is available.")).to_be_visible()
            fill_customer_profile(page, company="Adatum Corporation", prefix=None, email="dana@adatum.example.net")
        else:
            # Without the script the server checks on submit and keeps what was typed.
            fill_customer_profile(
                page, company="Adatum Corporation", prefix="FourthCoffee", email="dana@adatum.example.net"
            )
            page.get_by_role("button", name="Add customer").click()
            # The error summary at the top links to the field, and the message stands next to the field.
            summary_link = page.get_by_role("link", name="Primary domain name: This domain name is already in use")
            expect(summary_link).to_be_visible()
            expect(page.locator("main strong", has_text="This domain name is already in use")).to_be_visible()
            expect(page.get_by_label("Company name")).to_have_value("Adatum Corporation")
            page.get_by_label("Primary domain name").fill("adatum2026")
        page.get_by_role("button", name="Add customer").click()

        expect(page.get_by_role("heading", level=1)).to_contain_text("Adatum Corporation")
        expect(page.get_by_text("Adatum Corporation was added.")).to_be_visible()
        expect(page.get_by_text("adatum2026.onmicrosoft.com").first).to_be_visible()
        nav(page, "Customers")
        expect(row(page, "adatum2026.onmicrosoft.com")).to_contain_text("Adatum Corporation")


# --- 2. Invite → mailed link → accept → in the list ---------------------------------------------------------------


@JS
def test_invite_accept_and_the_customer_is_in_the_list(base_url, browser, smtp, js):
    partner = make_partner(name="Contoso Cloud", domain="contoso.example")
    agent = make_user(partner, "admin_agent")
    invited = "it.admin@fourthcoffee.example.net"

    with person(browser, js=js) as page:
        sign_in(page, base_url, agent.email)
        page.get_by_role("link", name="New invitation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Request a reseller relationship")
        page.get_by_label("Recipient email").fill(invited)
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Invitation sent")
        expect(page.get_by_text(f"We are emailing the invitation to {invited}.")).to_be_visible()

        link = link_in(mail(smtp, to=invited, subject="Contoso Cloud invites you"), "/invite/")
        assert link.startswith(base_url)
        profile = {"company": "Fourth Coffee Ltd", "prefix": "fourthcoffee", "email": invited}
        accept_invitation(browser, link, smtp, email=invited, js=js, profile=profile)

        # The partner is told, and the new customer is in its list with the relationship.
        assert mail(smtp, to=agent.email, subject="accepted")
        nav(page, "Customers")
        listed = row(page, "Fourth Coffee Ltd")
        expect(listed).to_contain_text("fourthcoffee.onmicrosoft.com")
        expect(listed).to_contain_text("Direct reseller")
        nav(page, "Invitations")
        expect(row(page, invited)).to_contain_text("Accepted")


# --- 3. End and restore -------------------------------------------------------------------------------------------


@JS
def test_end_a_relationship_and_restore_it(base_url, browser, smtp, js):
    partner = make_partner(name="Contoso Cloud", domain="contoso.example")
    agent = make_user(partner, "admin_agent")
    customer = make_customer(partner, actor=agent, data={"company_name": "Wingtip Toys"})
    contact = customer.contact_email

    with person(browser, js=js) as page:
        sign_in(page, base_url, agent.email)
        page.get_by_role("link", name="Wingtip Toys").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Wingtip Toys")
        end_relationship(page, customer="Wingtip Toys")
        expect(page.get_by_text("The relationship with Wingtip Toys has ended.")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Customers")
        expect(row(page, "Wingtip Toys")).to_have_count(0)

        nav(page, "Ended relationships")
        ended = row(page, "Wingtip Toys")
        expect(ended).to_contain_text("The customer asked to end the relationship")
        ended.get_by_role("link", name="Send restore invitation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Restore the relationship with Wingtip Toys")
        expect(page.get_by_label("Recipient email")).to_have_value(contact)
        page.get_by_role("button", name="Send restore invitation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Restore invitation sent")

        restore_mail = mail(smtp, to=contact, subject="Contoso Cloud invites you")
        body = body_of(restore_mail)
        assert "relationship between Contoso Cloud and Wingtip Toys has ended" in body
        assert "would like to restore it" in body
        assert "sign in" not in body.lower()  # the customer has no portal account to sign in with
        accept_invitation(browser, link_in(restore_mail, "/invite/"), smtp, email=contact, js=js, profile=None)

        nav(page, "Customers")
        expect(row(page, "Wingtip Toys")).to_have_count(1)
        nav(page, "Ended relationships")
        expect(page.get_by_text("No ended relationships.")).to_be_visible()
        expect(row(page, "Wingtip Toys")).to_have_count(0)


# --- 4. Helpdesk lookup -------------------------------------------------------------------------------------------


@JS
def test_helpdesk_finds_a_customer_by_email_fragment_and_by_id(base_url, browser, js):
    partner = make_partner(name="Contoso Cloud", domain="contoso.example")
    admin = make_user(partner, "global_admin")
    agent = make_user(partner, "helpdesk_agent")
    wanted = make_customer(
        partner, actor=admin, data={"company_name": "Litware Inc.", "contact_email": "ops.lead@litware.example.net"}
    )
    make_customer(partner, actor=admin, data={"company_name": "Proseware", "contact_email": "it@proseware.example.net"})

    with person(browser, js=js) as page:
        sign_in(page, base_url, agent.email)
        nav(page, "Lookup")
        expect(page.get_by_role("heading", level=1)).to_have_text("Customer lookup")
        box = page.get_by_label("Customer ID, domain, contact email or name")

        box.fill("ops.lead@litw")
        page.get_by_role("button", name="Look up").click()
        found = row(page, "Litware Inc.")
        expect(found).to_contain_text("ops.lead@litware.example.net")
        expect(found).to_contain_text("Contains")
        expect(row(page, "Proseware")).to_have_count(0)

        box.fill(str(wanted.pk))
        page.get_by_role("button", name="Look up").click()
        # The new results, not the previous page's: the row now says what matched exactly.
        expect(found).to_contain_text("Exact: customer ID")
        expect(found).to_contain_text(str(wanted.pk))
        expect(row(page, "Proseware")).to_have_count(0)
        expect(box).to_have_value(str(wanted.pk))

        row(page, "Litware Inc.").get_by_role("link", name="Litware Inc.").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Litware Inc.")


# --- 5. A global admin adds a staff member, who sets a password from the mail and signs in ------------------------


@JS
def test_new_staff_member_sets_a_password_from_the_mail_and_signs_in(base_url, browser, smtp, js):
    # The partner does not require MFA (nor do the test settings), so the new member is not sent to enrol.
    partner = make_partner(name="Contoso Cloud", domain="contoso.example")
    admin = make_user(partner, "global_admin")
    make_customer(partner, actor=admin, data={"company_name": "Wingtip Toys"})
    new = "mina.park@contoso.example"

    with person(browser, js=js) as page:
        sign_in(page, base_url, admin.email)
        nav(page, "Staff")
        add_staff_member(page, email=new, first="Mina", last="Park", agent_role="Sales agent")
        expect(page.get_by_text(f"{new} was added and sent a link to choose a password.")).to_be_visible()
        expect(row(page, new)).to_contain_text("Mina Park")

    link = link_in(mail(smtp, to=new, subject="Your Contoso Cloud account"), "/staff/set-password/")
    with person(browser, js=js) as member:
        member.goto(link)
        expect(member.get_by_role("heading", level=1)).to_have_text("Choose your password")
        expect(member.get_by_text(f"You will sign in as {new}.")).to_be_visible()
        field(member, "New password").fill(NEW_PASSWORD)
        member.get_by_label("New password confirmation").fill(NEW_PASSWORD)
        member.get_by_role("button", name="Set password").click()
        expect(member.get_by_text("Your password is set.")).to_be_visible()
        sign_in(member, base_url, new, NEW_PASSWORD)
        expect(member.get_by_role("heading", level=1)).to_contain_text("Customers")
        expect(row(member, "Wingtip Toys")).to_have_count(1)
        expect(member.get_by_role("navigation").get_by_role("link", name="Staff", exact=True)).to_have_count(0)


# --- 6. A distributor adds a customer for its reseller, who then sees it ------------------------------------------


@JS
def test_distributor_adds_a_customer_for_its_reseller(base_url, browser, js):
    provider = make_partner(
        name="Fabrikam Distribution", type=Partner.Type.INDIRECT_PROVIDER, domain="fabrikam.example"
    )
    reseller = make_partner(name="Northwind Traders", type=Partner.Type.INDIRECT_RESELLER, domain="northwind.example")
    provider_agent = make_user(provider, "admin_agent")
    reseller_agent = make_user(reseller, "sales_agent")
    _, token = partnership_request(
        actor=make_user(provider, "global_admin"), email="admin@northwind.example", message=""
    )
    partnership_authorize(actor=make_user(reseller, "global_admin"), token=token)

    with person(browser, js=js) as page:
        sign_in(page, base_url, provider_agent.email)
        page.get_by_role("link", name="Add customer").click()
        page.get_by_label("Indirect reseller").select_option(label="Northwind Traders")
        fill_customer_profile(page, company="Tailspin Toys", prefix="tailspintoys", email="it@tailspin.example.net")
        page.get_by_role("button", name="Add customer").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Tailspin Toys")
        expect(page.get_by_text("Tailspin Toys was added.")).to_be_visible()
        nav(page, "Customers")
        expect(row(page, "Tailspin Toys")).to_contain_text("Indirect provider for Northwind Traders")

    with person(browser, js=js) as staff:
        sign_in(staff, base_url, reseller_agent.email)
        listed = row(staff, "Tailspin Toys")
        expect(listed).to_contain_text("tailspintoys.onmicrosoft.com")
        expect(listed).to_contain_text("Indirect reseller via Fabrikam Distribution")
        listed.get_by_role("link", name="Tailspin Toys").click()
        expect(staff.get_by_role("heading", level=1)).to_contain_text("Tailspin Toys")
