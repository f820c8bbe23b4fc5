"""Two requests at once: one Idempotency-Key gives one customer; two PATCHes with one ETag give one change."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from activity.models import ActivityEntry
from customers.models import Customer
from tests.api.helpers import ApiClient, token_for
from tests.api.test_customers import detail, new_customer_body

LIST = "/api/v1/customers/"


def race(count: int, request) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait()
            response = request(n)
            with lock:
                results.append(response)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_one_key_create_one_customer(world):
    token = token_for(world.users["global_admin"])
    body = new_customer_body(domain_prefix="racekey")
    responses = race(8, lambda n: ApiClient(token).post(LIST, body, headers={"Idempotency-Key": "race-1"}))
    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == 7
    assert Customer.objects.filter(primary_domain__startswith="racekey.").count() == 1
    assert (
        ActivityEntry.objects.filter(action="customer.create", customer__primary_domain__startswith="racekey.").count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_with_one_etag_change_the_customer_once(world):
    token = token_for(world.users["global_admin"])
    url = detail(world.customer_in)
    etag = ApiClient(token).get(url)["ETag"]
    cities = ["Bellevue", "Seattle", "Tacoma", "Spokane", "Everett", "Olympia"]
    responses = race(
        len(cities), lambda n: ApiClient(token).patch(url, {"city": cities[n]}, headers={"If-Match": etag})
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * (len(cities) - 1), statuses
    winner = next(r for r in responses if r.status_code == 200).json()["city"]
    assert Customer.objects.get(pk=world.customer_in.pk).city == winner
    assert ActivityEntry.objects.filter(action="customer.update", customer=world.customer_in).count() == 1
