"""The staff list pages with the keyset list view: active users first, then by email, and only a bounded count."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerportal.models import User
from tests.factories import make_user


def _emails(response) -> list[str]:
    return [member.email for member in response.context["staff"]]


def test_the_staff_list_pages_active_users_first_counting_at_most_the_cap(world, client_for, settings):
    settings.PORTAL_PAGE_SIZE = 5
    partner = world.partner_a
    for n in range(6):
        make_user(partner, "helpdesk_agent", email=f"extra{n:02d}@{partner.email_domain}")
    gone = make_user(partner, "sales_agent", email=f"aaa.gone@{partner.email_domain}")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    client = client_for(world.users["global_admin"])
    url = reverse("staff:user_list")

    with CaptureQueriesContext(connection) as queries:
        first = client.get(url)
    assert first.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and counts[0].endswith(f"LIMIT {settings.PORTAL_COUNT_CAP + 1}) subquery"), counts
    assert first.context["list_count"].total == User.objects.filter(partner=partner).count()

    seen = list(_emails(first))
    response = first
    while True:
        match = re.search(r'href="\?after=([^"&]+)&amp;start=(\d+)" rel="next"', response.content.decode())
        if not match:
            break
        response = client.get(f"{url}?after={match.group(1)}&start={match.group(2)}")
        seen += _emails(response)

    # Every user once, in the order the list always had: active users by email, then the deactivated one.
    expected = list(
        User.objects.filter(partner=partner).order_by("-is_active", "email").values_list("email", flat=True)
    )
    assert seen == expected
    assert seen[-1] == gone.email
    assert len(_emails(first)) == 5


def test_the_role_filter_stays_in_the_pager_links(world, client_for, settings):
    settings.PORTAL_PAGE_SIZE = 2
    partner = world.partner_a
    for n in range(3):
        make_user(partner, "helpdesk_agent", email=f"help{n}@{partner.email_domain}")
    client = client_for(world.users["global_admin"])

    response = client.get(reverse("staff:user_list") + "?role=helpdesk_agent")

    assert {member.agent_role for member in response.context["staff"]} == {"helpdesk_agent"}
    assert 'href="?role=helpdesk_agent&amp;after=' in response.content.decode()
