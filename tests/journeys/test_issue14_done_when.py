"""Issue 14's "Done when", end to end through the pages and a real SMTP server: a visitor finds Contoso in the
find-a-partner directory by industry and country and asks to be contacted; Contoso's sales agent (the profile's lead
contact) gets the email, accepts the lead and converts it into an invitation; the customer accepts it through the
emailed link and code; the lead reads won, linked to the invitation, every step in the activity log. Then a lead left
alone reads expired on day 15, eleven leads in a day give one digest, and in the US Government cloud every page of
the journey answers 404 while invitations carry delegated admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from urllib.parse import urlsplit

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from activity.actions import Actions
from activity.models import ActivityEntry
from leads.models import Lead
from leads.services import lead_digest_send
from relationships.models import Invitation, Relationship
from tests.leads.factories import deal_form, make_lead
from tests.profiles.access_targets import BODIES
from tests.profiles.helpers import first_location, make_profile
from tests.relationships.invite_helpers import acceptance_data
from tests.smtp import acceptance_code_in, body_of, invitation_link_in, run_worker

SEARCH = reverse("profiles:directory_search")
CUSTOMER = "dana@adatum.example"  # the visitor's address in the "contact me" body


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_a_visitor_becomes_a_customer_of_contoso_through_a_lead(transactional_db, world, client_for, smtp):
    agent = world.users["sales_agent"]
    profile = make_profile(world.users["global_admin"], published=True, lead_contact=agent)  # healthcare, US
    location = first_location(profile)

    # The visitor, not signed in, finds Contoso by industry and country and opens its location page.
    visitor = Client()
    found = visitor.get(SEARCH, {"industry": "healthcare", "country": "US"})
    assert [row.company for row in found.context["rows"]] == ["Contoso Cloud"]
    assert location.get_absolute_url() in found.content.decode()
    assert visitor.get(SEARCH, {"industry": "retail", "country": "US"}).context["rows"] == []
    page = visitor.get(location.get_absolute_url()).content.decode()
    contact_url = reverse("profiles:directory_contact", args=[location.pk])
    assert contact_url in page

    sent = visitor.post(contact_url, BODIES["contact me"](None))
    assert sent.status_code == 200
    lead = Lead.objects.get(partner=world.partner_a)
    assert (lead.company_name, lead.email, lead.lead_contact) == ("Adatum Clinics", CUSTOMER, agent)
    assert lead.state == Lead.Status.RECEIVED
    assert not smtp.received(), "nothing is sent inside the visitor's request"

    # The lead contact gets the email over SMTP, with the lead's page and none of the customer's details.
    run_worker(smtp)
    [notice] = smtp.received(to=agent.email)
    assert "Adatum Clinics" in body_of(notice) and lead.get_absolute_url() in body_of(notice)
    assert CUSTOMER not in body_of(notice)

    # The sales agent accepts the lead with the deal details.
    staff = client_for(agent)
    detail = staff.get(lead.get_absolute_url())
    assert detail.status_code == 200 and CUSTOMER in detail.content.decode()
    accepted = staff.post(reverse("leads:lead_accept", args=[lead.pk]), deal_form([agent]))
    assert accepted.status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.ACCEPTED

    # "Invite customer" opens the Invite page pre-filled from the lead; sending it links the invitation back.
    invite_url = reverse("relationships:invitation_create") + f"?lead={lead.pk}"
    assert f'href="{invite_url}"' in staff.get(lead.get_absolute_url()).content.decode().replace("&amp;", "&")
    form = staff.get(invite_url).context["form"]
    assert form.initial["email"] == CUSTOMER and form.initial["lead"] == str(lead.pk)
    invited = staff.post(invite_url, {"email": CUSTOMER, "message": "Thank you for asking us.", "lead": str(lead.pk)})
    assert invited.status_code == 200
    invitation = Invitation.objects.get(email=CUSTOMER)
    lead.refresh_from_db()
    assert lead.invitation == invitation and lead.status == Lead.Status.ACCEPTED

    # The customer accepts through the emailed link and the emailed code, as the acceptance flow asks.
    run_worker(smtp)
    [invitation_mail] = smtp.received(to=CUSTOMER)
    assert "Contoso Cloud" in _subject(invitation_mail)
    path = urlsplit(invitation_link_in(invitation_mail)).path
    customer = Client()
    assert customer.get(path).status_code == 200
    assert customer.post(path, {"step": "send_code"}).status_code == 200
    run_worker(smtp)
    [code_mail] = [m for m in smtp.received(to=CUSTOMER) if "code" in _subject(m)]
    confirmed = customer.post(path, {"step": "verify_code", "code": acceptance_code_in(code_mail)})
    assert 'id="acceptance-form"' in confirmed.content.decode()
    data = acceptance_data(**{"profile-company_name": "Adatum Clinics Inc."})
    done = customer.post(path, data)
    assert "Invitation accepted" in done.content.decode()

    # The lead reads won, linked to the invitation and the new customer, and the log tells each step.
    lead.refresh_from_db()
    invitation.refresh_from_db()
    assert lead.status == Lead.Status.WON and lead.won_at is not None
    assert lead.invitation == invitation and invitation.status == Invitation.Status.ACCEPTED
    assert lead.customer is not None and lead.customer == invitation.customer
    assert Relationship.objects.get(customer=lead.customer).partner == world.partner_a
    steps = list(ActivityEntry.objects.filter(details__lead=lead.pk).order_by("pk").values_list("action", "actor_id"))
    assert steps == [
        (Actions.LEAD_RECEIVE, None),
        (Actions.LEAD_ACCEPT, agent.pk),
        (Actions.LEAD_CONVERT, agent.pk),
        (Actions.LEAD_WIN, None),
    ]
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_ACCEPT, customer=lead.customer).exists()
    assert "Won" in staff.get(lead.get_absolute_url()).content.decode()


def test_a_lead_left_alone_reads_expired_on_day_15_with_its_contact_hidden(world, client_for):
    agent = world.users["sales_agent"]
    make_profile(world.users["global_admin"], published=True, lead_contact=agent)
    now = timezone.now()
    day_14 = make_lead(world.partner_a, contact=agent, received_at=now - timedelta(days=14) + timedelta(minutes=1))
    day_15 = make_lead(world.partner_a, contact=agent, received_at=now - timedelta(days=14, minutes=1))
    assert Lead.objects.with_status().get(pk=day_14.pk).state == Lead.Status.RECEIVED
    assert Lead.objects.with_status().get(pk=day_15.pk).state == Lead.EXPIRED
    client = client_for(agent)
    page = client.get(day_15.get_absolute_url()).content.decode()
    assert day_15.company_name in page
    for secret in (day_15.email, day_15.contact_name, day_15.phone):
        assert secret not in page
    assert day_14.email in client.get(day_14.get_absolute_url()).content.decode()


def test_eleven_leads_in_a_day_give_one_digest(transactional_db, world, smtp):
    agent = world.users["sales_agent"]
    day = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    leads = [
        make_lead(
            world.partner_a, contact=agent, company_name=f"Clinic {n:02d}", received_at=day + timedelta(minutes=n)
        )
        for n in range(11)
    ]
    run_worker(smtp)
    assert len(smtp.received(to=agent.email)) == 10, "the eleventh is not emailed on its own"
    assert lead_digest_send(now=day + timedelta(days=1)) == "digests 1"
    assert lead_digest_send(now=day + timedelta(days=1, hours=1)) == "digests 0"
    run_worker(smtp)
    [digest] = smtp.received(to=agent.email)[10:]
    assert "11" in _subject(digest)
    assert all(lead.company_name in body_of(digest) for lead in leads)


@override_settings(PORTAL_CLOUD="us_gov")
def test_the_us_government_cloud_answers_404_on_every_page_of_the_journey(world, client_for):
    admin, agent = world.users["global_admin"], world.users["sales_agent"]
    profile = make_profile(admin, published=True, lead_contact=agent)
    location = first_location(profile)
    lead = make_lead(world.partner_a, contact=agent)
    contact_url = reverse("profiles:directory_contact", args=[location.pk])
    visitor = client_for(None)
    for url in (SEARCH, location.get_absolute_url(), contact_url):
        assert visitor.get(url).status_code == 404, url
    assert visitor.post(contact_url, BODIES["contact me"](None)).status_code == 404
    for user in (admin, agent):
        client = client_for(user)
        for url in (
            reverse("profiles:profile_list"),
            profile.get_absolute_url(),
            reverse("leads:lead_list"),
            lead.get_absolute_url(),
            reverse("leads:lead_accept", args=[lead.pk]),
            reverse("relationships:partnership_list"),
        ):
            assert client.get(url).status_code == 404, (user.email, url)
    assert Lead.objects.count() == 1, "the refused contact created no lead"

    # An invitation always carries delegated admin: the box is fixed on, an unticked post changes nothing.
    client = client_for(admin)
    form = client.get(reverse("relationships:invitation_create")).context["form"]
    assert form.fields["dap"].disabled and form["dap"].value() is True
    sent = client.post(reverse("relationships:invitation_create"), {"email": "it@gov.example.net", "message": "Hi"})
    assert sent.status_code == 200
    assert Invitation.objects.get(email="it@gov.example.net").dap is True
