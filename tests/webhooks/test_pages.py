"""The webhook pages: constant queries however long the lists, what a partner without webhooks pays, the edit page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.actions import Actions
from activity.models import ActivityEntry
from customers.services import customer_update
from partnerportal.webhooks.models import WebhookDelivery, WebhookEndpoint
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


def test_the_edit_page_changes_url_events_and_description_and_keeps_the_secret(world, client_for):
    admin = world.users["global_admin"]
    client = client_for(admin)
    endpoint = webhook_endpoint_create(actor=admin, url=URL, event_types=["customer.updated"], description="CRM")
    edit_url = reverse("webhooks:endpoint_update", args=[endpoint.pk])
    detail = client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk])).content.decode()
    assert edit_url in detail, "the endpoint's page links its edit page"

    form = client.get(edit_url).context["form"]
    assert form.initial == {"url": URL, "event_types": ["customer.updated"], "description": "CRM"}
    response = client.post(
        edit_url, {"url": URL + "/v2", "event_types": ["invitation.expired", "customer.created"], "description": "PSA"}
    )

    assert response.status_code == 302 and response["Location"] == reverse(
        "webhooks:endpoint_detail", args=[endpoint.pk]
    )
    changed = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (changed.url, changed.event_types, changed.description) == (
        URL + "/v2",
        ["customer.created", "invitation.expired"],
        "PSA",
    )
    assert changed.secret == endpoint.secret, "receivers keep verifying with the secret they have"
    entry = ActivityEntry.objects.filter(action=Actions.WEBHOOK_ENDPOINT_UPDATE).get()
    assert entry.actor == admin
    assert entry.details["before"]["url"] == URL and entry.details["after"]["url"] == URL + "/v2"


@pytest.mark.parametrize("url", ["http://93.184.215.14/hooks", "https://127.0.0.1/hooks", "https://169.254.169.254/"])
def test_the_edit_page_refuses_what_the_new_endpoint_form_refuses(world, client_for, url):
    admin = world.users["global_admin"]
    endpoint = webhook_endpoint_create(actor=admin, url=URL, event_types=["customer.updated"])
    with override_settings(PORTAL_WEBHOOKS_ALLOW_PRIVATE=False, PORTAL_WEBHOOKS_ALLOW_HTTP=False):
        page = client_for(admin).post(
            reverse("webhooks:endpoint_update", args=[endpoint.pk]), {"url": url, "event_types": ["customer.updated"]}
        )
    assert page.status_code == 200 and page.context["form"].errors["url"]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == URL
    assert not ActivityEntry.objects.filter(action=Actions.WEBHOOK_ENDPOINT_UPDATE).exists()
