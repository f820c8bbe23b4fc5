"""`make bench`, the API part: the customer list endpoint against the list page, same user, same list states.

Issue 13's target: at the largest size the endpoint's median server time within 1.5× of the page's, with the same
number of queries at every size. Both run in-process with the test Client, interleaved with each other and across
sizes (`harness.measure_interleaved`), as the sales agent of the page benchmark (a bearer token for the API).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.test import Client, override_settings
from django.urls import reverse

from api.services import api_token_create
from tests.perf import harness

COMMON_WORD = "tailspin"  # as the page benchmark's common-word search


class BearerClient:
    """A test Client that sends `Authorization: Bearer …` (the API takes no session)."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.token = token

    def get(self, url: str):
        return self.client.get(url, HTTP_AUTHORIZATION=f"Bearer {self.token}")


def list_states(person) -> list[tuple[str, dict]]:
    """(label, query) of the list states compared: first page, the common-word search, a name fragment."""
    return [
        ("list page 1", {}),
        ("search: common word", {"q": COMMON_WORD}),
        ("search: name fragment", {"q": person.scenario["fragment"]}),
        ("newest first", {"sort": "-created"}),
    ]


def measure_api(sizes: list, who: str, report, *, repeat: int, ms, ratio) -> list[list]:
    """Time the page and the endpoint for each list state at every size; print one table; return target rows."""
    page_url, api_url = reverse("customers:customer_list"), reverse("api:customer_list")
    clients = {}
    for size in sizes:
        harness.use(size.database)
        person = size.people[who]
        clients[size.n] = BearerClient(api_token_create(actor=person.user, name="bench").raw)
    rows, targets = [], []
    states = list_states(sizes[0].people[who])
    results: dict = {}
    with override_settings(PORTAL_API_REQUESTS_PER_MINUTE=10**9):
        for index, (label, _query) in enumerate(states):
            targets_ = {}
            for size in sizes:
                person = size.people[who]
                q = list_states(person)[index][1]
                suffix = ("?" + urlencode(q)) if q else ""
                targets_[(size.n, "page")] = harness.Target(size.database, person.client, page_url + suffix)
                targets_[(size.n, "api")] = harness.Target(size.database, clients[size.n], api_url + suffix)
            timings = harness.measure_interleaved(targets_, repeat=repeat)
            bad = {name: t.status for name, t in timings.items() if t.status != 200}
            assert not bad, f"API bench, {label}: non-200 answers {bad}"
            for size in sizes:
                page, api = timings[(size.n, "page")], timings[(size.n, "api")]
                results[(size.n, label)] = (page, api)
                rows.append(
                    [
                        f"N = {size.n:,}",
                        label,
                        ms(page.median),
                        page.queries,
                        ms(api.median),
                        api.queries,
                        ms(api.sql_median),
                        ratio(api.median, page.median),
                    ]
                )
    report(f"### Customer list: page vs API endpoint ({who})")
    report()
    report.table(
        [
            "Size",
            "List state",
            "Page median ms",
            "Page queries",
            "API median ms",
            "API queries",
            "API SQL ms",
            "API/page",
        ],
        rows,
    )
    large, small = max(s.n for s in sizes), min(s.n for s in sizes)
    for _label, _query in states:
        page, api = results[(large, _label)]
        r = api.median / page.median
        same = api.queries == results[(small, _label)][1].queries
        targets.append(
            [
                f"API ≤1.5× list page, constant queries: {_label}",
                f"{r:.2f}×, {results[(small, _label)][1].queries}→{api.queries} queries",
                "met" if r <= 1.5 and same else "missed",
            ]
        )
    return targets
