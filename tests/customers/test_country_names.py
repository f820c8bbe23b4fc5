"""Country and region names in the reader's language: django-countries' country names, the rules file's Korean
state/province names, sorted in the active language; the address rules themselves are unchanged
(tests/customers/test_validation_rules.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from activity.labels import value_label
from activity.services import Actions
from customers import countries

pytestmark = pytest.mark.usefixtures("shared_world")


def test_country_names_follow_the_active_language():
    with translation.override("en"):
        english = dict(countries.country_choices())
        assert countries.get_rules("KR").name == "South Korea"
    with translation.override("ko"):
        korean = dict(countries.country_choices())
        assert countries.get_rules("KR").name == "대한민국"
    assert english["US"] == "United States" and korean["US"] == "미국"
    assert english["JP"] == "Japan" and korean["JP"] == "일본"
    assert english.keys() == korean.keys() == set(countries.country_codes())


def test_country_choices_sort_in_the_active_language():
    with translation.override("ko"):
        names = [name for _code, name in countries.COUNTRY_CHOICES]
    assert names == sorted(names)  # Hangul syllables are in dictionary order (가나다)
    assert names.index("대한민국") < names.index("미국") < names.index("일본")
    with translation.override("en"):
        assert next(iter(countries.COUNTRY_CHOICES)) == ("AR", "Argentina")


def test_state_names_are_korean_in_korean_and_sorted():
    with translation.override("ko"):
        states = countries.state_choices("US")
        assert dict(states)["WA"] == "워싱턴"
        assert [name for _code, name in states] == sorted(name for _code, name in states)
    with translation.override("en"):
        assert dict(countries.state_choices("US"))["WA"] == "Washington"
        assert countries.state_choices("US")[0] == ("AL", "Alabama")


def test_regions_by_country_lists_each_countrys_states_in_the_active_language():
    with translation.override("ko"):
        regions = countries.regions_by_country()
    assert set(regions) == {"AU", "BR", "CA", "CN", "IN", "MX", "US"}
    assert ("WA", "워싱턴") in regions["US"] and len(regions["US"]) == 51


@pytest.mark.parametrize(("value", "code"), [("WA", "WA"), ("Washington", "WA"), ("워싱턴", "WA"), ("온타리오", "ON")])
def test_a_state_may_be_given_by_code_english_or_korean_name(value, code):
    country = "CA" if code == "ON" else "US"
    assert countries.validate_state(country, value) == code


def test_any_iso_code_has_a_name_and_a_non_country_keeps_its_code():
    with translation.override("ko"):
        assert countries.country_name("AQ") == "남극"  # a code the portal has no address rules for
        assert countries.COUNTRY_NAMES["FR"] == "프랑스"
    for not_alpha2 in ("ZZ", "us", "840", "USA", "", "KR "):
        assert countries.country_name(not_alpha2) == not_alpha2
        assert not_alpha2 not in countries.COUNTRY_NAMES


def test_the_add_customer_page_in_korean_lists_korean_country_and_state_names(world, client_for):
    client = client_for(world.users["sales_agent"])
    client.cookies["django_language"] = "ko"
    html = client.get(reverse("customers:customer_create")).content.decode()
    assert re.search(r'<option value="KR"[^>]*>대한민국</option>', html)
    assert re.search(r'<option value="US"[^>]*selected[^>]*>미국</option>', html)  # the partner's market
    # The state list keeps the interface domain-check.js narrows by: one group per country, values "US-WA".
    assert re.search(r'<optgroup label="미국">', html)
    assert re.search(r'<option value="US-WA"[^>]*>워싱턴</option>', html)
    assert re.search(r'<option value="CA-ON"[^>]*>온타리오</option>', html)
    assert "Washington" not in html and "United States" not in html


def test_the_activity_log_names_countries_and_list_choices_in_the_readers_language():
    with translation.override("ko"):
        assert value_label(Actions.CUSTOMER_UPDATE, "country", "KR") == "대한민국"
        assert value_label(Actions.PROFILE_LOCATION_ADD, "country", "CA") == "캐나다"
        assert value_label(Actions.LEAD_RECEIVE, "country", "US") == "미국"
    with translation.override("en"):
        products = value_label(Actions.PROFILE_UPDATE, "products", ["microsoft_365", "azure"])
    assert "microsoft_365" not in products and "Azure" in products
