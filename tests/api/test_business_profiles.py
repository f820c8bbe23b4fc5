"""Business profiles through the API: the list and one profile (locations, the logo as an address), publishing and
unpublishing (a global admin's), the refusals in Korean, replays, constant queries, and absence in US Government."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from activity.models import ActivityEntry
from activity.services import Actions
from profiles.models import BusinessProfile
from profiles.services import MESSAGES
from tests.api.helpers import ApiClient, token_for
from tests.api.queries import PERIODIC, list_queries
from tests.profiles.helpers import make_profile

pytestmark = pytest.mark.usefixtures("shared_world")
LIST = reverse("api:business_profile_list")
COUNTRIES = ["CA", "DE", "FR", "GB", "JP", "KR", "AU", "BR", "IN", "IT"]


def detail(profile) -> str:
    return reverse("api:business_profile_detail", args=[profile.pk])


def _fresh(world, **kwargs) -> BusinessProfile:
    BusinessProfile.objects.filter(partner=world.partner_a).delete()
    return make_profile(world.users["global_admin"], **kwargs)


def test_the_list_and_one_profile_with_locations_and_the_logo_as_an_address(world):
    published = _fresh(world, published=True, logo=True, locations=2)
    draft = make_profile(world.users["global_admin"], country="CA", logo=True, locations=0)
    make_profile(world.user_b, country="DE", locations=0)
    api = ApiClient(token_for(world.users["helpdesk_agent"]))
    page = api.get(LIST, {"limit": 1}).json()
    rest = api.get(LIST, {"cursor": page["next"]}).json()
    assert [row["country"] for row in page["results"] + rest["results"]] == ["CA", "US"] and rest["next"] is None
    body = api.get(detail(published)).json()
    cities = [loc.city for loc in published.locations.order_by("created_at")]
    assert [loc["city"] for loc in body["locations"]] == cities and len(cities) == 2
    assert body["logo_url"] == reverse("profiles:directory_logo", args=[published.pk, published.logo_hash])
    assert "logo_png" not in body and "base64" not in str(body)
    shown = api.get(detail(draft)).json()
    assert shown["status"] == "draft" and shown["locations"] == []
    assert shown["logo_url"].startswith(reverse("profiles:profile_logo", args=[draft.pk]))
    assert api.get(detail(make_profile(world.user_b, country="FR", locations=0))).status_code == 404


def test_the_list_costs_the_same_queries_at_1_and_at_10_profiles(world, django_assert_max_num_queries):
    _fresh(world)
    api = ApiClient(token_for(world.users["sales_agent"]))
    one = list_queries(api, LIST)
    for country in COUNTRIES[:9]:
        make_profile(world.users["global_admin"], country=country, locations=0)
    many = list_queries(api, LIST)
    assert len(one) == len(many), (one, many)
    with django_assert_max_num_queries(len(one) + len(PERIODIC)):
        assert len(api.get(LIST).json()["results"]) == 10


def test_publishing_replays_with_the_same_key_and_unpublishing(world):
    admin = world.users["global_admin"]
    profile = _fresh(world)
    api = ApiClient(token_for(admin))
    url = reverse("api:business_profile_publish", args=[profile.pk])
    response = api.post(url, headers={"Idempotency-Key": "pub-1"})
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert response.json()["published_at"] and api.get(detail(profile))["ETag"] == response["ETag"]
    again = api.post(url, headers={"Idempotency-Key": "pub-1"})
    assert again["Idempotent-Replayed"] == "true" and again.json() == response.json()
    assert ActivityEntry.objects.filter(action=Actions.PROFILE_PUBLISH, actor=admin).count() == 1
    off = api.post(reverse("api:business_profile_unpublish", args=[profile.pk]), {})
    assert off.status_code == 200 and off.json()["status"] == "draft" and off.json()["published_at"] is None
    assert BusinessProfile.objects.get(pk=profile.pk).status == "draft"
    # Only a global admin publishes.
    agent = ApiClient(token_for(world.users["sales_agent"]))
    assert agent.post(url).status_code == 403


def test_publishing_without_a_location_is_the_services_message_in_korean(world):
    profile = _fresh(world, locations=0)
    api = ApiClient(token_for(world.users["global_admin"]), **{"Accept-Language": "ko"})
    response = api.post(reverse("api:business_profile_publish", args=[profile.pk]))
    assert response.status_code == 422
    with translation.override("ko"):
        expected = str(MESSAGES["publish_needs_location"])
    assert response.json()["errors"] == {"non_field_errors": [expected]}
    with translation.override("en"):
        assert expected != str(MESSAGES["publish_needs_location"])
    assert api.post(reverse("api:business_profile_publish", args=[profile.pk]), {"x": 1}).status_code == 400
    assert BusinessProfile.objects.get(pk=profile.pk).status == "draft"


@override_settings(PORTAL_CLOUD="us_gov")
def test_the_us_government_cloud_has_no_business_profiles_or_leads(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    assert api.get(LIST).status_code == 404
    assert api.get(reverse("api:lead_list")).status_code == 404
    assert ApiClient().get(LIST).status_code == 404, "absent to everyone, before any sign-in"
