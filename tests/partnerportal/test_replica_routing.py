"""Read-replica routing (partnerportal/infrastructure/replica.py), checked query by query without a replica server.

The suite has no replica (no DATABASE_REPLICA_URL). These tests add the "replica" alias for one test, reading the
test database through the very same database session as "default" — so it sees the test's uncommitted rows —
and assert which alias each query went to. The real streaming replica, lag included, is
tests/deploy/test_replica.py.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import signing
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import selectors
from customers.models import Customer
from partnerportal.infrastructure import replica
from tests.api.helpers import ApiClient, token_for
from tests.factories import customer_form_data, make_customer

pytestmark = pytest.mark.usefixtures("shared_world")

LIST = reverse("customers:customer_list")
BEHIND = "FFFFFFFF/FFFFFFFF"  # a pin no server has reached: the replica is behind it


@pytest.fixture
def replica_alias(db):
    """A "replica" alias for this test, on default's own database session, with the router installed."""
    default = connections["default"]
    default.ensure_connection()
    # The blocks open now are the harness's (the module's world, the test's savepoint), not the application's.
    harness = [block for block in default.atomic_blocks if not block._from_testcase]
    for block in harness:
        block._from_testcase = True
    connections.settings[replica.REPLICA] = {**default.settings_dict, "TEST": {"MIRROR": "default"}}
    alias = connections[replica.REPLICA]
    alias.connection = default.connection
    try:
        with override_settings(DATABASE_ROUTERS=["partnerportal.infrastructure.replica.ReplicaRouter"]):
            yield alias
    finally:
        alias.connection = None  # the session is default's: closing it is default's business
        del connections[replica.REPLICA]
        del connections.settings[replica.REPLICA]
        for block in harness:
            block._from_testcase = False


class Queries:
    """The statements each alias ran inside the block."""

    def __enter__(self) -> Queries:
        self.default = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections[replica.REPLICA])
        self.default.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.replica.__exit__(*exc)
        self.default.__exit__(*exc)

    @staticmethod
    def customer_reads(captured: CaptureQueriesContext) -> list[str]:
        return [q["sql"] for q in captured.captured_queries if 'FROM "customers_customer"' in q["sql"]]

    @staticmethod
    def pin_checks(captured: CaptureQueriesContext) -> list[str]:
        return [q["sql"] for q in captured.captured_queries if "pg_lsn" in q["sql"]]


def _pinned(client, position: str) -> None:
    client.cookies[replica.PIN_COOKIE] = signing.get_cookie_signer(salt=replica.PIN_COOKIE + replica.PIN_SALT).sign(
        position
    )


def test_without_a_replica_nothing_changes(world, client_for):
    assert replica.REPLICA not in settings.DATABASES
    assert "partnerportal.infrastructure.replica.ReplicaRouter" not in settings.DATABASE_ROUTERS
    with pytest.raises(MiddlewareNotUsed):
        replica.ReplicaRoutingMiddleware(lambda request: HttpResponse())
    assert replica.read_db() == "default"
    client = client_for(world.users["global_admin"])
    _pinned(client, BEHIND)  # ignored: no pin is read or written without a replica
    with CaptureQueriesContext(connections["default"]) as captured:
        response = client.get(LIST)
    assert world.customer_in.company_name in response.content.decode()
    assert not [q for q in captured.captured_queries if "pg_lsn" in q["sql"] or "wal" in q["sql"]]
    assert response.cookies.get(replica.PIN_COOKIE) is None


def test_list_search_export_lookup_and_api_read_the_replica(world, client_for, replica_alias):
    user = world.users["global_admin"]
    client = client_for(user)
    name = world.customer_in.company_name
    api = ApiClient(token_for(user))
    for url, params, expected in (
        (LIST, {}, name),
        (LIST, {"q": name[:6]}, name),
        (reverse("customers:customer_export"), {}, name),
        (reverse("customers:customer_lookup"), {"q": world.customer_in.primary_domain}, name),
        (reverse("api:customer_list"), {}, name),
    ):
        with Queries() as queries:
            response = (api if url.startswith("/api/") else client).get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        assert expected in body.decode(), url
        assert Queries.customer_reads(queries.replica), url
        assert not Queries.customer_reads(queries.default), url
        assert response.cookies.get(replica.PIN_COOKIE) is None, url


def _through_middleware(view) -> HttpResponse:
    request = RequestFactory().get(LIST)
    return replica.ReplicaRoutingMiddleware(view)(request)


def test_after_a_write_the_same_requests_reads_go_to_the_primary(world, replica_alias):
    user = world.users["global_admin"]
    seen = {}

    def view(request):
        seen["before"] = replica.read_db()
        added = make_customer(world.partner_a, actor=user)
        seen["after"] = replica.read_db()
        with Queries() as queries:
            seen["listed"] = added.pk in {c.pk for c in selectors.customer_list(user=user)}
        seen["replica_reads"] = Queries.customer_reads(queries.replica)
        return HttpResponse()

    response = _through_middleware(view)
    assert seen == {"before": "replica", "after": "default", "listed": True, "replica_reads": []}
    # The response pins the user to the primary until the replica has replayed the write.
    assert response.cookies[replica.PIN_COOKIE].value


def test_inside_a_transaction_reads_go_to_the_primary(world, replica_alias):
    user = world.users["global_admin"]
    seen = {}

    def view(request):
        with transaction.atomic():
            seen["inside"] = replica.read_db()
            with Queries() as queries:
                list(selectors.customer_list(user=user))
            seen["replica_reads"] = Queries.customer_reads(queries.replica)
        seen["outside"] = replica.read_db()
        return HttpResponse()

    response = _through_middleware(view)
    assert seen == {"inside": "default", "replica_reads": [], "outside": "replica"}
    assert response.cookies.get(replica.PIN_COOKIE) is None


def test_outside_a_request_reads_go_to_the_primary(replica_alias):
    assert replica.read_db() == "default"


def test_bookkeeping_writes_pin_nothing():
    assert not replica.is_write('INSERT INTO "partnerportal_ratelimitcounter" (key) VALUES (%s)')
    assert not replica.is_write('UPDATE "api_apitoken" SET "last_used_at" = %s')
    assert not replica.is_write("SAVEPOINT s1")
    assert replica.is_write('UPDATE "customers_customer" SET "company_name" = %s')
    assert replica.is_write("WITH moved AS (DELETE FROM x RETURNING *) SELECT 1")


def test_after_the_users_post_a_lagging_replica_is_not_read(world, client_for, replica_alias):
    client = client_for(world.users["global_admin"])
    response = client.post(reverse("customers:customer_create"), customer_form_data())
    assert response.status_code == 302
    assert response.cookies[replica.PIN_COOKIE].value
    added = Customer.objects.get(primary_domain__startswith="adatumcorp.")
    # The replica has not replayed as far as the pin: the redirect's page and the list read the primary.
    _pinned(client, BEHIND)
    # The customer's page routes nothing (the access mixin's lookup reads the primary), so it asks nothing either.
    with Queries() as queries:
        page = client.get(response.url)
    assert added.company_name in page.content.decode()
    assert not queries.replica.captured_queries
    with Queries() as queries:
        page = client.get(LIST)
    assert added.company_name in page.content.decode()
    assert len(Queries.pin_checks(queries.replica)) == 1
    assert not Queries.customer_reads(queries.replica)
    assert Queries.customer_reads(queries.default)
    assert page.cookies.get(replica.PIN_COOKIE) is None  # left as it is: still pinned


def test_the_pin_is_released_once_the_replica_has_replayed_the_write(world, client_for, replica_alias):
    client = client_for(world.users["global_admin"])
    response = client.post(reverse("customers:customer_create"), customer_form_data())
    assert response.cookies[replica.PIN_COOKIE].value
    # This "replica" is the primary's own database, as far as the pin the moment it is written.
    with Queries() as queries:
        page = client.get(LIST)
    assert "Adatum Corporation" in page.content.decode()
    assert len(Queries.pin_checks(queries.replica)) == 1
    assert Queries.customer_reads(queries.replica)
    assert page.cookies[replica.PIN_COOKIE].value == ""  # deleted: the pin is released
    with Queries() as queries:
        client.get(LIST)
    assert not Queries.pin_checks(queries.replica)
    assert Queries.customer_reads(queries.replica)


def test_a_row_read_from_the_replica_is_written_to_the_primary(world, replica_alias):
    customer = Customer.objects.using(replica.REPLICA).get(pk=world.customer_in.pk)
    customer.company_name = "Renamed on the primary"
    with Queries() as queries:
        customer.save(update_fields=["company_name"])
    assert not queries.replica.captured_queries
    assert [q for q in queries.default.captured_queries if q["sql"].startswith('UPDATE "customers_customer"')]


def test_the_deployment_check_warns_of_a_replica_that_is_the_primary(replica_alias):
    # This test's "replica" is the primary's own database: exactly the mistake the check is for.
    assert [message.id for message in replica.check_replica()] == [replica.W_REPLICA]


def test_the_deployment_check_is_silent_without_a_replica():
    assert replica.check_replica() == []
