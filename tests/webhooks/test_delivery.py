"""Webhook delivery against a real HTTP receiver on loopback: signatures, retries, exactly once, SSRF refusals."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from customers.services import customer_update
from partnerportal.models import OutboundEmail
from partnerportal.webhooks.delivery import webhook_deliver
from partnerportal.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from partnerportal.webhooks.services import webhook_endpoint_create
from tests.api.helpers import ApiClient, token_for
from tests.conftest import build_world
from tests.locks import row_held
from tests.webhook_receiver import Receiver, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCTION = override_settings(PORTAL_WEBHOOKS_ALLOW_PRIVATE=False, PORTAL_WEBHOOKS_ALLOW_HTTP=False)


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def w():
    return build_world(unique=True)


def _endpoint(w, url: str, *types: EventType) -> WebhookEndpoint:
    return webhook_endpoint_create(
        actor=w.users["global_admin"], url=url, event_types=[t.value for t in types or [EventType.CUSTOMER_UPDATED]]
    )


def _rename(w, name: str = "Renamed Ltd") -> None:
    customer_update(actor=w.users["global_admin"], customer=w.customer_in, data={"company_name": name})


def _work_until(predicate, *, seconds: float = 10.0) -> None:
    """Run the worker until `predicate()` holds (retries wait a fraction of a second in the test settings)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the queue did not get there in time"
        run_worker()
        time.sleep(0.1)


def test_the_page_shows_a_secret_once_that_verifies_the_signature_and_the_payload_is_the_apis(w, client, receiver):
    admin = w.users["global_admin"]
    client.force_login(admin)
    page = client.post(
        reverse("webhooks:endpoint_list"),
        {"url": receiver.url, "event_types": ["customer.updated"], "description": "CRM"},
    )
    assert page.status_code == 200
    [secret] = re.findall(r"whsec_[A-Za-z0-9+/=]+", page.content.decode())
    endpoint = WebhookEndpoint.objects.get(partner=w.partner_a)
    assert secret not in client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk])).content.decode()

    _rename(w)
    assert not receiver.received(), "nothing is sent inside the request"
    run_worker()

    [request] = receiver.received()
    message = Webhook(secret).verify(request.body, request.headers)
    assert message["type"] == "customer.updated"
    assert request.headers["webhook-id"].startswith("msg_")
    api = ApiClient(token_for(admin)).get(reverse("api:customer_detail", args=[w.customer_in.pk]))
    assert message["data"] == api.json(), "the payload is the customer as the API represents it"
    assert message["data"]["company_name"] == "Renamed Ltd"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("succeeded", 200, 1)
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43 + "=").verify(request.body, request.headers)


def test_a_receiver_failing_twice_gets_retries_and_then_exactly_one_success(w):
    receiver = Receiver(statuses=[500, 503]).start()
    try:
        _endpoint(w, receiver.url)
        _rename(w)
        _work_until(lambda: WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED)
        run_worker()
        time.sleep(0.5)
        run_worker()
        requests = receiver.received()
    finally:
        receiver.stop()
    assert len(requests) == 3, "two failures, one success, nothing after it"
    assert len({r.headers["webhook-id"] for r in requests}) == 1, "the message keeps its id across retries"
    assert len({r.body for r in requests}) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.response_code, delivery.last_error) == (3, 200, "")


def test_a_refused_connection_is_retried_too(w):
    receiver = Receiver()
    url = receiver.url  # bound but not serving yet: connections are refused
    receiver.server.server_close()
    _endpoint(w, url)
    _rename(w)
    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert "Connection" in delivery.last_error and delivery.next_attempt_at is not None


def test_two_workers_deliver_each_message_once(w):
    receiver = Receiver(delay=0.5).start()
    try:
        _endpoint(w, receiver.url)
        _rename(w)
        delivery = WebhookDelivery.objects.get()
        outcomes: list[str] = []

        def worker() -> None:
            try:
                outcomes.append(webhook_deliver.call(delivery.pk))
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run_worker()  # the task queued on commit finds it delivered
        requests = receiver.received()
    finally:
        receiver.stop()
    assert len(requests) == 1
    assert sorted(outcomes) == ["delivered", "locked-or-missing"]


def test_a_rolled_back_change_sends_nothing(w, receiver):
    _endpoint(w, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        _rename(w)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the request failed after the change")
    run_worker()
    assert not WebhookDelivery.objects.exists()
    assert not receiver.received()


def test_no_endpoint_or_no_subscription_writes_nothing(w, receiver):
    _endpoint(w, receiver.url, EventType.RELATIONSHIP_ENDED)
    _rename(w)
    assert not WebhookDelivery.objects.exists()


def test_a_paused_endpoint_gets_nothing_until_it_is_resumed(w, client, receiver):
    endpoint = _endpoint(w, receiver.url)
    client.force_login(w.users["global_admin"])
    client.post(reverse("webhooks:endpoint_pause", args=[endpoint.pk]))
    _rename(w)
    run_worker()
    assert not receiver.received()
    assert not WebhookDelivery.objects.exists(), "a paused endpoint is not subscribed meanwhile"

    client.post(reverse("webhooks:endpoint_pause", args=[endpoint.pk]))
    _rename(w, "Again Ltd")
    run_worker()
    assert len(receiver.received()) == 1


def test_a_message_waiting_when_the_endpoint_is_paused_goes_out_on_resume(w, client, receiver):
    endpoint = _endpoint(w, receiver.url)
    _rename(w)  # queued, not delivered yet
    client.force_login(w.users["global_admin"])
    client.post(reverse("webhooks:endpoint_pause", args=[endpoint.pk]))
    run_worker()
    assert not receiver.received()
    client.post(reverse("webhooks:endpoint_pause", args=[endpoint.pk]))
    run_worker()
    assert len(receiver.received()) == 1


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_global_admins_emailed(w):
    receiver = Receiver(statuses=[500] * 5).start()
    try:
        endpoint = _endpoint(w, receiver.url)
        _rename(w)
        WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
        run_worker()
    finally:
        receiver.stop()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("failed", 500)
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_at is not None
    [email] = OutboundEmail.objects.filter(topic="webhooks")
    assert email.to == w.users["global_admin"].email
    assert receiver.url in email.body


def test_the_redeliver_button_sends_the_message_again_with_the_same_id(w, client, receiver):
    endpoint = _endpoint(w, receiver.url)
    _rename(w)
    run_worker()
    first = WebhookDelivery.objects.get()
    client.force_login(w.users["global_admin"])
    page = client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk]))
    assert reverse("webhooks:delivery_redeliver", args=[first.pk]) in page.content.decode()
    client.post(reverse("webhooks:delivery_redeliver", args=[first.pk]))
    run_worker()
    one, two = receiver.received()
    assert one.body == two.body and one.headers["webhook-id"] == two.headers["webhook-id"]
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 2


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://172.16.5.4/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://224.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://[fe80::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[::ffff:169.254.169.254]/hooks",
    ],
)
def test_production_settings_refuse_urls_that_are_not_public_https_when_saved(w, client, url):
    client.force_login(w.users["global_admin"])
    with PRODUCTION:
        page = client.post(reverse("webhooks:endpoint_list"), {"url": url, "event_types": ["customer.updated"]})
    assert page.status_code == 200
    assert page.context["form"].errors["url"]
    assert not WebhookEndpoint.objects.exists()


def test_production_settings_accept_a_public_https_address(w):
    with PRODUCTION:
        endpoint = _endpoint(w, "https://93.184.215.14/hooks")
    assert endpoint.pk


def test_an_address_refused_at_delivery_is_never_contacted(w, receiver):
    _endpoint(w, receiver.url)  # saved while loopback was allowed; DNS or settings can change afterwards
    _rename(w)
    with override_settings(PORTAL_WEBHOOKS_ALLOW_PRIVATE=False):
        run_worker()
    assert not receiver.received()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert "private" in delivery.last_error


def test_redirects_are_not_followed(w):
    target = Receiver().start()
    redirecting = Receiver(statuses=[302]).start()
    try:
        _endpoint(w, redirecting.url)
        _rename(w)
        run_worker()
        assert not target.received()
    finally:
        target.stop()
        redirecting.stop()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("retrying", 302)


def test_a_slow_receiver_times_out_and_is_retried(w):
    slow = Receiver(delay=3).start()
    try:
        _endpoint(w, slow.url)
        _rename(w)
        with override_settings(PORTAL_WEBHOOK_TIMEOUT_SECONDS=0.3):
            run_worker()
    finally:
        slow.stop()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying"
    assert "timed out" in delivery.last_error.lower() or "timeout" in delivery.last_error.lower()


def test_the_message_body_has_type_timestamp_and_data(w, receiver):
    _endpoint(w, receiver.url)
    _rename(w)
    run_worker()
    body = json.loads(receiver.received()[0].body)
    assert set(body) == {"type", "timestamp", "data"}


def test_a_delivery_whose_task_was_lost_is_queued_again_and_delivered(w, receiver):
    _endpoint(w, receiver.url)
    _rename(w)
    DBTaskResult.objects.all().delete()  # the worker died holding the task
    run_worker()
    assert not receiver.received()
    call_command("webhook_requeue", verbosity=0)
    run_worker()
    assert len(receiver.received()) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED


def test_a_delivery_held_by_a_killed_worker_is_queued_again_at_once(w, receiver):
    """A worker killed mid-try leaves its task "running"; the restart's requeue finds it unless a worker holds it."""
    from django_tasks.base import TaskResultStatus

    from partnerportal.webhooks.delivery import webhook_requeue_stranded

    _endpoint(w, receiver.url)
    _rename(w)
    delivery = WebhookDelivery.objects.get()
    assert webhook_requeue_stranded() == 0, "its task is still waiting: nothing to do"
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    with row_held(WebhookDelivery, delivery.pk):  # a live worker in the middle of a try
        assert webhook_requeue_stranded() == 0, "a worker holds the row: it is being tried"
    assert webhook_requeue_stranded() == 1, "running, and nobody holds the row: its worker died"
    assert webhook_requeue_stranded() == 0, "queued once"
    run_worker()
    assert len(receiver.received()) == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
