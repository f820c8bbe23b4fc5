"""Rate limits on the public invitation page: per client address and per link, counted in PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import override_settings

from partnerportal.infrastructure.ratelimit import rate_limit_hit, window_start
from partnerportal.models import RateLimitCounter
from relationships.models import Invitation
from relationships.services import invitation_create
from tests.relationships.invite_helpers import accept_url, acceptance_data

NOON = datetime(2026, 11, 26, 12, 0, 5, tzinfo=UTC)


def test_requests_within_the_limit_pass_and_the_next_is_refused(db):
    results = [rate_limit_hit(key="k", limit=3, seconds=60, now=NOON) for _ in range(4)]
    assert [r.allowed for r in results] == [True, True, True, False]
    assert [r.count for r in results] == [1, 2, 3, 4]
    assert results[-1].retry_after == 55, "seconds until the window ends"


def test_a_new_window_starts_afresh_and_keys_are_counted_apart(db):
    for _ in range(3):
        rate_limit_hit(key="a", limit=3, seconds=60, now=NOON)
    assert not rate_limit_hit(key="a", limit=3, seconds=60, now=NOON).allowed
    assert rate_limit_hit(key="b", limit=3, seconds=60, now=NOON).allowed
    assert rate_limit_hit(key="a", limit=3, seconds=60, now=NOON + timedelta(seconds=60)).allowed
    assert window_start(NOON, 60) == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_counters_of_long_gone_windows_are_deleted(db):
    rate_limit_hit(key="old", limit=3, seconds=60, now=NOON - timedelta(days=2))
    rate_limit_hit(key="new", limit=3, seconds=60, now=NOON)
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_each_get_their_own_count():
    barrier = threading.Barrier(12)
    counts: list[int] = []
    lock = threading.Lock()

    def hit():
        try:
            barrier.wait()
            result = rate_limit_hit(key="busy", limit=100, seconds=600, now=NOON)
            with lock:
                counts.append(result.count)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 13)), "no lost updates"
    assert RateLimitCounter.objects.get(key="busy").count == 12


@override_settings(PORTAL_INVITE_RATE_LIMIT_ADDRESS=(3, 600))
def test_one_address_trying_many_links_gets_429_with_a_clear_page(world, client):
    _invitation, token = invitation_create(
        actor=world.users["global_admin"], email="a@b.example.net", message="Hi", dap=True
    )
    for n in range(3):
        assert client.get(accept_url(f"guess{n}")).status_code == 404

    refused = client.get(accept_url(token))

    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 600
    other = client.get(accept_url(token), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200, "another address is not affected"


@override_settings(PORTAL_INVITE_RATE_LIMIT_TOKEN=(2, 600))
def test_one_link_hammered_from_many_addresses_gets_429_and_stays_unused(world, client):
    invitation, token = invitation_create(
        actor=world.users["global_admin"], email="a@b.example.net", message="Hi", dap=True
    )
    assert client.get(accept_url(token), REMOTE_ADDR="198.51.100.1").status_code == 200
    assert client.get(accept_url(token), REMOTE_ADDR="198.51.100.2").status_code == 200

    refused = client.post(accept_url(token), acceptance_data(), REMOTE_ADDR="198.51.100.3")

    assert refused.status_code == 429
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING, "a refused request accepts nothing"
    assert not RateLimitCounter.objects.filter(key__contains=token).exists(), "the link itself is never stored"
