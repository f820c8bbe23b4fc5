"""Each signed-in user's clock: their own time zone, or their partner's market's, activated for every request.

Dates and times are stored in UTC; pages show them in this zone, with its abbreviation or offset (the format
modules in `partnerportal/formats/`). The JSON API keeps UTC (ISO 8601), whatever the user's zone.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from customers.countries import default_time_zone
from partnerportal.models import User


@functools.cache
def available_time_zones() -> frozenset[str]:
    """Every IANA zone name tzdata knows, except the legacy aliases of no region ("EST5EDT", "GMT+0", …)."""
    return frozenset(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones grouped by region ("Asia", "Europe", …), each group and its zones sorted; UTC on its own."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(available_time_zones()):
        region, _, place = name.partition("/")
        if place:
            groups.setdefault(region, []).append((name, place.replace("_", " ")))
    return [("UTC", [("UTC", "UTC")]), *sorted(groups.items())]


def market_time_zone(user: User) -> str:
    """The zone of the user's partner's market ("Asia/Seoul" for a Korean partner); the deployment's without one."""
    partner = user.partner if user.partner_id else None
    return default_time_zone(partner.market) if partner is not None else settings.TIME_ZONE


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
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            try:
                timezone.activate(zoneinfo.ZoneInfo(user_time_zone(user)))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
