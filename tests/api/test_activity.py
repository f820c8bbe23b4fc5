"""The activity log through the API: the log page's filters and messages, the partner's own entries only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions
from customers.services import customer_update
from tests.api.helpers import ApiClient, token_for

pytestmark = pytest.mark.usefixtures("shared_world")

LIST = reverse("api:activity_list")


def _change_city(world, city: str, customer=None) -> None:
    customer = customer or world.customer_in
    customer_update(actor=world.users["global_admin"], customer=customer, data={"city": city})


def test_the_log_lists_the_partners_entries_newest_first_and_filters_as_the_page(world):
    _change_city(world, "Bellevue")
    _change_city(world, "Redmond")
    api = ApiClient(token_for(world.users["admin_agent"]))
    rows = api.get(LIST, {"action": Actions.CUSTOMER_UPDATE}).json()["results"]
    assert len(rows) == 2 and rows[0]["id"] > rows[1]["id"]
    assert rows[0]["customer"] == str(world.customer_in.pk) and rows[0]["action_label"]
    assert {r["action"] for r in api.get(LIST, {"customer": str(world.customer_in.pk)}).json()["results"]}
    assert api.get(LIST, {"customer": "no such company"}).json()["results"] == []
    everything = api.get(LIST, {"limit": 200}).json()["results"]
    partners = set(ActivityEntry.objects.filter(pk__in=[r["id"] for r in everything]).values_list("partner", flat=True))
    assert partners == {world.partner_a.pk}


def test_the_date_range_is_the_pages(world):
    _change_city(world, "Bellevue")
    today = timezone.localdate()
    api = ApiClient(token_for(world.users["global_admin"]))
    assert api.get(LIST, {"action": Actions.CUSTOMER_UPDATE}).json()["results"]  # the default: the last 30 days
    before = {"date_from": (today - timedelta(days=60)).isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    assert api.get(LIST, {"action": Actions.CUSTOMER_UPDATE, **before}).json()["results"] == []


def test_bad_filters_are_refused_with_the_forms_messages(world):
    api = ApiClient(token_for(world.users["global_admin"]), **{"Accept-Language": "en"})
    response = api.get(LIST, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert response.json()["errors"]["date_to"] == ["The end date must be on or after the start date."]
    # Another partner's user: none of this partner's entries are theirs.
    assert api.get(LIST, {"actor": str(world.user_b.pk)}).json()["results"] == []
    assert api.get(LIST, {"action": "nonsense"}).status_code == 400


def test_roles_without_the_log_get_403(world):
    assert ApiClient(token_for(world.users["sales_agent"])).get(LIST).status_code == 403


def _queries(api: ApiClient) -> int:
    api.get(LIST)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(LIST, {"limit": 200}).status_code == 200
    return len([q for q in ctx.captured_queries if not q["sql"].startswith(('UPDATE "api_apitoken"', "DELETE"))])


def test_the_log_costs_the_same_queries_with_few_entries_or_many(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    _change_city(world, "Bellevue")
    few = _queries(api)
    for n in range(20):
        _change_city(world, f"City {n}")
    assert _queries(api) == few
