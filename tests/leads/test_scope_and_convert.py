"""Who sees which lead (assigned-scope staff: the leads they are on the team of, or the contact of), two accepts at
once (one wins), and converting an accepted lead into a customer or an invitation through the existing pages."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from activity.actions import Actions
from activity.models import ActivityEntry
from customers.models import Customer
from leads.models import Lead
from leads.services import lead_accept
from relationships.models import Invitation
from tests.factories import customer_form_data, make_user
from tests.leads.factories import deal_data, make_accepted_lead, make_lead
from tests.relationships.invite_helpers import accept_url, acceptance_data, verify_mailbox

LIST = reverse("leads:lead_list")


def _names(client) -> str:
    return client.get(LIST).content.decode()


@pytest.mark.django_db
def test_assigned_scope_staff_see_only_leads_they_are_on_or_contact_of(world, client_for):
    admin = world.users["global_admin"]
    mine = make_user(world.partner_a, "sales_agent", scope="assigned")
    contact_of = make_lead(world.partner_a, contact=mine, company_name="Mine As Contact")
    others = make_lead(world.partner_a, contact=admin, company_name="Someone Elses")
    on_team = make_accepted_lead(world.partner_a, actor=admin, team=[admin, mine], company_name="Mine On Team")
    off_team = make_accepted_lead(world.partner_a, actor=admin, team=[admin], company_name="Not On Team")

    client = client_for(mine)
    page = _names(client)
    assert "Mine As Contact" in page and "Mine On Team" in page
    assert "Someone Elses" not in page and "Not On Team" not in page
    for lead in (others, off_team):
        assert client.get(lead.get_absolute_url()).status_code == 404
        assert client.post(reverse("leads:lead_win", args=[lead.pk])).status_code == 404
    assert client.get(contact_of.get_absolute_url()).status_code == 200
    export = b"".join(client.get(reverse("leads:lead_export")).streaming_content).decode("utf-8-sig")
    assert {row[2] for row in list(csv.reader(io.StringIO(export)))[1:]} == {"Mine As Contact", "Mine On Team"}
    # The whole-partner sales agent sees all four.
    page = _names(client_for(world.users["sales_agent"]))
    assert all(name in page for name in ("Mine As Contact", "Someone Elses", "Mine On Team", "Not On Team"))
    assert on_team.pk


@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_once_accept_once(world):
    admin, agent = world.users["global_admin"], world.users["sales_agent"]
    lead = make_lead(world.partner_a)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def accept(actor):
        try:
            barrier.wait()
            lead_accept(actor=actor, lead=Lead.objects.get(pk=lead.pk), **deal_data([actor], deal_name=actor.email))
            results.append("accepted")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(user,)) for user in (admin, agent)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["accepted", "refused"]
    assert ActivityEntry.objects.filter(action=Actions.LEAD_ACCEPT).count() == 1
    lead.refresh_from_db()
    assert list(lead.team_members.values_list("email", flat=True)) == [lead.deal_name]


@pytest.mark.django_db
def test_add_customer_from_a_lead_is_prefilled_links_back_and_wins_it(world, client_for):
    agent = world.users["sales_agent"]
    lead = make_accepted_lead(
        world.partner_a,
        actor=agent,
        company_name="Adatum Corporation",
        contact_name="Ana Kim",
        country="US",
        email="ana.kim@adatum.example.net",
    )
    client = client_for(agent)
    page = client.get(lead.get_absolute_url()).content.decode()
    url = reverse("customers:customer_create") + f"?lead={lead.pk}"
    assert f'href="{url}"' in page.replace("&amp;", "&")
    form = client.get(url).context["form"]
    assert form.initial["company_name"] == "Adatum Corporation"
    assert (form.initial["contact_first_name"], form.initial["contact_last_name"]) == ("Ana", "Kim")
    assert form.initial["contact_email"] == "ana.kim@adatum.example.net" and form.initial["lead"] == lead.pk

    response = client.post(url, customer_form_data(lead=str(lead.pk)))
    assert response.status_code == 302
    customer = Customer.objects.get(company_name="Adatum Corporation")
    lead.refresh_from_db()
    assert lead.customer == customer and lead.status == Lead.Status.WON
    convert = ActivityEntry.objects.get(action=Actions.LEAD_CONVERT, details__lead=lead.pk)
    assert convert.customer_id == customer.pk and convert.actor == agent


@pytest.mark.django_db
def test_a_lead_of_another_partner_prefills_nothing_and_cannot_be_linked(world, client_for):
    other = make_accepted_lead(world.partner_b, actor=world.user_b)
    client = client_for(world.users["sales_agent"])
    url = reverse("customers:customer_create") + f"?lead={other.pk}"
    assert "company_name" not in client.get(url).context["form"].initial
    response = client.post(url, customer_form_data(lead=str(other.pk)))
    assert response.status_code == 200, "the form comes back: the customer is rolled back with the refusal"
    assert not Customer.objects.filter(company_name="Adatum Corporation").exists()
    assert Lead.objects.get(pk=other.pk).status == Lead.Status.ACCEPTED


@pytest.mark.django_db
def test_an_invitation_from_a_lead_links_back_and_the_acceptance_wins_it(world, client_for):
    agent = world.users["sales_agent"]
    lead = make_accepted_lead(world.partner_a, actor=agent, email="it.admin@fourthcoffee.example.net")
    client = client_for(agent)
    url = reverse("relationships:invitation_create") + f"?lead={lead.pk}"
    form = client.get(url).context["form"]
    assert form.initial["email"] == lead.email and form.initial["lead"] == str(lead.pk)
    response = client.post(url, {"email": lead.email, "message": "Welcome aboard.", "lead": str(lead.pk)})
    assert response.status_code == 200
    invitation = Invitation.objects.get(email=lead.email)
    lead.refresh_from_db()
    assert lead.invitation == invitation and lead.status == Lead.Status.ACCEPTED
    assert ActivityEntry.objects.filter(action=Actions.LEAD_CONVERT, details__lead=lead.pk).count() == 1

    token = response.context["link"].rstrip("/").rsplit("/", 1)[1]
    customer_client = Client()
    verify_mailbox(customer_client, token)
    assert customer_client.post(accept_url(token), acceptance_data()).status_code in (200, 302)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.WON and lead.customer is not None
    won = ActivityEntry.objects.get(action=Actions.LEAD_WIN, details__lead=lead.pk)
    assert won.actor is None and won.partner_id == world.partner_a.pk
