"""Lead lifecycle through the pages: accept, edit, decline (the customer is emailed), won, lost, close as error,
the 14-day expiry derived from dates (contact details hidden everywhere), archived leads allowing nothing, the flame
mark, favourites, search, filters, the CSV export and the query counts of the list and detail pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from activity.actions import Actions
from activity.models import ActivityEntry
from leads import services
from leads.models import Lead
from partnerportal.models import OutboundEmail
from tests.leads.factories import deal_data, deal_form, make_accepted_lead, make_lead

pytestmark = pytest.mark.usefixtures("shared_world")
LIST = reverse("leads:lead_list")
EXPORT = reverse("leads:lead_export")
DAY = timedelta(days=1)


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_accept_edit_and_win_through_the_pages_each_logged(world, client_for):
    agent = world.users["sales_agent"]
    client = client_for(agent)
    lead = make_lead(world.partner_a, contact=agent)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "Accept" in page and "Decline" in page and lead.email in page

    response = client.post(reverse("leads:lead_accept", args=[lead.pk]), deal_form([agent], estimated_value="-5"))
    assert response.status_code == 200
    assert "estimated_value" in response.context["form"].errors, "the error sits next to its field"

    response = client.post(reverse("leads:lead_accept", args=[lead.pk]), deal_form([agent]))
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.ACCEPTED and lead.accepted_at and lead.currency == "USD"

    # Accepting again (another tab) is refused with a message; nothing changes.
    again = client.post(reverse("leads:lead_accept", args=[lead.pk]), deal_form([agent]), follow=True)
    assert "changed meanwhile" in again.content.decode() or "can't take that step" in again.content.decode()

    client.post(reverse("leads:lead_update", args=[lead.pk]), deal_form([agent], deal_name="Bigger deal"))
    lead.refresh_from_db()
    assert lead.deal_name == "Bigger deal"

    page = client.get(lead.get_absolute_url()).content.decode()
    assert "Add customer" in page and "Invite customer" in page
    assert client.post(reverse("leads:lead_win", args=[lead.pk])).status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.WON and lead.won_at
    actions = list(ActivityEntry.objects.filter(details__lead=lead.pk).order_by("pk").values_list("action", flat=True))
    assert actions == [Actions.LEAD_RECEIVE, Actions.LEAD_ACCEPT, Actions.LEAD_UPDATE, Actions.LEAD_WIN]


def test_archived_leads_allow_no_action(world, client_for):
    admin = world.users["global_admin"]
    client = client_for(admin)
    lead = make_accepted_lead(world.partner_a, actor=admin)
    services.lead_lose(actor=admin, lead=lead)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "Archived: no action can be taken." in page
    for name in ("lead_win", "lead_lose", "lead_close"):
        client.post(reverse(f"leads:{name}", args=[lead.pk]))
        assert Lead.objects.get(pk=lead.pk).status == Lead.Status.LOST
    assert client.get(reverse("leads:lead_update", args=[lead.pk])).status_code == 302
    with pytest.raises(ValidationError):
        services.lead_update(actor=admin, lead=lead, **deal_data([admin]))


def test_decline_needs_a_reason_and_emails_the_customer(world, client_for):
    agent = world.users["sales_agent"]
    client = client_for(agent)
    lead = make_lead(world.partner_a, contact=agent)
    url = reverse("leads:lead_decline", args=[lead.pk])
    response = client.post(url, {"reason": "", "notes": "x"})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert client.post(url, {"reason": "outside_region", "notes": ""}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.DECLINED and lead.decline_reason == "outside_region"
    email = OutboundEmail.objects.get(to=lead.email)
    assert "choose another partner" in email.body and world.partner_a.name in email.body


def test_a_lead_on_day_15_reads_expired_and_hides_its_contact_everywhere(world, client_for):
    admin = world.users["global_admin"]
    client = client_for(admin)
    now = timezone.now()
    old = make_lead(world.partner_a, received_at=now - 14 * DAY - timedelta(minutes=1), company_name="Old Co")
    young = make_lead(world.partner_a, received_at=now - 14 * DAY + timedelta(hours=1), company_name="Young Co")
    assert Lead.objects.with_status().get(pk=old.pk).state == Lead.EXPIRED
    assert Lead.objects.with_status().get(pk=young.pk).state == Lead.Status.RECEIVED

    page = client.get(old.get_absolute_url()).content.decode()
    assert "Expired leads don&#x27;t show contact information." in page or "show contact information" in page
    for secret in (old.email, old.contact_name, old.phone, old.message):
        assert secret not in page
    assert "Accept" not in page.split('id="lead-actions"')[1].split("</div>")[0]

    listing = client.get(LIST, {"status": "expired"}).content.decode()
    assert "Old Co" in listing and "Young Co" not in listing and old.email not in listing
    assert "Old Co" not in client.get(LIST, {"status": "received"}).content.decode()
    # The search cannot find an expired lead by its hidden contact details.
    assert "Old Co" not in client.get(LIST, {"q": old.email}).content.decode()
    assert "Young Co" in client.get(LIST, {"q": young.email}).content.decode()

    rows = _csv(client.get(EXPORT, {"status": "expired"}))
    assert len(rows) == 2 and rows[1][2] == "Old Co"
    assert old.email not in rows[1] and old.contact_name not in rows[1] and rows[1][9] == "Expired"

    with pytest.raises(ValidationError):
        services.lead_accept(actor=admin, lead=old, **deal_data([admin]))
    with pytest.raises(ValidationError):
        services.lead_decline(actor=admin, lead=old, reason="other")
    assert Lead.objects.get(pk=old.pk).status == Lead.Status.RECEIVED


def test_the_flame_marks_leads_that_asked_to_be_contacted_for_72_hours(world, client_for):
    client = client_for(world.users["global_admin"])
    make_lead(world.partner_a, company_name="Fresh Co")
    make_lead(world.partner_a, company_name="Stale Co", received_at=timezone.now() - timedelta(hours=73))
    page = client.get(LIST).content.decode()
    rows = {row.split("</tr>")[0] for row in page.split('class="lead-row"')[1:]}
    fresh = next(row for row in rows if "Fresh Co" in row)
    stale = next(row for row in rows if "Stale Co" in row)
    assert "Asked to be contacted (first 72 hours)" in fresh and 'class="visually-hidden"' in fresh
    assert "Asked to be contacted" not in stale


def test_favourites_are_per_user_and_filter_the_list(world, client_for):
    admin, agent = world.users["global_admin"], world.users["sales_agent"]
    lead = make_lead(world.partner_a, company_name="Heart Co")
    make_lead(world.partner_a, company_name="Plain Co")
    client = client_for(agent)
    response = client.post(reverse("leads:lead_favourite", args=[lead.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == lead.get_absolute_url(), "never sent off the site"
    page = client.get(LIST, {"favourite": "on"}).content.decode()
    assert "Heart Co" in page and "Plain Co" not in page
    assert "Heart Co" not in client_for(admin).get(LIST, {"favourite": "on"}).content.decode()
    client_for(agent).post(reverse("leads:lead_favourite", args=[lead.pk]))
    assert "Heart Co" not in client_for(agent).get(LIST, {"favourite": "on"}).content.decode()


def test_search_filters_and_sort_live_in_the_url(world, client_for):
    client = client_for(world.users["global_admin"])
    make_lead(world.partner_a, company_name="Alpine Ski", country="DE", contact_name="Jana Novak")
    make_lead(world.partner_a, company_name="Blue Yonder", country="KR", email="ceo@blueyonder.example")
    assert "Alpine Ski" in client.get(LIST, {"q": "jana nov"}).content.decode()
    page = client.get(LIST, {"q": "CEO@BLUEYONDER"}).content.decode()
    assert "Blue Yonder" in page and "Alpine Ski" not in page
    page = client.get(LIST, {"country": "KR"}).content.decode()
    assert "Blue Yonder" in page and "Alpine Ski" not in page
    page = client.get(LIST, {"sort": "company", "status": "bogus"}).content.decode()
    assert page.index("Alpine Ski") < page.index("Blue Yonder"), "a bad filter value is dropped, not a 500"
    rows = _csv(client.get(EXPORT, {"country": "DE"}))
    assert [row[2] for row in rows[1:]] == ["Alpine Ski"]


def test_the_export_neutralises_formulas(world, client_for):
    make_lead(world.partner_a, company_name='=HYPERLINK("http://x")', contact_name="+SUM(A1)")
    rows = _csv(client_for(world.users["global_admin"]).get(EXPORT))
    row = next(r for r in rows if "HYPERLINK" in r[2])
    assert row[2].startswith("'=") and row[3].startswith("'+")


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_the_list_and_detail_query_counts_do_not_grow_with_rows(world, client_for, django_assert_num_queries):
    admin = world.users["global_admin"]
    client = client_for(admin)
    first = make_accepted_lead(world.partner_a, actor=admin, team=[admin, world.users["sales_agent"]])
    variants = [{}, {"q": "lead company"}, {"status": "accepted", "favourite": "on"}, {"sort": "company"}]
    services.lead_favourite_toggle(user=admin, lead=first)
    counts = [_count(client, LIST, params) for params in variants]
    detail = _count(client, first.get_absolute_url())
    for _n in range(49):
        lead = make_accepted_lead(world.partner_a, actor=admin, team=[admin, world.users["sales_agent"]])
        services.lead_favourite_toggle(user=admin, lead=lead)
    for params, count in zip(variants, counts, strict=True):
        with django_assert_num_queries(count):
            client.get(LIST, params)
    with django_assert_num_queries(detail):
        client.get(lead.get_absolute_url())


def test_the_pages_render_in_korean(world, client_for):
    client = client_for(world.users["sales_agent"])
    lead = make_lead(world.partner_a, contact=world.users["sales_agent"])
    client.cookies["django_language"] = "ko"
    with translation.override("ko"):
        listing = client.get(LIST, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
        detail = client.get(lead.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "리드" in listing and "연락 요청" in listing
    assert "수락" in detail and "거절" in detail


def test_the_us_government_cloud_has_no_leads(world, client_for, settings):
    """Reference §15: the pages answer 404 to everyone, the navigation drops the link, the add-customer page carries
    no lead field."""
    settings.PORTAL_CLOUD = "us_gov"
    admin = world.users["global_admin"]
    lead = make_lead(world.partner_a)
    client = client_for(admin)
    for url in (LIST, EXPORT, lead.get_absolute_url(), reverse("leads:lead_accept", args=[lead.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("leads:lead_win", args=[lead.pk])).status_code == 404
    home = client.get(reverse("customers:customer_list")).content.decode()
    assert 'href="/leads/"' not in home
    form = client.get(reverse("customers:customer_create") + f"?lead={lead.pk}").context["form"]
    assert "lead" not in form.fields and "company_name" not in form.initial
