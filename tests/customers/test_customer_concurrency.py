"""Two people submit the same new domain at the same moment: one customer is created, the other is told why."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from customers.models import Customer
from relationships.models import Relationship
from tests.factories import customer_form_data as form_data


@pytest.mark.django_db(transaction=True)
def test_the_same_domain_posted_twice_at_once_creates_one_customer(world):
    users = [world.users["sales_agent"], world.users["admin_agent"]]
    barrier = threading.Barrier(len(users))
    results: list = [None] * len(users)

    def submit(index: int) -> None:
        try:
            client = Client()
            client.force_login(users[index])
            data = form_data(domain_prefix="racecondition", company_name=f"Race Condition {index} Ltd")
            barrier.wait(timeout=10)
            response = client.post("/customers/new/", data)
            results[index] = (response.status_code, response.content.decode())
        except Exception as exc:  # noqa: BLE001 -- reported by the main thread's assertion below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(result, tuple) for result in results), results
    statuses = sorted(status for status, _html in results)
    assert statuses == [200, 302], "one request creates the customer, the other shows the form again"
    refused = next(html for status, html in results if status == 200)
    assert "This domain name is already in use. Choose another one." in refused
    customer = Customer.objects.get(primary_domain="racecondition.onmicrosoft.com")
    assert Relationship.objects.filter(customer=customer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_domain_taken_between_the_check_and_the_insert_gets_the_same_clear_message(world):
    """Force the narrow race: the check passes (the other row is not committed yet), then the insert collides."""
    from django.db import transaction

    from relationships.services import customer_onboard

    inserted, posting = threading.Event(), threading.Event()
    outcome: dict = {}

    def first() -> None:
        try:
            with transaction.atomic():
                customer_onboard(
                    actor=world.users["global_admin"],
                    data={k: v for k, v in form_data().items() if k not in ("domain_prefix", "agreement_status")}
                    | {"state": "WA"},
                    domain_prefix="narrowrace",
                )
                inserted.set()
                posting.wait(timeout=10)
                # Give the second request time to pass its check and block on the unique index.
                threading.Event().wait(1.0)
        finally:
            connection.close()

    def second() -> None:
        try:
            inserted.wait(timeout=10)
            client = Client()
            client.force_login(world.users["sales_agent"])
            posting.set()
            response = client.post("/customers/new/", form_data(domain_prefix="narrowrace"))
            outcome["response"] = (response.status_code, response.content.decode())
        except Exception as exc:  # noqa: BLE001 -- reported by the assertion below
            outcome["response"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    status, html = outcome["response"]
    assert status == 200
    assert "This domain name is already in use. Choose another one." in html
    assert Customer.objects.filter(primary_domain="narrowrace.onmicrosoft.com").count() == 1
