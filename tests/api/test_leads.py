"""Leads through the API: the list (the page's filters, keyset pages, constant queries), one lead (contact hidden
once expired), accepting, editing (If-Match), declining, won, lost and close as error, and the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from activity.models import ActivityEntry
from activity.services import Actions
from leads.forms import LeadDealForm
from leads.models import Lead
from tests.api.helpers import ApiClient, token_for
from tests.api.queries import PERIODIC, list_queries
from tests.factories import make_user
from tests.leads.factories import deal_form, make_accepted_lead, make_lead

pytestmark = pytest.mark.usefixtures("shared_world")
LIST = reverse("api:lead_list")


def detail(lead) -> str:
    return reverse("api:lead_detail", args=[lead.pk])


def step(lead, name: str) -> str:
    return reverse(f"api:lead_{name}", args=[lead.pk])


def test_the_list_filters_sorts_and_pages_as_the_list_page(world):
    admin = world.users["global_admin"]
    older = make_lead(world.partner_a, company_name="Alpine Ski", received_at=timezone.now() - timedelta(days=2))
    newer = make_lead(world.partner_a, company_name="Bayside Dental", country="CA")
    make_lead(world.partner_b, company_name="Bayside Other Partner", contact=world.user_b)
    api = ApiClient(token_for(admin))
    first = api.get(LIST, {"limit": 1, "q": "bayside"}).json()
    assert [row["id"] for row in first["results"]] == [newer.pk] and first["next"] is None
    page = api.get(LIST, {"limit": 1, "sort": "company"}).json()
    rest = api.get(LIST, {"limit": 200, "sort": "company", "cursor": page["next"]}).json()
    names = [row["company_name"] for row in page["results"] + rest["results"]]
    assert names == sorted(names) and "Alpine Ski" in names and "Bayside Other Partner" not in names
    assert [r["id"] for r in api.get(LIST, {"country": "CA"}).json()["results"]] == [newer.pk]
    received = {r["id"] for r in api.get(LIST, {"status": "received", "limit": 200}).json()["results"]}
    assert {older.pk, newer.pk} <= received
    # A cursor of another sort order, a value the page's form refuses and an unknown parameter are 400s.
    assert api.get(LIST, {"sort": "-company", "cursor": page["next"]}).status_code == 400
    bad = api.get(LIST, {"status": "lost-ish"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["status"]
    assert api.get(LIST, {"country": "ZZ"}).json()["results"] == []
    assert list(api.get(LIST, {"country": "Canada"}).json()["errors"]) == ["country"]
    assert api.get(LIST, {"colour": "red"}).status_code == 400


def test_assigned_scope_sales_agents_see_the_leads_they_are_on_or_contact_of(world):
    admin = world.users["global_admin"]
    mine = make_user(world.partner_a, "sales_agent", scope="assigned")
    contact_of = make_lead(world.partner_a, contact=mine)
    on_team = make_accepted_lead(world.partner_a, actor=admin, team=[admin, mine])
    off_team = make_accepted_lead(world.partner_a, actor=admin, team=[admin])
    api = ApiClient(token_for(mine))
    seen = {row["id"] for row in api.get(LIST, {"limit": 200}).json()["results"]}
    assert seen == {contact_of.pk, on_team.pk}
    assert api.get(detail(off_team)).status_code == 404
    assert api.post(step(off_team, "win")).status_code == 404
    assert Lead.objects.get(pk=off_team.pk).status == Lead.Status.ACCEPTED


def test_the_list_costs_the_same_queries_at_1_and_at_30_leads(world, django_assert_max_num_queries):
    agent = make_user(world.partner_a, "sales_agent")
    api = ApiClient(token_for(agent))
    make_accepted_lead(world.partner_a, actor=agent, team=[agent], contact=agent)
    one = list_queries(api, LIST, {"q": "lead company"})
    for _n in range(29):
        make_accepted_lead(world.partner_a, actor=agent, team=[agent], contact=agent)
    many = list_queries(api, LIST, {"q": "lead company"})
    assert len(one) == len(many), (one, many)
    with django_assert_max_num_queries(len(one) + len(PERIODIC)):
        assert len(api.get(LIST, {"limit": 200, "q": "lead company"}).json()["results"]) >= 30


def test_an_expired_leads_contact_is_hidden_and_it_takes_no_step(world):
    lead = make_lead(world.partner_a, received_at=timezone.now() - timedelta(days=15))
    api = ApiClient(token_for(world.users["global_admin"]))
    body = api.get(detail(lead)).json()
    assert (body["status"], body["contact_name"], body["email"]) == ("expired", None, None)
    assert body["company_name"] == lead.company_name
    # An expired lead is found by its company only (its hidden contact cannot be probed through the search).
    assert api.get(LIST, {"q": lead.email}).json()["results"] == []
    refused = api.post(step(lead, "accept"), deal_form([world.users["global_admin"]]))
    assert refused.status_code == 422 and "non_field_errors" in refused.json()["errors"]
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.RECEIVED


def test_accepting_replays_with_the_same_key_and_writes_once(world):
    agent = world.users["sales_agent"]
    lead = make_lead(world.partner_a, contact=agent)
    api = ApiClient(token_for(agent))
    body = deal_form([agent], deal_name="Fabrikam roll-out")
    response = api.post(step(lead, "accept"), body, headers={"Idempotency-Key": "accept-1"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["deal_name"]) == ("accepted", "Fabrikam roll-out")
    assert api.get(detail(lead))["ETag"] == response["ETag"]
    again = api.post(step(lead, "accept"), body, headers={"Idempotency-Key": "accept-1"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true" and again.json() == response.json()
    assert ActivityEntry.objects.filter(action=Actions.LEAD_ACCEPT, actor=agent).count() == 1
    # Accepting again (another tab, no key) is the state refusal: 422, nothing written.
    second = api.post(step(lead, "accept"), body)
    assert second.status_code == 422 and ActivityEntry.objects.filter(action=Actions.LEAD_ACCEPT).count() == 1


def test_field_errors_are_the_deal_forms_in_korean(world):
    admin = world.users["global_admin"]
    lead = make_lead(world.partner_a)
    api = ApiClient(token_for(admin), **{"Accept-Language": "ko"})
    sent = {"deal_name": "", "estimated_value": "-5", "currency": "XXX", "team_members": [admin.pk]}
    response = api.post(step(lead, "accept"), sent)
    assert response.status_code == 422

    def form_errors(language: str) -> dict:
        with translation.override(language):
            data = {**sent, "team_members": [str(admin.pk)]}
            errors = LeadDealForm(data=data, user=admin).errors
            return {field: [str(m) for m in messages] for field, messages in errors.items()}

    assert response.json()["errors"] == form_errors("ko") != form_errors("en")
    shape = api.post(step(lead, "accept"), {**sent, "team_members": "everyone"})
    assert shape.status_code == 400 and list(shape.json()["errors"]) == ["team_members"]
    # Another partner's staff on the team: the form's choice refusal.
    stranger = api.post(step(lead, "accept"), deal_form([world.user_b]))
    assert stranger.status_code == 422 and list(stranger.json()["errors"]) == ["team_members"]
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.RECEIVED


def test_editing_an_accepted_deal_needs_the_etag_it_was_read_with(world):
    admin = world.users["global_admin"]
    lead = make_accepted_lead(world.partner_a, actor=admin, team=[admin])
    api = ApiClient(token_for(admin))
    etag = api.get(detail(lead))["ETag"]
    assert api.patch(detail(lead), {"deal_name": "Renewal"}).status_code == 428
    assert api.patch(detail(lead), {"deal_name": "Renewal"}, headers={"If-Match": '"stale"'}).status_code == 412
    response = api.patch(detail(lead), {"deal_name": "Renewal"}, headers={"If-Match": etag})
    assert response.status_code == 200 and response.json()["deal_name"] == "Renewal"
    assert response["ETag"] != etag
    # A change the API does not show in the body (the team) still changes the ETag: the old one is stale.
    other = make_user(world.partner_a, "sales_agent")
    team = api.patch(detail(lead), {"team_members": [admin.pk, other.pk]}, headers={"If-Match": response["ETag"]})
    assert team.status_code == 200 and team["ETag"] != response["ETag"]
    stale = api.patch(detail(lead), {"deal_name": "Lost update"}, headers={"If-Match": response["ETag"]})
    assert stale.status_code == 412
    saved = Lead.objects.get(pk=lead.pk)
    assert saved.deal_name == "Renewal" and set(saved.team_members.values_list("pk", flat=True)) == {admin.pk, other.pk}
    assert ActivityEntry.objects.filter(action=Actions.LEAD_UPDATE, actor=admin).count() == 2


def test_declining_needs_a_reason_in_korean_and_then_archives_the_lead(world):
    admin = world.users["global_admin"]
    lead = make_lead(world.partner_a)
    api = ApiClient(token_for(admin), **{"Accept-Language": "ko"})
    missing = api.post(step(lead, "decline"), {"notes": "No"})
    assert missing.status_code == 422
    assert missing.json()["errors"]["reason"] == ["이 필드는 필수 항목입니다."]
    done = api.post(step(lead, "decline"), {"reason": "too_small"})
    assert done.status_code == 200 and (done.json()["status"], done.json()["decline_reason"]) == (
        "declined",
        "too_small",
    )
    # An archived lead takes no further step: 422 with the page's message.
    closed = api.post(step(lead, "close"))
    assert closed.status_code == 422
    assert closed.json()["errors"]["non_field_errors"] == ["현재 상태에서는 이 리드에 그 단계를 진행할 수 없습니다."]


def test_won_lost_and_close_as_error(world):
    admin = world.users["global_admin"]
    api = ApiClient(token_for(admin))
    won, lost = (make_accepted_lead(world.partner_a, actor=admin) for _ in range(2))
    received = make_lead(world.partner_a)
    assert api.post(step(received, "win")).status_code == 422
    assert api.post(step(won, "win"), headers={"Idempotency-Key": "win-1"}).json()["status"] == "won"
    assert api.post(step(won, "win"), headers={"Idempotency-Key": "win-1"})["Idempotent-Replayed"] == "true"
    assert api.post(step(lost, "lose"), {}).json()["status"] == "lost"
    assert api.post(step(received, "close"), {"why": "spam"}).status_code == 400
    assert api.post(step(received, "close")).json()["status"] == "closed_as_error"
    assert [Lead.objects.get(pk=lead.pk).status for lead in (won, lost, received)] == [
        "won",
        "lost",
        "closed_as_error",
    ]
    assert ActivityEntry.objects.filter(action=Actions.LEAD_WIN, actor=admin).count() == 1
