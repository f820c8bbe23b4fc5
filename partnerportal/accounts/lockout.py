"""The page a locked-out sign-in gets (`AXES_LOCKOUT_CALLABLE`): what happened and how long it lasts."""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


def lockout_username(request, credentials: dict | None) -> str:
    """The account a sign-in names, as sign-in matches it (case-insensitively), so case games share one count."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "").strip().lower()[:254]


def lockout_seconds_left(request, credentials: dict | None) -> int:
    """Seconds until the longest of the lockouts that apply to this request (account or address) ends."""
    cool_off = get_cool_off(request)
    if not cool_off:
        return 0
    limit = get_failure_limit(request, credentials)
    now = timezone.now()
    left = 0.0
    for attempts in AxesDatabaseHandler().get_user_attempts(request, credentials):
        totals = attempts.aggregate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
        if (totals["failures"] or 0) >= limit and totals["latest"] is not None:
            left = max(left, (totals["latest"] + cool_off - now).total_seconds())
    return max(1, math.ceil(left))


def lockout_response(request, original_response=None, credentials=None):
    """429 with a translated page naming the minutes left; the same for known and unknown addresses."""
    seconds = lockout_seconds_left(request, credentials)
    minutes = max(1, math.ceil(seconds / 60))
    template = "admin/lockout.html" if request.path.startswith("/admin/") else "registration/lockout.html"
    return render(request, template, {"minutes": minutes, "seconds": seconds}, status=429)
