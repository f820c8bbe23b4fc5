"""Subscriptions: add (global admin, admin agent, sales agent), suspend, reactivate, cancel; helpdesk read-only."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from customers.models import Subscription
from customers.services.subscriptions import subscription_create, subscription_status_change
from tests.customers.list_helpers import customer_named, provider_world
from tests.factories import make_user

Status = Subscription.Status


@pytest.fixture
def sales(world):
    return world.users["sales_agent"]


@pytest.fixture
def subscription(world):
    return subscription_create(
        actor=world.users["global_admin"], customer=world.customer_in, offer_name="Microsoft 365 E3", quantity=10
    )


def _create_url(customer) -> str:
    return reverse("customers:subscription_create", args=[customer.pk])


def _status_url(subscription, customer=None) -> str:
    return reverse("customers:subscription_status", args=[(customer or subscription.customer).pk, subscription.pk])


def _state():
    return (
        sorted(Subscription.objects.values_list("pk", "offer_name", "quantity", "status", "is_azure_plan")),
        ActivityEntry.objects.filter(action__in=[Actions.SUBSCRIPTION_CREATE, Actions.SUBSCRIPTION_STATUS]).count(),
    )


def test_a_sales_agent_adds_a_subscription(world, sales, client_for):
    client = client_for(sales)
    response = client.post(
        _create_url(world.customer_in), {"offer_name": "  Azure   plan ", "quantity": "3", "is_azure_plan": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == world.customer_in.get_absolute_url() + "#subscriptions"
    subscription = Subscription.objects.get(customer=world.customer_in)
    assert (subscription.offer_name, subscription.quantity, subscription.is_azure_plan, subscription.status) == (
        "Azure plan",
        3,
        True,
        Status.ACTIVE,
    )
    assert subscription.partner == world.partner_a
    entry = ActivityEntry.objects.get(action=Actions.SUBSCRIPTION_CREATE)
    assert entry.actor == sales and entry.customer_id == world.customer_in.pk
    assert entry.details["after"]["offer_name"] == "Azure plan"

    page = client.get(world.customer_in.get_absolute_url()).content.decode()
    assert "“Azure plan” added." in page
    assert "Azure plan" in page.split('id="subscription-table"', 1)[1]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"offer_name": "", "quantity": "1"}, "offer_name", "This field is required."),
        ({"offer_name": "   ", "quantity": "1"}, "offer_name", "This field is required."),
        ({"offer_name": "x" * 201, "quantity": "1"}, "offer_name", "at most 200 characters"),
        ({"offer_name": "E3", "quantity": "0"}, "quantity", "greater than or equal to 1"),
        ({"offer_name": "E3", "quantity": "-5"}, "quantity", "greater than or equal to 1"),
        ({"offer_name": "E3", "quantity": "1.5"}, "quantity", "Enter a whole number."),
        ({"offer_name": "E3", "quantity": "lots"}, "quantity", "Enter a whole number."),
        ({"offer_name": "E3", "quantity": "99999999999999999999"}, "quantity", "less than or equal to 1000000"),
        ({"offer_name": "E\x003", "quantity": "1"}, "offer_name", "Null characters are not allowed."),
    ],
)
def test_bad_subscription_input_is_rejected_next_to_the_field(world, sales, client_for, data, field, message):
    state = _state()
    response = client_for(sales).post(_create_url(world.customer_in), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert message.split("“")[0] in response.content.decode()
    assert _state() == state


def test_the_helpdesk_sees_subscriptions_read_only(world, subscription, client_for):
    html = client_for(world.users["helpdesk_agent"]).get(world.customer_in.get_absolute_url()).content.decode()
    table = html.split('id="subscription-table"', 1)[1].split("</table>", 1)[0]
    assert "Microsoft 365 E3" in table
    assert "<form" not in table and 'id="add-subscription"' not in html


@pytest.mark.parametrize("role", ["global_admin", "admin_agent", "sales_agent"])
def test_managing_roles_see_the_buttons_their_status_allows(world, subscription, client_for, role):
    client = client_for(world.users[role])
    html = client.get(world.customer_in.get_absolute_url()).content.decode()
    assert 'id="add-subscription"' in html
    row = html.split(f'id="subscription-{subscription.pk}"', 1)[1].split("</tr>", 1)[0]
    # Suspending and cancelling are links to their confirmation pages; reactivating is a button.
    assert "?action=suspend" in row and "?action=cancel" in row and 'value="reactivate"' not in row

    subscription_status_change(actor=world.users[role], subscription=subscription, action="suspend")
    row = client.get(world.customer_in.get_absolute_url()).content.decode()
    row = row.split(f'id="subscription-{subscription.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'value="reactivate"' in row and "?action=cancel" in row and "?action=suspend" not in row

    subscription_status_change(actor=world.users[role], subscription=subscription, action="cancel")
    row = client.get(world.customer_in.get_absolute_url()).content.decode()
    row = row.split(f'id="subscription-{subscription.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "<button" not in row


def test_suspend_reactivate_cancel_through_the_buttons(world, sales, subscription, client_for):
    client = client_for(sales)
    for action, status, message in [
        ("suspend", Status.SUSPENDED, "“Microsoft 365 E3” is suspended."),
        ("reactivate", Status.ACTIVE, "“Microsoft 365 E3” is active again."),
        ("suspend", Status.SUSPENDED, "“Microsoft 365 E3” is suspended."),
        ("cancel", Status.CANCELLED, "“Microsoft 365 E3” is cancelled."),
    ]:
        response = client.post(_status_url(subscription), {"action": action}, follow=True)
        subscription.refresh_from_db()
        assert subscription.status == status
        assert message in response.content.decode()
    entries = ActivityEntry.objects.filter(action=Actions.SUBSCRIPTION_STATUS).order_by("id")
    assert [(e.details["before"]["status"], e.details["after"]["status"]) for e in entries] == [
        ("active", "suspended"),
        ("suspended", "active"),
        ("active", "suspended"),
        ("suspended", "cancelled"),
    ]


@pytest.mark.parametrize(
    ("start", "action", "message"),
    [
        ([], "reactivate", "“Microsoft 365 E3” is already active."),
        (["suspend"], "suspend", "“Microsoft 365 E3” is already suspended."),
        (["cancel"], "reactivate", "is cancelled; a cancelled subscription can't be changed."),
        (["cancel"], "suspend", "is cancelled; a cancelled subscription can't be changed."),
        (["cancel"], "cancel", "is cancelled; a cancelled subscription can't be changed."),
        ([], "delete", "Choose suspend, reactivate or cancel."),
        ([], "", "Choose suspend, reactivate or cancel."),
    ],
)
def test_a_bad_transition_says_so_and_changes_nothing(world, sales, subscription, client_for, start, action, message):
    for step in start:
        subscription_status_change(actor=sales, subscription=subscription, action=step)
    state = _state()
    response = client_for(sales).post(_status_url(subscription), {"action": action}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert "alert-danger" in html
    assert _state() == state


def test_the_subscription_must_belong_to_the_urls_customer_and_the_users_partner(world, sales, client_for):
    other_customer = customer_named(world.partner_a, world.users["global_admin"], "Other Co")
    mine = subscription_create(actor=sales, customer=world.customer_in, offer_name="E3", quantity=1)
    theirs = subscription_create(actor=world.user_b, customer=world.customer_out, offer_name="E5", quantity=1)
    client = client_for(sales)
    assert client.post(_status_url(mine, other_customer), {"action": "suspend"}).status_code == 404
    assert client.post(_status_url(theirs, world.customer_in), {"action": "suspend"}).status_code == 404
    assert client.post(_status_url(theirs), {"action": "suspend"}).status_code == 404
    assert client.post(reverse("customers:subscription_status", args=[world.customer_in.pk, 10**20])).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == theirs.status == Status.ACTIVE


def test_on_a_shared_customer_each_partner_sees_and_manages_only_its_own_subscriptions(db, client_for):
    provider, northwind, _tailspin, provider_admin = provider_world()
    shared = customer_named(provider, provider_admin, "Shared Co", reseller=northwind)
    reseller_admin = make_user(northwind, "global_admin")
    provider_sub = subscription_create(actor=provider_admin, customer=shared, offer_name="Provider Offer", quantity=1)
    client = client_for(reseller_admin)
    assert "Provider Offer" not in client.get(shared.get_absolute_url()).content.decode()
    assert client.post(_status_url(provider_sub), {"action": "cancel"}).status_code == 404
    provider_sub.refresh_from_db()
    assert provider_sub.status == Status.ACTIVE


def test_no_subscription_is_added_or_reactivated_after_the_relationship_ended(world, sales, subscription):
    from relationships.services.lifecycle import relationship_end

    subscription_status_change(actor=sales, subscription=subscription, action="suspend")
    relationship_end(actor=world.users["global_admin"], customer=world.customer_in, reason="other", details="Moving on")
    with pytest.raises(ValidationError):
        subscription_create(actor=sales, customer=world.customer_in, offer_name="Late", quantity=1)
    with pytest.raises(ValidationError):
        subscription_status_change(actor=sales, subscription=subscription, action="reactivate")
    subscription.refresh_from_db()
    assert subscription.status == Status.SUSPENDED
    assert not Subscription.objects.filter(offer_name="Late").exists()


@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_suspend_changes_the_subscription_once(world):
    sales = world.users["sales_agent"]
    subscription = subscription_create(actor=sales, customer=world.customer_in, offer_name="E3", quantity=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def suspend():
        try:
            barrier.wait()
            subscription_status_change(actor=sales, subscription=subscription, action="suspend")
            outcomes.append("done")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=suspend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "“E3” is already suspended."]
    assert ActivityEntry.objects.filter(action=Actions.SUBSCRIPTION_STATUS).count() == 1
    subscription.refresh_from_db()
    assert subscription.status == Status.SUSPENDED
