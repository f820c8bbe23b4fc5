"""The webhook pages: constant queries however long the lists, and what a partner without webhooks pays."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.services import customer_update
from partnerportal.webhooks.models import WebhookDelivery
from partnerportal.webhooks.services import webhook_endpoint_create

URL = "http://127.0.0.1:9/hooks"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_endpoint_list_and_the_delivery_log_take_the_same_queries_at_1_and_50_rows(world, client_for):
    admin = world.users["global_admin"]
    client = client_for(admin)
    endpoint = webhook_endpoint_create(actor=admin, url=URL, event_types=["customer.updated"])
    WebhookDelivery.objects.create(endpoint=endpoint, event_type="customer.updated", body="{}")
    list_url = reverse("webhooks:endpoint_list")
    detail_url = reverse("webhooks:endpoint_detail", args=[endpoint.pk])
    few = (_queries(client, list_url), _queries(client, detail_url))
    for n in range(49):
        webhook_endpoint_create(actor=admin, url=f"{URL}/{n}", event_types=["customer.created"])
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event_type="customer.updated", body="{}") for _ in range(49)]
    )
    assert (_queries(client, list_url), _queries(client, detail_url)) == few


def test_a_change_costs_the_same_queries_whether_or_not_an_endpoint_not_subscribed_to_it_exists(world):
    admin = world.users["global_admin"]

    def rename(name: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            customer_update(actor=admin, customer=world.customer_in, data={"company_name": name})
        return len(ctx.captured_queries)

    without = rename("First Name Ltd")
    webhook_endpoint_create(actor=admin, url=URL, event_types=["relationship.ended"])
    assert rename("Second Name Ltd") == without
    assert not WebhookDelivery.objects.exists()


def test_the_staff_page_links_to_the_webhooks_page(world, client_for):
    page = client_for(world.users["global_admin"]).get(reverse("staff:user_list")).content.decode()
    assert reverse("webhooks:endpoint_list") in page
