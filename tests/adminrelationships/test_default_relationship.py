"""The default admin relationship on Add customer (Partner Center 2024: checked by default): offered to those who
may request admin relationships when the partner has a default template, created active at once with the customer
in one transaction, the customer's contact told by email (real SMTP server), nobody else offered it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships.models import AdminRelationship, RoleTemplate, Status
from adminrelationships.services import role_template_create
from customers.models import Customer
from partnerportal.models import OutboundEmail
from relationships.models import Relationship
from relationships.services import customer_onboard_with_options
from tests.adminrelationships.helpers import DIRECTORY_READERS, HELPDESK_ADMIN
from tests.factories import customer_data, customer_form_data
from tests.smtp import body_of, run_worker

ADD = "customers:customer_create"
CHECKBOX = "default_admin_relationship"


def _default(world) -> RoleTemplate:
    return role_template_create(
        actor=world.users["admin_agent"],
        name="Helpdesk standard",
        roles=[HELPDESK_ADMIN, DIRECTORY_READERS],
        is_default=True,
    )


def test_the_checkbox_is_checked_by_default_and_names_the_template_and_roles(world, client_for):
    _default(world)
    page = client_for(world.users["admin_agent"]).get(reverse(ADD)).content.decode()
    assert f'name="{CHECKBOX}"' in page
    assert (
        "Create the default admin relationship (Helpdesk standard: Directory Readers, Helpdesk Administrator)" in page
    )
    field = page[page.index(f'name="{CHECKBOX}"') - 200 : page.index(f'name="{CHECKBOX}"') + 200]
    assert "checked" in field


@pytest.mark.parametrize("role", ["global_admin", "sales_agent"])
def test_others_see_no_checkbox_and_get_no_relationship(world, client_for, role):
    _default(world)
    client = client_for(world.users[role])
    assert CHECKBOX not in client.get(reverse(ADD)).content.decode()
    response = client.post(reverse(ADD), customer_form_data(**{CHECKBOX: "on"}))
    assert response.status_code == 302
    assert Customer.objects.filter(primary_domain__startswith="adatumcorp.").exists()
    assert not AdminRelationship.objects.exists()


def test_no_default_template_no_checkbox(world, client_for):
    role_template_create(actor=world.users["admin_agent"], name="Plain", roles=[DIRECTORY_READERS])
    assert CHECKBOX not in client_for(world.users["admin_agent"]).get(reverse(ADD)).content.decode()


def test_with_the_checkbox_the_relationship_is_active_at_once_and_the_contact_is_told(
    transactional_db, world, client_for, smtp
):
    _default(world)
    agent = world.users["admin_agent"]
    response = client_for(agent).post(reverse(ADD), customer_form_data(**{CHECKBOX: "on"}))
    assert response.status_code == 302
    customer = Customer.objects.get(primary_domain__startswith="adatumcorp.")
    relationship = AdminRelationship.objects.get(customer=customer)
    assert relationship.status == Status.ACTIVE
    assert relationship.approved_at == relationship.starts_at
    assert relationship.ends_at == relationship.starts_at + timedelta(days=730)
    assert relationship.roles == [DIRECTORY_READERS, HELPDESK_ADMIN]
    assert relationship.created_with_customer and relationship.approved_name == world.partner_a.name
    assert relationship.requested_by_id == agent.pk and relationship.partner_id == world.partner_a.pk
    entry = ActivityEntry.objects.get(action=Actions.ADMIN_RELATIONSHIP_CREATE_ACTIVE)
    assert entry.customer_id == customer.pk and entry.actor_id == agent.pk
    assert not OutboundEmail.objects.filter(topic=f"admin-relationship:{relationship.pk}").exists(), "no approval"
    run_worker(smtp)
    [message] = smtp.received(to="ana.kim@adatum.example.net")
    body = body_of(message)
    assert "/admin-approval/" not in body
    assert "Helpdesk Administrator" in body and world.partner_a.name in body
    # It is an ordinary active relationship from then on: the customer page shows it.
    assert relationship.name in client_for(agent).get(customer.get_absolute_url()).content.decode()


def test_unchecked_no_relationship(world, client_for):
    _default(world)
    response = client_for(world.users["admin_agent"]).post(reverse(ADD), customer_form_data())
    assert response.status_code == 302
    assert Customer.objects.filter(primary_domain__startswith="adatumcorp.").exists()
    assert not AdminRelationship.objects.exists()


def test_a_failure_rolls_the_customer_back_too(world):
    """The default template deleted meanwhile (after the form offered it): the option fails, and the customer,
    its relationship and its log entry go with it."""
    template = _default(world)
    RoleTemplate.objects.filter(pk=template.pk).delete()
    data = customer_data(company_name="Adatum Corporation")
    prefix = "adatumcorp"
    with pytest.raises(ValidationError) as raised:
        customer_onboard_with_options(
            actor=world.users["admin_agent"], options={CHECKBOX: True}, data=data, domain_prefix=prefix
        )
    assert CHECKBOX in raised.value.message_dict
    assert not Customer.objects.filter(primary_domain__startswith="adatumcorp.").exists()
    assert not Relationship.objects.filter(customer__primary_domain__startswith="adatumcorp.").exists()
    assert not AdminRelationship.objects.exists()
    assert not ActivityEntry.objects.filter(
        action=Actions.CUSTOMER_CREATE, details__after__company_name="Adatum Corporation"
    ).exists()


def test_the_page_shows_the_option_error_beside_the_checkbox(world, client_for):
    """A template replaced between showing and saving the form: the current default is what is created."""
    _default(world)
    client = client_for(world.users["admin_agent"])
    client.get(reverse(ADD))
    RoleTemplate.objects.update(is_default=False)
    newer = role_template_create(
        actor=world.users["admin_agent"], name="Readers", roles=[DIRECTORY_READERS], is_default=True
    )
    assert client.post(reverse(ADD), customer_form_data(**{CHECKBOX: "on"})).status_code == 302
    assert AdminRelationship.objects.get().roles == newer.roles
