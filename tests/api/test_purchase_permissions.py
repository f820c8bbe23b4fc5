"""A customer's purchase permissions through the API: read by everyone who sees the customer, changed by admin
agents through the page's form and service (the blocker as a problem), and the webhook carrying what a GET shows."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from activity.models import ActivityEntry
from activity.services import Actions
from customers.services.purchase_permissions import purchase_permission_blocker
from customers.services.subscriptions import subscription_create
from partnerportal.webhooks.models import EventType, WebhookDelivery
from partnerportal.webhooks.services import webhook_endpoint_create
from permissions.models import PurchasePermission
from tests.api.helpers import ApiClient, token_for
from tests.api.test_customer_agreement import in_korean

pytestmark = pytest.mark.usefixtures("shared_world")
RESERVATIONS = PurchasePermission.Product.AZURE_RESERVATIONS


def url(customer) -> str:
    return reverse("api:customer_purchase_permissions", args=[customer.pk])


def _azure_plan(world) -> None:
    subscription_create(
        actor=world.users["global_admin"], customer=world.customer_in, offer_name="Azure plan", quantity=1,
        is_azure_plan=True,
    )  # fmt: skip


def test_everyone_who_sees_the_customer_reads_them_with_the_pages_blocker(world):
    body = ApiClient(token_for(world.users["helpdesk_agent"])).get(url(world.customer_in)).json()
    assert body["can_change"] is False
    assert body["blocker"] == purchase_permission_blocker(partner=world.partner_a, customer=world.customer_in)
    assert body["permissions"] == [
        {"customer_id": str(world.customer_in.pk), "product": product, "allowed": False, "expires_on": None,
         "note": ""}
        for product in PurchasePermission.Product.values
    ]  # fmt: skip
    agent = ApiClient(token_for(world.users["admin_agent"])).get(url(world.customer_in)).json()
    assert agent["can_change"] is True


def test_allowing_without_an_azure_plan_is_refused_with_the_blocker_and_writes_nothing(world):
    api = ApiClient(token_for(world.users["admin_agent"]))
    response = api.post(url(world.customer_in), {"product": RESERVATIONS, "allowed": True})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    blocker = purchase_permission_blocker(partner=world.partner_a, customer=world.customer_in)
    assert response.json()["errors"] == {"non_field_errors": [blocker]}
    assert not PurchasePermission.objects.filter(customer=world.customer_in).exists()


def test_allow_then_stop_and_the_webhook_carries_what_a_get_shows(world):
    _azure_plan(world)
    webhook_endpoint_create(
        actor=world.users["global_admin"], url="http://127.0.0.1:9/hooks", event_types=["purchase_permission.changed"]
    )
    agent = world.users["admin_agent"]
    api = ApiClient(token_for(agent))
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = {"product": RESERVATIONS, "allowed": True, "expires_on": expires, "note": "Approved by finance"}
    response = api.post(url(world.customer_in), body, headers={"Idempotency-Key": "pp-1"})
    assert response.status_code == 200, response.content
    [shown, other] = response.json()["permissions"]
    assert shown == {
        "customer_id": str(world.customer_in.pk),
        "product": RESERVATIONS,
        "allowed": True,
        "expires_on": expires,
        "note": "Approved by finance",
    }
    assert other["allowed"] is False
    [delivery] = WebhookDelivery.objects.filter(event_type=EventType.PURCHASE_PERMISSION_CHANGED)
    assert json.loads(delivery.body)["data"] == shown == api.get(url(world.customer_in)).json()["permissions"][0]
    # The same key again replays the answer; nothing is written twice.
    again = api.post(url(world.customer_in), body, headers={"Idempotency-Key": "pp-1"})
    assert again["Idempotent-Replayed"] == "true" and again.json() == response.json()
    assert ActivityEntry.objects.filter(action=Actions.PURCHASE_PERMISSION_CREATE, actor=agent).count() == 1
    # Unchanged: nothing written (as the page's "Nothing changed").
    assert api.post(url(world.customer_in), body).status_code == 200
    assert ActivityEntry.objects.filter(action=Actions.PURCHASE_PERMISSION_CREATE).count() == 1

    WebhookDelivery.objects.all().delete()
    stopped = api.post(url(world.customer_in), {"product": RESERVATIONS, "allowed": False})
    assert stopped.status_code == 200 and stopped.json()["permissions"][0]["allowed"] is False
    assert not PurchasePermission.objects.filter(customer=world.customer_in).exists()
    [delivery] = WebhookDelivery.objects.filter(event_type=EventType.PURCHASE_PERMISSION_CHANGED)
    assert json.loads(delivery.body)["data"] == {**shown, "allowed": False}
    assert ActivityEntry.objects.filter(action=Actions.PURCHASE_PERMISSION_DELETE, actor=agent).count() == 1


def test_an_expired_permission_reads_as_not_allowed_as_on_the_page(world):
    PurchasePermission.objects.create(
        partner=world.partner_a, customer=world.customer_in, product=RESERVATIONS,
        expires_on=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    [shown, _other] = ApiClient(token_for(world.users["sales_agent"])).get(url(world.customer_in)).json()["permissions"]
    assert shown["allowed"] is False and shown["expires_on"] is not None


def test_field_errors_are_the_forms_in_korean(world):
    _azure_plan(world)
    api = ApiClient(token_for(world.users["admin_agent"]), **{"Accept-Language": "ko"})
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    past = api.post(url(world.customer_in), {"product": RESERVATIONS, "allowed": True, "expires_on": yesterday})
    assert past.status_code == 422
    assert past.json()["errors"] == {"expires_on": [in_korean(_lazy("The expiry date cannot be in the past."))]}
    unknown = api.post(url(world.customer_in), {"product": "azure_everything", "allowed": True})
    assert unknown.status_code == 422 and unknown.json()["errors"] == {
        "product": [in_korean(_lazy("Choose a product."))]
    }
    no_choice = api.post(url(world.customer_in), {"product": RESERVATIONS})
    assert no_choice.status_code == 422 and list(no_choice.json()["errors"]) == ["allowed"]
    assert api.post(url(world.customer_in), {"product": RESERVATIONS, "allowed": "1"}).status_code == 400
    assert not PurchasePermission.objects.filter(customer=world.customer_in).exists()


def test_only_an_admin_agent_changes_them(world):
    _azure_plan(world)
    for role in ("global_admin", "sales_agent", "helpdesk_agent"):
        api = ApiClient(token_for(world.users[role]))
        assert api.post(url(world.customer_in), {"product": RESERVATIONS, "allowed": True}).status_code == 403
        assert api.get(url(world.customer_in)).status_code == 200
    assert not PurchasePermission.objects.filter(customer=world.customer_in).exists()
