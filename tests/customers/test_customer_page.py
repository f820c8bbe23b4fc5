"""The customer page: every section, only the buttons the user's roles allow, a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.services.subscriptions import subscription_create
from relationships.services import relationship_begin
from relationships.services.lifecycle import relationship_end
from tests.customers.list_helpers import query_count, tag

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

SECTIONS = ["company-info", "primary-contact", "account-info", "agreement", "tags", "relationships", "subscriptions"]


def _section(html: str, section_id: str) -> str:
    return html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("role", ["global_admin", "admin_agent", "sales_agent", "helpdesk_agent"])
def test_every_role_that_views_customers_sees_every_section(world, client_for, role):
    customer = world.customer_in
    tag(customer, world.users["global_admin"], "Gold")
    subscription_create(actor=world.users["global_admin"], customer=customer, offer_name="Office E1", quantity=4)
    html = client_for(world.users[role]).get(customer.get_absolute_url()).content.decode()
    for section in SECTIONS:
        assert f'id="{section}"' in html, section
    assert customer.company_name in _section(html, "company-info")
    assert customer.address_line1 in _section(html, "company-info")
    assert customer.contact_email in _section(html, "primary-contact")
    assert str(customer.pk) in _section(html, "account-info")
    assert customer.primary_domain in _section(html, "account-info")
    assert "Direct reseller" in _section(html, "account-info")
    assert "Not provided" in _section(html, "agreement")
    assert ">Gold<" in _section(html, "tags")
    assert "1 / 150" in _section(html, "tags")
    assert "Office E1" in _section(html, "subscriptions")


@pytest.mark.parametrize(
    ("role", "tags_button", "subscription_buttons"),
    [
        ("global_admin", True, True),
        ("admin_agent", True, True),
        ("sales_agent", False, True),
        ("helpdesk_agent", False, False),
    ],
)
def test_only_the_permitted_buttons_show(world, client_for, role, tags_button, subscription_buttons):
    subscription_create(actor=world.users["global_admin"], customer=world.customer_in, offer_name="E3", quantity=1)
    html = client_for(world.users[role]).get(world.customer_in.get_absolute_url()).content.decode()
    assert (reverse("customers:customer_tags", args=[world.customer_in.pk]) in html) is tags_button
    assert (reverse("customers:subscription_create", args=[world.customer_in.pk]) in html) is subscription_buttons
    # Suspending asks first: the button is a link to its confirmation page.
    assert ("/status/?action=suspend" in html) is subscription_buttons


def test_the_relationship_section_shows_dap_and_history(world, client_for):
    admin = world.users["global_admin"]
    relationship_end(actor=admin, customer=world.customer_in, reason="other", details="Paused for audit")
    relationship_begin(partner=world.partner_a, customer=world.customer_in, dap=False)
    html = _section(client_for(admin).get(world.customer_in.get_absolute_url()).content.decode(), "relationships")
    rows = html.split("<tbody>", 1)[1].split("</tr>")[:-1]
    assert len(rows) == 2
    newest, oldest = rows
    assert "Active" in newest and ">No<" in newest  # the new relationship has no delegated admin
    assert "Ended" in oldest and "Paused for audit" in oldest


def test_the_page_costs_the_same_with_1_and_with_50_subscriptions_and_tags(
    world, client_for, django_assert_num_queries
):
    admin = world.users["global_admin"]
    customer = world.customer_in
    subscription_create(actor=admin, customer=customer, offer_name="Offer 00", quantity=1)
    tag(customer, admin, "Tag 00")
    client = client_for(admin)
    url = customer.get_absolute_url()
    client.get(url)
    count = query_count(lambda: client.get(url))
    # Session, user with partner, the customer with its tags and relationship label (the user's actions on it
    # follow from its being in scope: no query), relationships, subscriptions (which also answer the Azure-plan
    # question), purchase permissions and, for a global admin, who reads the activity log, the customer's recent
    # entries; the admin relationships panel: the partner's relationships on the customer (and, once there are
    # any, one more for their groups' assignments).
    assert count == 8

    for i in range(1, 50):
        subscription_create(actor=admin, customer=customer, offer_name=f"Offer {i:02d}", quantity=i)
    tag(customer, admin, *[f"Tag {i:02d}" for i in range(50)])
    with django_assert_num_queries(count):
        html = client.get(url).content.decode()
    assert _section(html, "subscriptions").count('<tr id="subscription-') == 50
    assert _section(html, "tags").count("tag-chip") == 50
