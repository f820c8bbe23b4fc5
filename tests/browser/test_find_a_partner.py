"""A visitor finds a demo partner in the find-a-partner directory by industry and country and sends "Contact me"."""

from __future__ import annotations

import pytest

from leads.models import Lead
from partnerportal.models import Partner
from partnerportal.seeding.profiles import seed_profiles
from partnerportal.staff.services import partner_create, staff_user_create
from permissions.roles import AdminRole, AgentRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo_partner(name: str, partner_id: str, domain: str) -> Partner:
    partner = partner_create(
        name=name, partner_id=partner_id, type=Partner.Type.DIRECT_BILL, market="US", email_domain=domain
    )
    staff_user_create(partner=partner, email=f"global.admin@{domain}", admin_role=AdminRole.GLOBAL_ADMIN)
    staff_user_create(partner=partner, email=f"sales.agent@{domain}", agent_role=AgentRole.SALES_AGENT)
    seed_profiles(partner=partner)
    return partner


def test_a_visitor_finds_contoso_by_industry_and_country_and_asks_to_be_contacted(live_server, page):
    contoso = _demo_partner("Contoso Cloud", "CONTOSO-001", "contoso.example")
    _demo_partner("Northwind Traders", "NORTHWIND-001", "northwind.example")  # retail: filtered out below
    page.goto(live_server.url + "/find-a-partner/")
    page.select_option("select[name=industry]", "healthcare")
    page.select_option("select[name=country]", "US")
    page.click("#directory-search button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "industry=healthcare" in page.url and "country=US" in page.url
    results = page.locator(".directory-result h2").all_inner_texts()
    assert results and set(results) == {"Contoso Cloud"}, results
    page.locator(".directory-result h2 a").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#company-name").inner_text() == "Contoso Cloud"
    assert page.locator("img.profile-logo").evaluate("img => img.naturalWidth") == 300
    page.click("#contact-me")
    page.wait_for_load_state("domcontentloaded")
    page.fill("input[name=company_name]", "Adatum Clinics")
    page.fill("input[name=contact_name]", "Dana Park")
    page.fill("input[name=email]", "dana@adatum.example")
    page.fill("input[name=phone]", "+1 425 555 0100")
    page.select_option("select[name=company_size]", "small")
    page.fill("textarea[name=message]", "Three clinics need Microsoft 365.")
    page.check("input[name=consent]")
    assert not page.locator("input[name=website]").is_visible(), "the honeypot stays out of sight"
    page.click("#contact-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#contact-sent").is_visible()
    lead = Lead.objects.get()
    assert lead.partner_id == contoso.pk and lead.company_name == "Adatum Clinics"
    assert lead.lead_contact is not None and lead.lead_contact.email == "sales.agent@contoso.example"
