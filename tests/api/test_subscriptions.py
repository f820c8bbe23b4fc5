"""A customer's subscriptions through the API: the list, adding one and changing its status (If-Match)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from activity.models import ActivityEntry
from activity.services import Actions
from customers.forms.subscriptions import SubscriptionForm
from customers.models import Subscription
from customers.services.subscriptions import ALREADY_SUSPENDED, subscription_create
from tests.api.helpers import ApiClient, token_for
from tests.api.queries import PERIODIC, list_queries
from tests.api.test_customer_agreement import in_korean

pytestmark = pytest.mark.usefixtures("shared_world")
WORLD_WITH_ASSIGNED_SCOPE = True


def list_url(customer) -> str:
    return reverse("api:customer_subscriptions", args=[customer.pk])


def detail_url(subscription) -> str:
    return reverse("api:subscription_detail", args=[subscription.customer_id, subscription.pk])


def _sold(world, customer=None, **fields):
    values = {"offer_name": "Microsoft 365 E3", "quantity": 5, **fields}
    return subscription_create(actor=world.users["global_admin"], customer=customer or world.customer_in, **values)


def test_the_list_shows_the_partners_subscriptions_newest_first_and_pages(world):
    first, second = _sold(world, offer_name="Exchange Online"), _sold(world, offer_name="Azure plan")
    _sold(world, customer=world.customer_unassigned)
    api = ApiClient(token_for(world.users["helpdesk_agent"]))
    page = api.get(list_url(world.customer_in), {"limit": 1}).json()
    assert [row["id"] for row in page["results"]] == [second.id] and page["next"]
    rest = api.get(list_url(world.customer_in), {"limit": 1, "cursor": page["next"]}).json()
    assert [row["offer_name"] for row in rest["results"]] == [first.offer_name] and rest["next"] is None
    assert rest["results"][0] == {
        "id": first.id,
        "customer": str(world.customer_in.pk),
        "offer_name": "Exchange Online",
        "quantity": 5,
        "status": "active",
        "is_azure_plan": False,
        "created_at": rest["results"][0]["created_at"],
    }
    # The assigned-scope agent reaches the assigned customer's only.
    assigned = ApiClient(token_for(world.users["assigned"]))
    assert assigned.get(list_url(world.customer_unassigned)).status_code == 404


def test_the_list_costs_the_same_queries_at_1_and_at_50_subscriptions(world, django_assert_max_num_queries):
    api = ApiClient(token_for(world.users["sales_agent"]))
    _sold(world)
    one = list_queries(api, list_url(world.customer_in))
    for n in range(49):
        _sold(world, offer_name=f"Offer {n}")
    many = list_queries(api, list_url(world.customer_in))
    assert len(one) == len(many), (one, many)
    with django_assert_max_num_queries(len(one) + len(PERIODIC)):
        assert len(api.get(list_url(world.customer_in), {"limit": 200}).json()["results"]) == 50


def test_adding_a_subscription_and_replaying_it_with_the_same_key(world):
    agent = world.users["sales_agent"]
    api = ApiClient(token_for(agent))
    body = {"offer_name": "  Azure   plan ", "quantity": 2, "is_azure_plan": True}
    response = api.post(list_url(world.customer_in), body, headers={"Idempotency-Key": "sub-1"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["offer_name"], created["quantity"], created["is_azure_plan"]) == ("Azure plan", 2, True)
    assert response["Location"] == reverse("api:subscription_detail", args=[world.customer_in.pk, created["id"]])
    assert api.get(response["Location"])["ETag"] == response["ETag"]
    again = api.post(list_url(world.customer_in), body, headers={"Idempotency-Key": "sub-1"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == created
    assert Subscription.objects.filter(customer=world.customer_in, offer_name="Azure plan").count() == 1
    assert ActivityEntry.objects.filter(action=Actions.SUBSCRIPTION_CREATE, actor=agent).count() == 1
    changed = api.post(list_url(world.customer_in), {**body, "quantity": 3}, headers={"Idempotency-Key": "sub-1"})
    assert changed.status_code == 422


def test_field_errors_are_the_add_forms_in_korean(world):
    api = ApiClient(token_for(world.users["admin_agent"]), **{"Accept-Language": "ko"})
    response = api.post(list_url(world.customer_in), {"offer_name": "E3", "quantity": 0})
    assert response.status_code == 422

    def form_errors(language: str) -> dict:
        with translation.override(language):
            errors = SubscriptionForm(data={"offer_name": "E3", "quantity": "0"}).errors
            return {field: [str(m) for m in messages] for field, messages in errors.items()}

    assert response.json()["errors"] == form_errors("ko") != form_errors("en")
    flag = api.post(list_url(world.customer_in), {"offer_name": "E3", "quantity": 1, "is_azure_plan": "yes"})
    assert flag.status_code == 400 and flag.json()["errors"]["is_azure_plan"] == ["true 또는 false여야 합니다."]
    assert not Subscription.objects.filter(customer=world.customer_in).exists()


def test_the_status_changes_with_the_etag_it_was_read_with(world):
    subscription = _sold(world)
    api = ApiClient(token_for(world.users["sales_agent"]))
    etag = api.get(detail_url(subscription))["ETag"]
    assert api.patch(detail_url(subscription), {"status": "suspended"}).status_code == 428
    assert (
        api.patch(detail_url(subscription), {"status": "suspended"}, headers={"If-Match": '"stale"'}).status_code == 412
    )
    response = api.patch(detail_url(subscription), {"status": "suspended"}, headers={"If-Match": etag})
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    assert response["ETag"] != etag and Subscription.objects.get(pk=subscription.pk).status == "suspended"
    # The old ETag is stale now: the change someone else made is not overwritten.
    stale = api.patch(detail_url(subscription), {"status": "cancelled"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and Subscription.objects.get(pk=subscription.pk).status == "suspended"
    entry = ActivityEntry.objects.get(action=Actions.SUBSCRIPTION_STATUS)
    assert entry.details["after"]["status"] == "suspended" and entry.actor_id == world.users["sales_agent"].pk


def test_a_move_the_service_refuses_is_its_message_on_status_in_korean(world):
    subscription = _sold(world, offer_name="E5")
    api = ApiClient(token_for(world.users["admin_agent"]), **{"Accept-Language": "ko"})
    etag = api.get(detail_url(subscription))["ETag"]
    api.patch(detail_url(subscription), {"status": "suspended"}, headers={"If-Match": etag})
    again = api.patch(detail_url(subscription), {"status": "suspended"}, headers={"If-Match": "*"})
    assert again.status_code == 422
    [message] = again.json()["errors"]["status"]
    assert message == in_korean(ALREADY_SUSPENDED) % {"offer": "E5"}
    unknown = api.patch(detail_url(subscription), {"status": "paused"}, headers={"If-Match": "*"})
    assert unknown.status_code == 422 and list(unknown.json()["errors"]) == ["status"]
    assert ActivityEntry.objects.filter(action=Actions.SUBSCRIPTION_STATUS).count() == 1


def test_another_customers_or_partners_subscription_is_not_found(world):
    mine = _sold(world)
    api = ApiClient(token_for(world.users["global_admin"]))
    through_other = reverse("api:subscription_detail", args=[world.customer_unassigned.pk, mine.pk])
    assert api.get(through_other).status_code == 404
    assert api.patch(through_other, {"status": "suspended"}, headers={"If-Match": "*"}).status_code == 404
    assert Subscription.objects.get(pk=mine.pk).status == "active"
