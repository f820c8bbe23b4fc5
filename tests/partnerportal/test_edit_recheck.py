"""The generic object form view re-checks, inside the transaction, that the saved object is still in scope."""

from __future__ import annotations

import pytest

from activity.models import ActivityEntry
from customers.models import Customer
from relationships.models import Relationship

pytestmark = pytest.mark.urls("tests.partnerportal.recheck_urls")


def test_a_save_that_moves_the_customer_out_of_scope_is_refused_and_rolled_back(world, client_for):
    customer = world.customer_in
    client = client_for(world.users["global_admin"])
    entries = ActivityEntry.objects.count()  # after signing in, which is an entry of its own

    response = client.post(f"/test/rename-and-end/{customer.pk}/", {"company_name": "Renamed Ltd"})

    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.company_name != "Renamed Ltd"
    assert Relationship.objects.filter(
        partner=world.partner_a, customer=customer, status=Relationship.Status.ACTIVE
    ).exists()
    assert ActivityEntry.objects.count() == entries
    # Still reachable afterwards: nothing of the refused save survived.
    assert client.get(customer.get_absolute_url()).status_code == 200


def test_a_save_that_keeps_the_customer_in_scope_goes_through(world, client_for):
    customer = world.customer_in
    client = client_for(world.users["global_admin"])

    response = client.post(f"/test/rename/{customer.pk}/", {"company_name": "Renamed Ltd"})

    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()
    assert Customer.objects.get(pk=customer.pk).company_name == "Renamed Ltd"


def test_a_customer_out_of_scope_is_a_404_before_anything_runs(world, client_for):
    client = client_for(world.users["global_admin"])
    response = client.post(f"/test/rename/{world.customer_out.pk}/", {"company_name": "Renamed Ltd"})
    assert response.status_code == 404
    assert Customer.objects.get(pk=world.customer_out.pk).company_name != "Renamed Ltd"
