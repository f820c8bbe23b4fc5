"""Operating the portal: /readyz, /metrics, request IDs in JSON logs (carried into the worker), backup and restore."""

from __future__ import annotations

import io
import json
import logging
import uuid
from contextlib import contextmanager
from datetime import timedelta

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from activity.models import ActivityEntry
from customers.models import Customer
from partnerportal.infrastructure.backup import connection_params
from partnerportal.infrastructure.dbroles import owner_settings
from partnerportal.infrastructure.emails import email_enqueue
from partnerportal.infrastructure.heartbeat import heartbeat_beat
from partnerportal.infrastructure.logs import JsonFormatter, RequestContextFilter
from partnerportal.infrastructure.middleware import request_client_address
from partnerportal.infrastructure.readiness import readiness_forget
from partnerportal.management.commands.db_worker import HeartbeatWorker
from partnerportal.models import OutboundEmail, WorkerHeartbeat
from partnerportal.webhooks.models import EventType, WebhookDelivery
from partnerportal.webhooks.services import webhook_endpoint_create
from tests.customers.test_customer_update import edit_data, edit_url
from tests.factories import make_customer
from tests.smtp import SMTPServer, run_worker

# --- /readyz ------------------------------------------------------------------------------------------------------


def test_readyz_is_503_naming_the_worker_until_a_worker_was_seen_and_writes_nothing(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["worker"]
    assert body["checks"] == {"database": "ok", "migrations": "ok", "worker": "never seen"}
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries), "reads only"
    assert "sessionid" not in response.cookies and not response.has_header("Set-Cookie")

    heartbeat_beat(kind=WorkerHeartbeat.Kind.TASKS)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["failing"] == []


def test_readyz_is_503_when_the_freshest_worker_is_older_than_the_limit(client, db):
    heartbeat_beat(kind=WorkerHeartbeat.Kind.TASKS)
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(seconds=121))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "stale"
    with override_settings(PORTAL_WORKER_HEARTBEAT_MAX_AGE=600):
        assert client.get("/readyz").status_code == 200
    # A scheduler's beat is not a task worker's.
    WorkerHeartbeat.objects.all().delete()
    heartbeat_beat(kind=WorkerHeartbeat.Kind.SCHEDULER)
    assert client.get("/readyz").json()["checks"]["worker"] == "never seen"


def test_readyz_is_503_while_a_migration_is_not_applied(as_owner, client, db):
    heartbeat_beat(kind=WorkerHeartbeat.Kind.TASKS)
    latest = MigrationRecorder.Migration.objects.filter(app="partnerportal").order_by("-name").first()
    assert latest is not None
    latest.delete()  # rolled back with the test
    readiness_forget()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["failing"] == ["migrations"]
    finally:
        readiness_forget()


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_the_database_is_down(client):
    connection.close()
    saved = connection.settings_dict.copy()
    connection.settings_dict.update(HOST="/nonexistent-socket-dir", PORT="5999")
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "down", "migrations": "unknown", "worker": "unknown"}


def test_the_task_worker_records_its_heartbeat_from_its_loop(transactional_db):
    """The real worker command writes its row at start; its loop beats again once the row is BEAT_EVERY old."""
    smtp = SMTPServer()  # never started: the worker finds no task anyway
    run_worker(smtp)
    [beat] = WorkerHeartbeat.objects.filter(kind=WorkerHeartbeat.Kind.TASKS)
    old = timezone.now() - timedelta(minutes=5)
    WorkerHeartbeat.objects.update(seen_at=old)
    worker = HeartbeatWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    assert worker.running  # what the loop reads at the top of every round
    beat.refresh_from_db()
    assert beat.seen_at > old


# --- /metrics -----------------------------------------------------------------------------------------------------


def _metrics(content: bytes) -> dict[str, float]:
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(content.decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            values[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return values


def test_metrics_does_not_exist_without_a_token_or_an_allow_list(client, db):
    assert client.get("/metrics").status_code == 404


@override_settings(PORTAL_METRICS_TOKEN="scrape-token-0123456789")
def test_metrics_needs_the_bearer_token(client, db):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic scrape-token-0123456789").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "Content-Security-Policy" in response, "the CSP header stays on every response"


def test_metrics_allow_list_and_token_each_must_match_when_set(client, db):
    with override_settings(PORTAL_METRICS_ALLOW=["10.0.0.0/8"]):
        assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    with override_settings(PORTAL_METRICS_ALLOW=["10.0.0.0/8", "127.0.0.0/8"]):
        assert client.get("/metrics").status_code == 200
    with override_settings(PORTAL_METRICS_ALLOW=["127.0.0.1/32"], PORTAL_METRICS_TOKEN="scrape-token-0123456789"):
        assert client.get("/metrics").status_code == 403, "the address alone is not enough when a token is set"
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789").status_code == 200
    with override_settings(PORTAL_METRICS_ALLOW=["10.0.0.0/8"], PORTAL_METRICS_TOKEN="scrape-token-0123456789"):
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789").status_code == 403


@override_settings(PORTAL_METRICS_ALLOW=["127.0.0.0/8"])
def test_metrics_show_latency_by_view_and_the_queues_read_from_the_outbox(client, world):
    client.get("/healthz")
    empty = _metrics(client.get("/metrics").content)
    assert empty["portal_email_queue_depth"] == 0
    assert empty["portal_email_oldest_unsent_age_seconds"] == 0
    assert empty["portal_webhook_queue_depth"] == 0
    assert empty["django_http_requests_latency_seconds_by_view_method_count{method=GET,view=healthz}"] >= 1

    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    first = email_enqueue(to="a@example.net", subject="One", body="One\n")
    email_enqueue(to="b@example.net", subject="Two", body="Two\n")
    OutboundEmail.objects.filter(pk=first.pk).update(created_at=ten_minutes_ago, status=OutboundEmail.Status.FAILED)
    email_enqueue(to="c@example.net", subject="Sent", body="Sent\n").__class__.objects.filter(subject="Sent").update(
        status=OutboundEmail.Status.SENT
    )
    endpoint = webhook_endpoint_create(
        actor=world.users["global_admin"],
        url="http://127.0.0.1:9/portal",
        event_types=[EventType.CUSTOMER_UPDATED.value],
    )
    for status in (WebhookDelivery.Status.RETRYING, WebhookDelivery.Status.FAILED, WebhookDelivery.Status.SUCCEEDED):
        WebhookDelivery.objects.create(
            endpoint=endpoint, event_type=EventType.CUSTOMER_UPDATED, body="{}", status=status
        )
    heartbeat_beat(kind=WorkerHeartbeat.Kind.TASKS)

    with CaptureQueriesContext(connection) as queries:
        values = _metrics(client.get("/metrics").content)
    assert values["portal_email_queue_depth"] == 2
    assert values["portal_email_failing"] == 1
    assert 600 <= values["portal_email_oldest_unsent_age_seconds"] < 700
    assert values["portal_webhook_queue_depth"] == 1
    assert values["portal_webhook_failing"] == 1
    assert values["portal_webhook_given_up"] == 1
    assert 0 <= values["portal_worker_heartbeat_age_seconds{kind=tasks}"] < 60
    assert len(queries) <= 5, "a handful of indexed queries per scrape"


# --- request IDs and JSON logs --------------------------------------------------------------------------------------


@contextmanager
def json_log():
    """The JSON lines the portal's loggers write meanwhile (at INFO, as LOG_FORMAT=json configures them)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    portal = logging.getLogger("partnerportal")
    level = portal.level
    portal.addHandler(handler)
    portal.setLevel(logging.INFO)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        portal.removeHandler(handler)
        portal.setLevel(level)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


def test_a_request_id_is_taken_from_the_proxy_only_when_it_is_sane(client, db):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="edge-7f3a.01_b")["X-Request-ID"] == "edge-7f3a.01_b"
    for insane in ("a" * 65, "two words", "x\u00e9", "<script>", ""):
        given = client.get("/healthz", HTTP_X_REQUEST_ID=insane)["X-Request-ID"]
        assert given != insane and len(given) == 32 and int(given, 16) >= 0
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_the_request_log_line_and_an_exception_are_json_objects(client, world):
    user = world.users["sales_agent"]
    client.force_login(user)
    with json_log() as lines:
        client.get(reverse("customers:customer_list"), HTTP_X_REQUEST_ID="list-request-1")
        try:
            raise ValueError("broken on purpose")
        except ValueError:
            logging.getLogger("partnerportal.tests").exception("Something failed")
    [request_line] = [line for line in lines if line["logger"] == "partnerportal.requests"]
    assert request_line["request_id"] == "list-request-1"
    assert request_line["user_id"] == user.pk
    assert request_line["path"] == reverse("customers:customer_list")
    assert request_line["method"] == "GET" and request_line["status"] == 200
    assert request_line["duration_ms"] > 0 and request_line["level"] == "INFO"
    assert request_line["timestamp"].endswith("+00:00")
    [failure] = [line for line in lines if line["logger"] == "partnerportal.tests"]
    assert failure["level"] == "ERROR" and failure["exception_type"] == "ValueError"
    assert "broken on purpose" in failure["exception"] and failure["request_id"] is None


def test_the_worker_logs_the_delivery_of_an_email_with_the_id_of_the_request_that_queued_it(
    transactional_db, world, client_for
):
    smtp = SMTPServer().start()
    try:
        client = client_for(world.users["sales_agent"])
        with json_log() as lines:
            response = client.post(
                reverse("relationships:invitation_create"),
                {"email": "it.admin@fourthcoffee.example.net", "message": "Hello"},
                HTTP_X_REQUEST_ID="invite-42",
            )
            assert response.status_code == 200
            run_worker(smtp)
    finally:
        smtp.stop()
    assert smtp.received(to="it.admin@fourthcoffee.example.net")
    [message] = OutboundEmail.objects.filter(to="it.admin@fourthcoffee.example.net")
    assert message.request_id == "invite-42"
    [request_line] = [line for line in lines if line["logger"] == "partnerportal.requests"]
    assert request_line["request_id"] == "invite-42" and request_line["status"] == 200
    sent = [line for line in lines if line["logger"] == "partnerportal.infrastructure.emails"]
    assert [line["message"] for line in sent] == [f"Email {message.pk} sent (attempt 1)"]
    assert sent[0]["request_id"] == "invite-42"


def test_a_webhook_delivery_queued_by_a_request_keeps_its_request_id(client_for, world):
    admin = world.users["global_admin"]
    webhook_endpoint_create(
        actor=admin, url="http://127.0.0.1:9/portal", event_types=[EventType.CUSTOMER_UPDATED.value]
    )
    customer = world.customer_in
    client = client_for(admin)
    response = client.post(
        edit_url(customer), edit_data(customer, company_name="Renamed Ltd"), HTTP_X_REQUEST_ID="rename-7"
    )
    assert response.status_code == 302
    assert list(WebhookDelivery.objects.values_list("request_id", flat=True)) == ["rename-7"]


# --- backup and restore ---------------------------------------------------------------------------------------------


def _owner_connection(dbname: str):
    params, password = connection_params({**connection.settings_dict, **(owner_settings() or {}), "NAME": dbname})
    conn = psycopg2.connect(**params, **({"password": password} if password else {}))
    conn.autocommit = True
    return conn, params


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_every_customer_and_log_entry(world, tmp_path):
    for _ in range(3):
        make_customer(world.partner_a, actor=world.users["global_admin"])
    customers = sorted(Customer.objects.values_list("pk", flat=True))
    entries = sorted(ActivityEntry.objects.values_list("pk", flat=True))
    assert len(customers) >= 5 and entries

    dump = tmp_path / "portal.dump"
    call_command("backup", str(dump), verbosity=0)
    assert dump.stat().st_size > 0

    target = f"restore_{uuid.uuid4().hex[:12]}"
    admin, params = _owner_connection(connection.settings_dict["NAME"])
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        owner = owner_settings() or {}
        user = owner.get("USER") or connection.settings_dict["USER"]
        host = params.get("host", "")
        url = f"postgresql://{user}@/{target}?host={host}" + (f"&port={params['port']}" if params.get("port") else "")
        call_command("restore", str(dump), "--database-url", url, verbosity=0)

        restored, _params = _owner_connection(target)
        try:
            with restored.cursor() as cursor:
                cursor.execute(f"SELECT id FROM {Customer._meta.db_table} ORDER BY id")  # noqa: S608 -- a model's table name
                assert [row[0] for row in cursor.fetchall()] == customers
                cursor.execute(f"SELECT id FROM {ActivityEntry._meta.db_table} ORDER BY id")  # noqa: S608 -- a model's table name
                assert [row[0] for row in cursor.fetchall()] == entries
        finally:
            restored.close()

        with pytest.raises(CommandError, match="not empty"):
            call_command("restore", str(dump), "--database-url", url, verbosity=0)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()


def test_restore_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing.dump"), verbosity=0)


# --- the client address behind reverse proxies -----------------------------------------------------------------------


def _address(remote: str, forwarded: str | None = None) -> str | None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR=remote, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    )
    return request_client_address(request)


def test_x_forwarded_for_is_ignored_unless_the_connection_comes_from_a_trusted_proxy():
    assert _address("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    with override_settings(PORTAL_TRUSTED_PROXIES=["10.0.0.0/8"]):
        # A client talking to gunicorn directly cannot choose its address.
        assert _address("203.0.113.9", "198.51.100.1") == "203.0.113.9"
        # Through the proxy: the address the proxy saw; what the client put in front of it is not believed.
        assert _address("10.0.0.5", "198.51.100.1") == "198.51.100.1"
        assert _address("10.0.0.5", "192.0.2.66, 198.51.100.1") == "198.51.100.1"
        # Two proxies in a row (both trusted): the first untrusted hop from the right.
        assert _address("10.0.0.5", "192.0.2.66, 198.51.100.1, 10.0.0.7") == "198.51.100.1"
        assert _address("10.0.0.5", "2001:db8::1") == "2001:db8::1"
        # Malformed or absent: the proxy's own address, never the junk.
        assert _address("10.0.0.5", "not-an-address") == "10.0.0.5"
        assert _address("10.0.0.5") == "10.0.0.5"


@override_settings(PORTAL_METRICS_ALLOW=["198.51.100.0/24"], PORTAL_TRUSTED_PROXIES=["127.0.0.1/32"])
def test_the_metrics_allow_list_sees_the_client_behind_a_trusted_proxy(client, db):
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 200
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.20").status_code == 403
