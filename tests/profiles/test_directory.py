"""The public find-a-partner directory: filters in the URL, signed keyset cursors, location pages, "Contact me"
with its abuse guards, the US Government cloud, query counts and Korean."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from activity.models import ActivityEntry
from customers import countries
from leads.models import Lead
from profiles.models import BusinessProfile, ProfileLocation
from profiles.selectors import DirectoryFilters, directory_queryset
from tests.factories import make_partner, make_user
from tests.profiles.access_targets import BODIES
from tests.profiles.helpers import make_profile

pytestmark = pytest.mark.usefixtures("shared_world")
SEARCH = reverse("profiles:directory_search")


def _contact_body() -> dict:
    return BODIES["contact me"](None)


def _names(response) -> list[str]:
    return [row.company for row in response.context["rows"]]


def test_a_visitor_finds_a_published_partner_by_industry_country_and_text(world, client_for):
    make_profile(world.users["global_admin"], published=True, locations=2)  # Contoso: healthcare, US
    other = make_user(make_partner(name="Litware Solutions"), "global_admin")
    make_profile(other, published=True, industries=["retail"], skills=["Dynamics"])
    draft = make_user(make_partner(name="Hidden Draft Ltd"), "global_admin")
    make_profile(draft, published=False)
    client = client_for(None)
    assert sorted(_names(client.get(SEARCH))) == ["Contoso Cloud", "Contoso Cloud", "Litware Solutions"]
    assert set(_names(client.get(SEARCH, {"industry": "healthcare", "country": "US"}))) == {"Contoso Cloud"}
    assert _names(client.get(SEARCH, {"industry": "healthcare", "country": "CA"})) == []
    assert _names(client.get(SEARCH, {"q": "DYNAMICS"})) == ["Litware Solutions"]
    assert set(_names(client.get(SEARCH, {"q": "contoso"}))) == {"Contoso Cloud"}
    assert _names(client.get(SEARCH, {"size": "enterprise"})) == []
    assert set(_names(client.get(SEARCH, {"product": "azure", "service_type": "deployment"}))) == {
        "Contoso Cloud",
        "Litware Solutions",
    }
    # A stale or hand-edited filter is ignored rather than failing.
    assert len(_names(client.get(SEARCH, {"industry": "no-such", "country": "ZZ"}))) == 3
    page = client.get(SEARCH, {"industry": "healthcare"}).content.decode()
    assert 'value="healthcare" selected' in page  # the state is in the URL and shown back


def test_a_renamed_partner_is_found_by_its_new_name_at_once(world, client_for):
    make_profile(world.users["global_admin"], published=True)
    partner = world.partner_a
    partner.name = "Contoso Renamed Holdings"
    partner.save()
    client = client_for(None)
    assert set(_names(client.get(SEARCH, {"q": "renamed holdings"}))) == {"Contoso Renamed Holdings"}
    assert _names(client.get(SEARCH, {"q": "contoso cloud"})) == []


def test_the_free_text_search_condition_is_served_by_the_trigram_index(world):
    """The directory's text condition (`search_text LIKE '%needle%'`, as directory_queryset writes it) can be answered
    from the trigram index, so it need not read every profile (the planner is told to avoid a sequential scan, as a
    large table would make it: this one holds a single row)."""
    make_profile(world.users["global_admin"], published=True)
    sql = str(directory_queryset(filters=DirectoryFilters(q="contoso")).query)
    assert '"profiles_businessprofile"."search_text"::text LIKE' in sql, sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = BusinessProfile.objects.filter(search_text__contains="contoso").explain()
    assert "businessprofile_search_trgm" in plan, plan


@override_settings(PORTAL_PAGE_SIZE=2)
def test_pages_follow_signed_cursors_and_a_forged_cursor_starts_over(world, client_for):
    for name in ("Alpha Partners", "Bravo Partners", "Charlie Partners"):
        make_profile(make_user(make_partner(name=name), "global_admin"), published=True)
    client = client_for(None)
    first = client.get(SEARCH, {"country": "US"})
    assert _names(first) == ["Alpha Partners", "Bravo Partners"]
    cursor = first.context["page"].next_cursor
    assert ":" in cursor  # signed
    second = client.get(SEARCH, {"country": "US", "after": cursor})
    assert _names(second) == ["Charlie Partners"]
    raw = cursor.rsplit(":", 1)[0]
    assert _names(client.get(SEARCH, {"country": "US", "after": raw})) == ["Alpha Partners", "Bravo Partners"]
    assert _names(client.get(SEARCH, {"country": "US", "after": raw + ":forged"})) == [
        "Alpha Partners",
        "Bravo Partners",
    ]


def test_a_location_page_shows_the_profile_and_that_address(world, client_for):
    profile = make_profile(world.users["global_admin"], published=True, locations=2, logo=True)
    second = profile.locations.order_by("created_at")[1]
    page = client_for(None).get(second.get_absolute_url()).content.decode()
    assert "Contoso Cloud" in page and second.city in page and "Healthcare" in page and "Intune" in page
    assert reverse("profiles:directory_logo", args=[profile.pk, profile.logo_hash]) in page
    assert reverse("profiles:directory_contact", args=[second.pk]) in page


def test_contact_me_creates_a_lead_for_the_partner_and_logs_it(world, client_for):
    sales = world.users["sales_agent"]
    profile = make_profile(world.users["global_admin"], published=True, lead_contact=sales)
    location = profile.locations.get()
    url = reverse("profiles:directory_contact", args=[location.pk])
    response = client_for(None).post(url, _contact_body())
    assert response.status_code == 200 and 'id="contact-sent"' in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.partner, lead.lead_contact, lead.profile_country) == (world.partner_a, sales, "US")
    assert (lead.company_name, lead.company_size, lead.message) == (
        "Adatum Clinics",
        "small",
        "We need Microsoft 365 for three clinics.",
    )
    assert ActivityEntry.objects.filter(action="lead.receive", partner=world.partner_a).count() == 1


def test_contact_me_requires_consent_and_limits_sizes(world, client_for):
    location = make_profile(world.users["global_admin"], published=True).locations.get()
    url = reverse("profiles:directory_contact", args=[location.pk])
    client = client_for(None)
    no_consent = client.post(url, {**_contact_body(), "consent": ""})
    assert "consent" in no_consent.context["form"].errors
    too_long = client.post(url, {**_contact_body(), "message": "x" * 2001, "company_name": "y" * 256})
    assert {"message", "company_name"} <= set(too_long.context["form"].errors)
    assert not Lead.objects.exists()


def test_the_honeypot_gets_the_thank_you_page_and_nothing_is_stored(world, client_for):
    location = make_profile(world.users["global_admin"], published=True).locations.get()
    url = reverse("profiles:directory_contact", args=[location.pk])
    response = client_for(None).post(url, {**_contact_body(), "website": "http://spam.example"})
    assert 'id="contact-sent"' in response.content.decode()
    assert not Lead.objects.exists()


@override_settings(PORTAL_CONTACT_RATE_LIMIT_ADDRESS=(2, 3600), PORTAL_CONTACT_RATE_LIMIT_PROFILE=(3, 86400))
def test_rate_limits_per_address_and_per_profile_refuse_plainly_and_store_nothing(world, client_for):
    location = make_profile(world.users["global_admin"], published=True).locations.get()
    url = reverse("profiles:directory_contact", args=[location.pk])
    client = client_for(None)
    statuses = [client.post(url, _contact_body()).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Lead.objects.count() == 2
    # Another address gets through once more, then the profile's own limit holds for everyone.
    other = [client.post(url, _contact_body(), REMOTE_ADDR=f"198.51.100.{n}") for n in (1, 2)]
    assert [r.status_code for r in other] == [200, 429]
    assert "Retry-After" in other[1] and 'id="contact-limited"' in other[1].content.decode()
    assert Lead.objects.count() == 3


@override_settings(PORTAL_CLOUD="us_gov")
def test_the_us_government_cloud_has_no_directory_and_no_profile_pages(world, client_for):
    profile = make_profile(world.users["global_admin"], published=True, logo=True)
    location = profile.locations.get()
    public = [
        SEARCH,
        location.get_absolute_url(),
        reverse("profiles:directory_contact", args=[location.pk]),
        reverse("profiles:directory_logo", args=[profile.pk, profile.logo_hash]),
    ]
    for url in public:
        assert client_for(None).get(url).status_code == 404, url
    assert client_for(None).post(public[2], _contact_body()).status_code == 404
    admin = client_for(world.users["global_admin"])
    for url in (reverse("profiles:profile_list"), profile.get_absolute_url()):
        assert admin.get(url).status_code == 404, url
    assert reverse("profiles:profile_list") not in admin.get(reverse("customers:customer_list")).content.decode()
    assert not Lead.objects.exists()


def _bulk_profiles(count: int) -> None:
    """`count` published profiles of one partner (one per country), two locations each, written as rows."""
    partner = make_partner(name="Bulk Partners")
    now = timezone.now()
    codes = countries.country_codes()[:count]
    profiles = BusinessProfile.objects.bulk_create(
        BusinessProfile(
            partner=partner,
            country=code,
            description="Bulk",
            industries=["retail"],
            status=BusinessProfile.Status.PUBLISHED,
            published_at=now,
            search_text="bulk partners bulk",
        )
        for code in codes
    )
    ProfileLocation.objects.bulk_create(
        ProfileLocation(profile=profile, address_line1=f"{n} Main St", city="Town")
        for profile in profiles
        for n in (1, 2)
    )


@pytest.mark.parametrize("count", [1, 20])
def test_the_directory_page_takes_the_same_queries_at_1_and_20_profiles(
    world, client_for, django_assert_num_queries, count
):
    _bulk_profiles(count)
    client = client_for(None)
    client.get(SEARCH, {"industry": "retail"})
    with django_assert_num_queries(1):
        response = client.get(SEARCH, {"industry": "retail"})
    assert len(response.context["rows"]) == 2 * count


@pytest.mark.parametrize("locations", [1, 5])
def test_a_location_page_takes_the_same_queries_whatever_the_profile_holds(
    world, client_for, django_assert_num_queries, locations
):
    location = make_profile(world.users["global_admin"], published=True, locations=locations).locations.first()
    client = client_for(None)
    with django_assert_num_queries(1):
        assert client.get(location.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_the_staff_profile_pages_take_the_same_queries_at_any_count(
    world, client_for, django_assert_num_queries, count
):
    admin = world.users["global_admin"]
    profile = make_profile(admin, locations=count)
    client = client_for(admin)
    client.get(profile.get_absolute_url())
    with django_assert_num_queries(QUERIES_STAFF_DETAIL):
        client.get(profile.get_absolute_url())
    client.get(reverse("profiles:profile_list"))
    with django_assert_num_queries(QUERIES_STAFF_LIST):
        client.get(reverse("profiles:profile_list"))


QUERIES_STAFF_DETAIL = 4
QUERIES_STAFF_LIST = 4


def test_the_directory_and_a_location_page_read_in_korean(world, client_for):
    location = make_profile(world.users["global_admin"], published=True).locations.get()
    client = client_for(None)
    client.post(reverse("set_language"), {"language": "ko"})
    with translation.override("ko"):
        expected = [
            translation.gettext("Find a partner"),
            translation.gettext("Contact me"),
            translation.gettext("Healthcare"),
            translation.gettext("Partner expertise"),
        ]
    assert expected[0] != "Find a partner" and expected[2] != "Healthcare"
    search = client.get(SEARCH).content.decode()
    assert expected[0] in search and "Find a partner" not in search
    page = client.get(location.get_absolute_url()).content.decode()
    for text in expected:
        assert text in page, text
    form = client.get(reverse("profiles:directory_contact", args=[location.pk])).content.decode()
    with translation.override("ko"):
        assert translation.gettext("Company size") in form
    translation.activate("en")
