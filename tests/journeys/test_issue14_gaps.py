"""Bullets of issue 14 that no test covered yet: the demo data (a published profile per partner, leads in every
state), losing and closing a lead as an error through its pages, the lead list's keyset pages keeping the filters,
the profile deletion asking before it deletes, team members limited to the partner's active staff, and the country
pre-filled from a lead."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from activity.actions import Actions
from activity.models import ActivityEntry
from leads.models import STATE_CHOICES, Lead
from leads.services import lead_accept
from partnerportal.models import Partner
from profiles.models import BusinessProfile
from tests.leads.factories import deal_data, deal_form, make_accepted_lead, make_lead
from tests.profiles.helpers import make_profile

LIST = reverse("leads:lead_list")


def test_the_demo_has_a_published_profile_per_partner_and_leads_in_every_state(db):
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    partners = list(Partner.objects.order_by("name"))
    assert len(partners) == 3
    states = {code for code, _label in STATE_CHOICES}
    for partner in partners:
        published = BusinessProfile.objects.filter(partner=partner, status=BusinessProfile.Status.PUBLISHED)
        assert published.exists() and all(profile.locations.exists() for profile in published), partner
        assert {lead.state for lead in Lead.objects.filter(partner=partner).with_status()} == states, partner


def test_an_accepted_lead_is_lost_and_a_received_one_closed_as_error_through_the_pages(world, client_for):
    agent = world.users["sales_agent"]
    client = client_for(agent)
    accepted = make_accepted_lead(world.partner_a, actor=agent)
    received = make_lead(world.partner_a, contact=agent)
    assert client.post(reverse("leads:lead_lose", args=[accepted.pk])).status_code == 302
    assert client.post(reverse("leads:lead_close", args=[received.pk])).status_code == 302
    accepted.refresh_from_db()
    received.refresh_from_db()
    assert accepted.status == Lead.Status.LOST and accepted.lost_at is not None
    assert received.status == Lead.Status.CLOSED_AS_ERROR
    for lead, action in ((accepted, Actions.LEAD_LOSE), (received, Actions.LEAD_CLOSE_ERROR)):
        assert ActivityEntry.objects.filter(action=action, details__lead=lead.pk, actor=agent).count() == 1
        assert "Archived: no action can be taken." in client.get(lead.get_absolute_url()).content.decode()


@override_settings(PORTAL_PAGE_SIZE=2)
def test_the_lead_list_pages_by_keyset_keeping_the_filters(world, client_for):
    for name in ("Alpha Clinics", "Bravo Clinics", "Charlie Clinics"):
        make_lead(world.partner_a, company_name=name, country="KR")
    make_lead(world.partner_a, company_name="Delta Elsewhere", country="DE")
    client = client_for(world.users["global_admin"])
    first = client.get(LIST, {"country": "KR", "sort": "company"})
    assert [lead.company_name for lead in first.context["leads"]] == ["Alpha Clinics", "Bravo Clinics"]
    cursor = first.context["page"].next_cursor
    assert cursor and f"after={cursor}" in first.content.decode()
    second = client.get(LIST, {"country": "KR", "sort": "company", "after": cursor})
    assert [lead.company_name for lead in second.context["leads"]] == ["Charlie Clinics"]
    assert not second.context["page"].next_cursor


def test_deleting_a_profile_asks_first_and_the_question_deletes_nothing(world, client_for):
    admin = world.users["global_admin"]
    profile = make_profile(admin, published=True)
    url = reverse("profiles:profile_delete", args=[profile.pk])
    page = client_for(admin).get(url)
    assert page.status_code == 200
    assert "This cannot be undone" in page.content.decode() and 'id="profile-delete-confirm"' in page.content.decode()
    assert BusinessProfile.objects.filter(pk=profile.pk, status=BusinessProfile.Status.PUBLISHED).exists()
    assert url in client_for(admin).get(profile.get_absolute_url()).content.decode()


def test_team_members_are_active_staff_of_the_partner_on_the_page_and_in_the_service(world, client_for):
    agent = world.users["sales_agent"]
    lead = make_lead(world.partner_a, contact=agent)
    outsider = world.user_b  # staff of partner B
    response = client_for(agent).post(reverse("leads:lead_accept", args=[lead.pk]), deal_form([agent, outsider]))
    assert response.status_code == 200 and "team_members" in response.context["form"].errors
    with pytest.raises(ValidationError) as caught:
        lead_accept(actor=agent, lead=lead, **deal_data([agent, outsider]))
    assert "team_members" in caught.value.error_dict
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.RECEIVED


def test_add_customer_from_a_lead_prefills_its_country(world, client_for):
    agent = world.users["sales_agent"]
    lead = make_accepted_lead(world.partner_a, actor=agent, country="CA", company_name="Maple Clinics")
    form = client_for(agent).get(reverse("customers:customer_create") + f"?lead={lead.pk}").context["form"]
    assert (form.initial["country"], form.initial["company_name"]) == ("CA", "Maple Clinics")
