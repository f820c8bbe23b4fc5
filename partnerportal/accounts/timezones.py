"""Each signed-in user's clock: their own time zone, or their partner's market's, activated for every request.

Dates and times are stored in UTC; pages show them in this zone, with its abbreviation or offset (the format
modules in `partnerportal/formats/`). The JSON API keeps UTC (ISO 8601), whatever the user's zone.
"""

from __future__ import annotations

import contextlib
import functools
import zoneinfo
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.countries import default_time_zone
from partnerportal.models import User

# The IANA regions, the groups of the time zone select, in the reader's language.
REGIONS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}


@functools.cache
def available_time_zones() -> frozenset[str]:
    """Every IANA zone of the regions above, and UTC; not the legacy aliases ("EST5EDT", "US/Eastern", "Etc/GMT+3")."""
    return frozenset(
        name for name in zoneinfo.available_timezones() if name == "UTC" or name.partition("/")[0] in REGIONS
    )


def _offset(name: str, now: datetime) -> str:
    offset = now.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones grouped by region ("Asia", "Europe", …), each group sorted, UTC on its own. Each option reads as
    the IANA name, which is also what is stored, with today's offset: "Asia/Seoul (UTC+09:00)"."""
    now = timezone.now()
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(available_time_zones()):
        region, _, place = name.partition("/")
        if place:
            groups.setdefault(region, []).append((name, f"{name} ({_offset(name, now)})"))
    return [
        ("UTC", [("UTC", "UTC")]),
        *((str(REGIONS.get(region, region)), zones) for region, zones in sorted(groups.items())),
    ]


def market_time_zone(user: User) -> str:
    """The zone of the user's partner's market ("Asia/Seoul" for a Korean partner); the deployment's without one
    (or with `PORTAL_TIME_ZONE_FROM_MARKET` off)."""
    partner = user.partner if user.partner_id else None
    if partner is None or not settings.PORTAL_TIME_ZONE_FROM_MARKET:
        return settings.TIME_ZONE
    return default_time_zone(partner.market)


def user_time_zone(user: User) -> str:
    """The zone the user reads times in: their own choice, else their partner's market's."""
    return user.time_zone or market_time_zone(user)


class TimeZoneMiddleware:
    """Activate the signed-in user's zone for the request (after authentication); others read UTC.

    The API (`/api/`) is left in UTC: its timestamps are ISO 8601 for programs, not for a reader.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        timezone.deactivate()
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            # A zone tzdata dropped reads UTC until the user picks another.
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(user_time_zone(user)))
        try:
            return self.get_response(request)
        finally:
            # Nothing after the response (a worker thread's next task, a test's own code) inherits the zone.
            timezone.deactivate()
