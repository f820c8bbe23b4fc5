"""Editing a customer (issue 3 item 2): every role edits, the domain never changes, bad input changes nothing."""

from __future__ import annotations

from html import unescape

import pytest
from django.forms.models import model_to_dict

from activity.actions import Actions
from activity.models import ActivityEntry
from customers.models import Customer
from tests.customers.test_customer_create import OWN_DOMAIN, field_errors

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module


def edit_url(customer) -> str:
    return f"/customers/{customer.pk}/edit/"


def edit_data(customer: Customer, **overrides) -> dict:
    """What the edit page posts when nothing is touched, plus overrides."""
    data = {
        "company_name": customer.company_name,
        "country": customer.country,
        "address_line1": customer.address_line1,
        "address_line2": customer.address_line2,
        "city": customer.city,
        "state": f"{customer.country}-{customer.state}" if customer.state else "",
        "postal_code": customer.postal_code,
        "contact_first_name": customer.contact_first_name,
        "contact_last_name": customer.contact_last_name,
        "contact_email": customer.contact_email,
        "contact_phone": customer.contact_phone,
        "registration_id": customer.registration_id,
        "culture": customer.culture,
    }
    data.update(overrides)
    return data


def stored(customer: Customer) -> dict:
    return model_to_dict(Customer.objects.get(pk=customer.pk), exclude=["search_text"]) | {
        "primary_domain": Customer.objects.get(pk=customer.pk).primary_domain
    }


@pytest.mark.parametrize("role", ["global_admin", "admin_agent", "sales_agent", "helpdesk_agent"])
def test_every_role_edits_a_customer_and_the_change_is_logged_with_only_the_changed_fields(world, client_for, role):
    customer = world.customer_in
    response = client_for(world.users[role]).post(
        edit_url(customer), edit_data(customer, city="Bellevue", address_line2="Suite 200"), follow=True
    )
    assert response.redirect_chain[-1][0] == f"/customers/{customer.pk}/"
    assert "The customer&#x27;s details were saved." in response.content.decode()
    customer.refresh_from_db()
    assert (customer.city, customer.address_line2) == ("Bellevue", "Suite 200")
    entry = ActivityEntry.objects.filter(customer=customer, action=Actions.CUSTOMER_UPDATE).get()
    assert entry.actor == world.users[role]
    assert entry.details == {
        "before": {"city": "Redmond", "address_line2": ""},
        "after": {"city": "Bellevue", "address_line2": "Suite 200"},
    }


def test_the_edit_page_shows_current_values_and_the_domain_read_only(world, client_for):
    html = client_for(world.users["helpdesk_agent"]).get(edit_url(world.customer_in)).content.decode()
    prefix = world.customer_in.domain_prefix
    assert f'name="domain_prefix" value="{prefix}"' in html
    assert "disabled" in html.split('name="domain_prefix"', 1)[1].split(">", 1)[0]
    assert "data-domain-check-url" not in html, "no live check for a domain that cannot change"
    assert '<option value="US-WA" selected>' in html
    assert "The primary domain can't be changed." in unescape(html)


def test_a_posted_domain_is_ignored_the_domain_never_changes(world, client_for):
    customer = world.customer_in
    domain = customer.primary_domain
    client_for(world.users["global_admin"]).post(
        edit_url(customer), edit_data(customer, domain_prefix="hijacked", primary_domain="hijacked.onmicrosoft.com")
    )
    customer.refresh_from_db()
    assert customer.primary_domain == domain
    assert not Customer.objects.filter(primary_domain__startswith="hijacked").exists()


def test_saving_without_changes_writes_no_log_entry(world, client_for):
    client = client_for(world.users["sales_agent"])  # signing in is an activity entry of its own
    before = ActivityEntry.objects.count()
    response = client.post(edit_url(world.customer_in), edit_data(world.customer_in))
    assert response.status_code == 302
    assert ActivityEntry.objects.count() == before


def test_a_country_change_without_a_chosen_culture_moves_the_culture_to_the_new_default(world, client_for):
    customer = world.customer_in
    client_for(world.users["sales_agent"]).post(
        edit_url(customer), edit_data(customer, country="KR", state="", postal_code="06164", culture="")
    )
    customer.refresh_from_db()
    assert (customer.country, customer.state, customer.culture, customer.language) == ("KR", "", "ko-KR", "ko")


BAD_EDITS = [
    (
        "company_name",
        {"company_name": "Inc."},
        "The company name can't be only a legal suffix such as “LLC” or “Inc”. Enter the full legal name.",
    ),
    ("company_name", {"company_name": ""}, "This field is required."),
    ("postal_code", {"postal_code": "ABCDE"}, "Enter a valid postal code for United States (for example 98052)."),
    ("state", {"state": "CA-ON"}, "Select a valid state/province for United States."),
    (
        "contact_email",
        {"contact_email": "someone@contoso.example"},
        OWN_DOMAIN,
    ),
    ("contact_first_name", {"contact_first_name": "z" * 41}, "The first name can have at most 40 characters."),
    ("address_line1", {"address_line1": "x" * 201}, "Address line 1 can have at most 200 characters."),
    (
        "registration_id",
        {"country": "PL", "state": "", "postal_code": "00-950", "contact_phone": "+48 22 000 00 00"},
        "A company registration ID is required for customers in Poland.",
    ),
]


@pytest.mark.parametrize(("field", "overrides", "message"), BAD_EDITS, ids=[f"{f}-{i}" for i, (f, _o, _m) in enumerate(BAD_EDITS)])  # fmt: skip  # noqa: E501
def test_bad_edits_are_refused_next_to_the_field_and_change_nothing(world, client_for, field, overrides, message):
    customer = world.customer_in
    client = client_for(world.users["admin_agent"])  # signing in is an activity entry of its own
    before, entries = stored(customer), ActivityEntry.objects.count()
    response = client.post(edit_url(customer), edit_data(customer, **overrides))
    assert response.status_code == 200
    assert message in field_errors(response, field), unescape(str(field_errors(response, field)))
    assert stored(customer) == before
    assert ActivityEntry.objects.count() == entries


def test_another_partners_customer_cannot_be_edited_and_stays_unchanged(world, client_for):
    customer = world.customer_out
    before = stored(customer)
    response = client_for(world.users["global_admin"]).post(edit_url(customer), edit_data(customer, city="Nowhere"))
    assert response.status_code == 404
    assert stored(customer) == before


def test_the_customer_page_offers_edit_to_every_role(world, client_for):
    for role in ["global_admin", "admin_agent", "sales_agent", "helpdesk_agent"]:
        html = client_for(world.users[role]).get(f"/customers/{world.customer_in.pk}/").content.decode()
        assert f'href="/customers/{world.customer_in.pk}/edit/"' in html, role
