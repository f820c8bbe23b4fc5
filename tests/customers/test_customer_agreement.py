"""Confirming the customer agreement (issue 3 item 2): admin and sales agents; the date is never in the future."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from activity.actions import Actions
from activity.models import ActivityEntry
from customers.models import Customer
from partnerportal.models import Partner
from relationships.models import Partnership
from tests.customers.test_customer_create import field_errors
from tests.factories import make_customer, make_partner, make_user

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module


def agreement_url(customer) -> str:
    return f"/customers/{customer.pk}/agreement/"


def agreement_state(customer) -> tuple:
    return Customer.objects.values_list("agreement_status", "agreement_name", "agreement_email", "agreement_date").get(
        pk=customer.pk
    )


@pytest.mark.parametrize("role", ["admin_agent", "sales_agent"])
def test_an_agent_confirms_the_agreement_and_it_is_logged(world, client_for, role):
    customer = world.customer_in
    today = timezone.localdate()
    response = client_for(world.users[role]).post(
        agreement_url(customer),
        {
            "agreement_name": "Ana Kim",
            "agreement_email": "ana@customer.example.net",
            "agreement_date": today.isoformat(),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/customers/{customer.pk}/"
    html = response.content.decode()
    assert "The customer agreement was confirmed." in html
    assert "Confirmed by partner" in html
    assert agreement_state(customer) == ("attested_by_partner", "Ana Kim", "ana@customer.example.net", today)
    entry = ActivityEntry.objects.get(customer=customer, action=Actions.CUSTOMER_AGREEMENT_ATTEST)
    assert entry.actor == world.users[role]
    assert entry.details["before"]["agreement_status"] == "not_provided"
    assert entry.details["after"] == {
        "agreement_status": "attested_by_partner",
        "agreement_name": "Ana Kim",
        "agreement_email": "ana@customer.example.net",
        "agreement_date": today.isoformat(),
    }


def test_the_form_is_prefilled_with_the_primary_contact(world, client_for):
    html = client_for(world.users["sales_agent"]).get(agreement_url(world.customer_in)).content.decode()
    assert f'value="{world.customer_in.contact_name}"' in html
    assert f'value="{world.customer_in.contact_email}"' in html


BAD = [
    ("agreement_date", {"agreement_date": "FUTURE"}, "The acceptance date can't be in the future."),
    ("agreement_date", {"agreement_date": ""}, "This field is required."),
    ("agreement_date", {"agreement_date": "2024-02-30"}, "Enter a valid date."),
    ("agreement_name", {"agreement_name": "  "}, "This field is required."),
    ("agreement_name", {"agreement_name": "n" * 82}, "The name can have at most 81 characters."),
    ("agreement_email", {"agreement_email": "ana@"}, "Enter a valid email address, such as name@contoso.com."),
]


@pytest.mark.parametrize(("field", "overrides", "message"), BAD, ids=[f"{f}-{i}" for i, (f, _o, _m) in enumerate(BAD)])
def test_bad_attestations_are_refused_next_to_the_field_and_change_nothing(
    world, client_for, field, overrides, message
):
    customer = world.customer_in
    data = {"agreement_name": "Ana Kim", "agreement_email": "ana@customer.example.net", "agreement_date": "2024-05-01"}
    data.update(overrides)
    if data["agreement_date"] == "FUTURE":
        data["agreement_date"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    client = client_for(world.users["sales_agent"])  # signing in is an activity entry of its own
    before, entries = agreement_state(customer), ActivityEntry.objects.count()
    response = client.post(agreement_url(customer), data)
    assert response.status_code == 200
    assert message in field_errors(response, field), unescape(str(field_errors(response, field)))
    assert agreement_state(customer) == before
    assert ActivityEntry.objects.count() == entries


def test_an_agreement_the_customer_accepted_itself_is_not_overwritten(world, client_for):
    customer = world.customer_in
    Customer.objects.filter(pk=customer.pk).update(
        agreement_status="accepted_by_customer",
        agreement_name="Customer Admin",
        agreement_email="admin@customer.example.net",
        agreement_date=timezone.localdate(),
    )
    before = agreement_state(customer)
    response = client_for(world.users["admin_agent"]).post(
        agreement_url(customer),
        {"agreement_name": "Ana Kim", "agreement_email": "ana@customer.example.net", "agreement_date": "2024-05-01"},
    )
    assert response.status_code == 200
    assert "The customer has already accepted the customer agreement themselves." in unescape(response.content.decode())
    assert agreement_state(customer) == before


def test_an_indirect_reseller_cannot_confirm_the_agreement_its_provider_does(db, client_for):
    provider = make_partner(type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
    Partnership.objects.create(
        provider=provider, reseller=reseller, status=Partnership.Status.ACTIVE, activated_at=timezone.now()
    )
    make_user(provider, "global_admin")
    agent = make_user(reseller, "sales_agent")
    customer = make_customer(reseller, actor=make_user(reseller, "global_admin"), provider=provider)
    client = client_for(agent)
    assert 'id="confirm-agreement"' not in client.get(f"/customers/{customer.pk}/").content.decode()
    before = agreement_state(customer)
    response = client.post(
        agreement_url(customer),
        {"agreement_name": "Ana Kim", "agreement_email": "ana@customer.example.net", "agreement_date": "2024-05-01"},
    )
    assert "Indirect resellers can't confirm the customer agreement" in unescape(response.content.decode())
    assert agreement_state(customer) == before
    # The provider's agents can.
    provider_agent = make_user(provider, "admin_agent")
    client_for(provider_agent).post(
        agreement_url(customer),
        {"agreement_name": "Ana Kim", "agreement_email": "ana@customer.example.net", "agreement_date": "2024-05-01"},
    )
    assert agreement_state(customer)[0] == "attested_by_partner"


def test_only_agents_see_the_confirm_button(world, client_for):
    expected = {"global_admin": False, "admin_agent": True, "sales_agent": True, "helpdesk_agent": False}
    for role, shown in expected.items():
        html = client_for(world.users[role]).get(f"/customers/{world.customer_in.pk}/").content.decode()
        assert ('id="confirm-agreement"' in html) is shown, role
