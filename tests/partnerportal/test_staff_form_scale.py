"""The staff form at scale: assigned customers are found with a server-side search (no page lists every customer),
the search works without JavaScript, only the partner's own customers can be assigned, and a user without any role
is saved only by an explicit choice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.models import Customer, domain_suffix
from partnerportal.models import User
from permissions.models import CustomerAssignment
from permissions.services import customer_access_grant
from relationships.models import Relationship
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("shared_world")

MANY = 300


@pytest.fixture(scope="module")
def many_customers(shared_world, django_db_blocker):
    """Partner A holds MANY more customers (bulk-written: active relationships and the partner's access)."""
    with django_db_blocker.unblock():
        suffix = domain_suffix()
        customers = Customer.objects.bulk_create(
            Customer(
                company_name=f"Picker Customer {i:03d} Ltd",
                primary_domain=f"picker{i:03d}{suffix}",
                country="US",
                address_line1="1 Main Street",
                city="Redmond",
                state="WA",
                postal_code="98052",
                contact_first_name="Ana",
                contact_last_name="Kim",
                contact_email=f"it{i:03d}@picker.example.net",
            )
            for i in range(MANY)
        )
        Relationship.objects.bulk_create(
            Relationship(partner=shared_world.partner_a, customer=c, kind="direct", status="active", source="created")
            for c in customers
        )
        customer_access_grant(partner=shared_world.partner_a, customers=customers)
    return customers


def staff_data(**overrides) -> dict:
    data = {
        "email": "picker.user@contoso.example",
        "first_name": "Pia",
        "last_name": "Picker",
        "admin_role": "",
        "agent_role": "helpdesk_agent",
        "scope": "assigned",
    }
    data.update(overrides)
    return data


def test_the_add_page_does_not_list_every_customer(world, client_for, many_customers):
    response = client_for(world.users["global_admin"]).get(reverse("staff:user_create"))

    html = response.content.decode()
    assert response.status_code == 200
    listed = sum(f"picker{i:03d}" in html for i in range(MANY))
    assert listed == 0, f"{listed} of {MANY} customers are on the page"
    assert 'name="customer_q"' in html and 'name="find_customers"' in html


def test_find_customers_shows_matches_as_checkboxes_and_keeps_what_was_typed(world, client_for, many_customers):
    client = client_for(world.users["global_admin"])
    chosen = many_customers[7]

    response = client.post(
        reverse("staff:user_create"),
        staff_data(customers=[str(chosen.pk)], customer_q="Picker Customer 12", find_customers="1"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not User.objects.filter(email="picker.user@contoso.example").exists(), "searching saves nothing"
    assert 'value="picker.user@contoso.example"' in html, "the typed email comes back"
    # The chosen customer stays ticked; the ten matches of "Picker Customer 12x" are offered, unticked.
    assert f'value="{chosen.pk}" class="form-check-input" id="id_customers_0" checked' in html
    for i in range(120, 130):
        assert f"picker{i:03d}" in html
    assert "picker131" not in html
    assert "is-invalid" not in html, "a search shows no validation errors"


def test_a_search_shows_at_most_twenty_matches(world, client_for, many_customers):
    response = client_for(world.users["global_admin"]).post(
        reverse("staff:user_create"), staff_data(customer_q="picker.example.net", find_customers="1")
    )

    html = response.content.decode()
    assert sum(f"picker{i:03d}" in html for i in range(MANY)) == 20
    assert "type more to narrow the search" in html


def test_a_customer_found_by_its_id_fragment_is_assigned_on_save(world, client_for, many_customers):
    client = client_for(world.users["global_admin"])
    target = many_customers[42]
    found = client.post(
        reverse("staff:user_create"), staff_data(customer_q=str(target.pk)[:13].upper(), find_customers="1")
    )
    assert f'value="{target.pk}"' in found.content.decode()

    response = client.post(reverse("staff:user_create"), staff_data(customers=[str(target.pk)]))

    assert response.status_code == 302
    user = User.objects.get(email="picker.user@contoso.example")
    assert list(CustomerAssignment.objects.filter(user=user).values_list("customer_id", flat=True)) == [target.pk]


def test_another_partner_s_customer_posted_by_hand_is_refused(world, client_for):
    client = client_for(world.users["global_admin"])

    response = client.post(reverse("staff:user_create"), staff_data(customers=[str(world.customer_out.pk)]))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="picker.user@contoso.example").exists()
    # Nor does a search ever show it.
    found = client.post(
        reverse("staff:user_create"), staff_data(customer_q=world.customer_out.company_name, find_customers="1")
    )
    assert str(world.customer_out.pk) not in found.content.decode()


def test_the_edit_page_shows_the_assigned_customers_ticked_and_no_others(world, client_for, many_customers):
    admin = world.users["global_admin"]
    user = make_user(world.partner_a, "helpdesk_agent", scope="assigned", email="assigned.picker@contoso.example")
    client = client_for(admin)
    client.post(
        reverse("staff:user_update", args=[user.pk]),
        {"admin_role": "", "agent_role": "helpdesk_agent", "scope": "assigned", "customers": [many_customers[3].pk]},
    )

    html = client.get(reverse("staff:user_update", args=[user.pk])).content.decode()

    assert "picker003" in html and "checked" in html
    assert sum(f"picker{i:03d}" in html for i in range(MANY)) == 1


# --- no role only by an explicit choice ------------------------------------------------------------------------


def test_adding_a_user_without_a_role_needs_the_explicit_choice(world, client_for):
    client = client_for(world.users["global_admin"])

    refused = client.post(reverse("staff:user_create"), staff_data(agent_role="", scope="partner"))

    assert refused.status_code == 200
    assert "Choose an admin role or an agent role" in refused.content.decode()
    assert not User.objects.filter(email="picker.user@contoso.example").exists()

    added = client.post(reverse("staff:user_create"), staff_data(agent_role="", scope="partner", no_role="on"))

    assert added.status_code == 302
    user = User.objects.get(email="picker.user@contoso.example")
    assert (user.admin_role, user.agent_role) == ("", "")


def test_removing_every_role_on_edit_needs_the_explicit_choice(world, client_for):
    user = make_user(world.partner_a, "helpdesk_agent", email="losing.roles@contoso.example")
    client = client_for(world.users["global_admin"])
    url = reverse("staff:user_update", args=[user.pk])
    data = {"first_name": "L", "last_name": "R", "admin_role": "", "agent_role": "", "scope": "partner"}

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "Choose an admin role or an agent role" in refused.content.decode()
    user.refresh_from_db()
    assert user.agent_role == "helpdesk_agent"

    assert client.post(url, {**data, "no_role": "on"}).status_code == 302
    user.refresh_from_db()
    assert user.agent_role == ""
    # Already without a role, the page shows the choice made, so saving names again needs nothing more.
    assert 'name="no_role" class="checkboxinput form-check-input" id="id_no_role" checked' in (
        client.get(url).content.decode()
    )
