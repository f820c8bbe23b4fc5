"""Dates and times: one format per language with the zone in every date-time, each user's own time zone (default:
the partner's market's), the preferences page that changes it, and what stays UTC (API, CSV, emails)."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, timezone, translation

from activity.models import ActivityEntry
from activity.services import Actions, activity_record
from customers import countries
from partnerportal.accounts.timezones import (
    TimeZoneMiddleware,
    available_time_zones,
    time_zone_choices,
    user_time_zone,
)
from partnerportal.infrastructure.emails import email_render
from partnerportal.models import User

pytestmark = pytest.mark.usefixtures("shared_world")

MOMENT = datetime(2026, 12, 1, 11, 28, tzinfo=UTC)
FORMATS = '{{ v|date:"SHORT_DATETIME_FORMAT" }}|{{ v|date:"DATETIME_FORMAT" }}|{{ v }}|{{ v|date:"DATE_FORMAT" }}|{{ v|date:"SHORT_DATE_FORMAT" }}'  # noqa: E501


def _render(language: str, zone: str) -> list[str]:
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        return Template(FORMATS).render(Context({"v": MOMENT})).split("|")


@pytest.mark.parametrize(
    ("language", "zone", "date_time", "date"),
    [
        ("en", "Asia/Seoul", "Dec 1, 2026, 20:28 KST", "Dec 1, 2026"),
        ("en", "America/New_York", "Dec 1, 2026, 06:28 EST", "Dec 1, 2026"),
        ("en", "UTC", "Dec 1, 2026, 11:28 UTC", "Dec 1, 2026"),
        ("ko", "Asia/Seoul", "2026. 12. 01. 20:28 KST", "2026. 12. 01."),
        ("ko", "Asia/Dubai", "2026. 12. 01. 15:28 +04", "2026. 12. 01."),  # no abbreviation: the offset
    ],
)
def test_one_date_time_and_one_date_format_per_language_with_the_zone(language, zone, date_time, date):
    short_dt, long_dt, plain, long_d, short_d = _render(language, zone)
    assert short_dt == long_dt == plain == date_time
    assert long_d == short_d == date


def test_every_market_has_a_default_zone_that_can_be_chosen():
    for code in countries.country_codes():
        assert countries.default_time_zone(code) in available_time_zones(), code
    assert countries.default_time_zone("KR") == "Asia/Seoul"
    assert countries.default_time_zone("US") == "America/New_York"
    assert countries.default_time_zone("GB") == "Europe/London"
    assert countries.default_time_zone("ZZ") == "UTC"


def test_the_zone_select_groups_canonical_zones_by_region():
    with translation.override("en"):
        groups = dict(time_zone_choices())
    assert groups["UTC"] == [("UTC", "UTC")]
    assert ("Asia/Seoul", "Asia/Seoul (UTC+09:00)") in groups["Asia"]
    names = {name for zones in groups.values() for name, _label in zones}
    assert "US/Eastern" not in names and "EST5EDT" not in names
    with translation.override("ko"):
        assert "아시아" in dict(time_zone_choices())


def test_default_zone_is_the_partners_markets(world, settings):
    settings.PORTAL_TIME_ZONE_FROM_MARKET = True
    user = world.users["sales_agent"]
    assert user.time_zone == ""
    assert user_time_zone(user) == "America/New_York"  # partner A's market is US
    user.partner.market = "KR"
    assert user_time_zone(user) == "Asia/Seoul"
    user.time_zone = "Europe/Berlin"
    assert user_time_zone(user) == "Europe/Berlin"
    settings.PORTAL_TIME_ZONE_FROM_MARKET = False
    user.time_zone = ""
    assert user_time_zone(user) == "UTC"


def _activity_time(client) -> str:
    return client.get(reverse("activity:activity_list")).content.decode()


def _shown(moment: datetime, zone: str) -> str:
    with translation.override("en"):
        return formats.date_format(timezone.localtime(moment, zoneinfo.ZoneInfo(zone)), "SHORT_DATETIME_FORMAT")


def test_the_preferences_page_changes_the_time_an_activity_entry_shows(world, client_for, settings):
    settings.PORTAL_TIME_ZONE_FROM_MARKET = True
    admin = world.users["global_admin"]
    client = client_for(admin)
    entry = activity_record(action=Actions.CUSTOMER_UPDATE, actor=admin, partner=world.partner_a)
    new_york, seoul = (_shown(entry.created_at, zone) for zone in ("America/New_York", "Asia/Seoul"))
    assert new_york.endswith((" EST", " EDT")) and seoul.endswith(" KST")

    assert new_york in _activity_time(client)  # the market's zone (US: New York)

    page = client.get(reverse("preferences")).content.decode()
    assert 'value="Asia/Seoul"' in page and "America/New_York" in page
    response = client.post(reverse("preferences"), {"time_zone": "Asia/Seoul"})
    assert response.status_code == 302
    assert User.objects.get(pk=admin.pk).time_zone == "Asia/Seoul"
    assert seoul in _activity_time(client)

    client.post(reverse("preferences"), {"time_zone": ""})  # back to the market's
    assert new_york in _activity_time(client)
    assert not ActivityEntry.objects.filter(pk__gt=entry.pk).exists()  # a display preference is not audited


def test_the_preferences_page_refuses_a_legacy_or_unknown_zone(world, client_for):
    client = client_for(world.users["helpdesk_agent"])
    client.cookies["django_language"] = "ko"
    for value in ("US/Eastern", "Mars/Olympus_Mons"):
        response = client.post(reverse("preferences"), {"time_zone": value})
        assert response.status_code == 200
        assert response.context["form"].errors == {"time_zone": ["올바른 표준 시간대를 선택하세요."]}
    assert User.objects.get(pk=world.users["helpdesk_agent"].pk).time_zone == ""


def test_the_header_links_to_the_preferences(world, client_for):
    html = client_for(world.users["sales_agent"]).get(reverse("preferences")).content.decode()
    assert f'href="{reverse("preferences")}"' in html


@pytest.mark.parametrize(("path", "zone"), [("/customers/", "Asia/Seoul"), ("/api/v1/customers/", "UTC")])
def test_the_zone_is_the_users_for_pages_and_utc_for_the_api(world, rf, path, zone):
    user = world.users["global_admin"]
    user.time_zone = "Asia/Seoul"
    request = rf.get(path)
    request.user = user
    seen = []
    TimeZoneMiddleware(lambda request: seen.append(timezone.get_current_timezone_name()) or HttpResponse())(request)
    assert seen == [zone]
    assert timezone.get_current_timezone_name() == "UTC"  # and nothing after the response inherits it


def test_emails_read_in_utc_whatever_the_senders_zone(tmp_path, settings):
    template = tmp_path / "when.txt"
    template.write_text('{% autoescape off %}{{ at|date:"DATETIME_FORMAT" }}{% endautoescape %}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with timezone.override(zoneinfo.ZoneInfo("Asia/Seoul")), translation.override("en"):
        _subject, body = email_render(subject_template="when.txt", body_template="when.txt", context={"at": MOMENT})
    assert body == "Dec 1, 2026, 11:28 UTC\n"
