"""The read replica against a real streaming replica: Debian's PostgreSQL, `pg_basebackup -R`, loopback ports.

The portal runs in this process (Django's test client) with its "default" alias on the primary and a "replica"
alias on the standby, both as the portal role; the tables are migrated as the owner. Replay on the standby is
paused with `pg_wal_replay_pause()` to make its lag deterministic.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import dj_database_url
import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer
from partnerportal.infrastructure import replica
from partnerportal.models import User
from tests.deploy.replica import OWNER_ROLE, PORTAL_ROLE, ReplicaCluster
from tests.factories import customer_form_data, make_customer, make_partner, make_user

pytestmark = pytest.mark.deploy

LIST = reverse("customers:customer_list")
ADD = reverse("customers:customer_create")


@pytest.fixture(scope="module")
def cluster() -> Iterator[ReplicaCluster]:
    started = ReplicaCluster()
    try:
        started.start()
        yield started
    finally:
        started.stop()
        assert not started.processes(), "PostgreSQL processes left behind"


@dataclass
class Portal:
    admin: User
    colleague: User
    seconds_to_migrate: float


@pytest.fixture(scope="module")
def portal(cluster: ReplicaCluster, django_db_blocker) -> Iterator[Portal]:
    """The portal's aliases on the cluster for this module, then back to the suite's own database."""
    with django_db_blocker.unblock():
        saved_wrapper = connections["default"]
        saved_settings = connections.settings["default"]
        saved_wrapper.close()

        def alias_settings(url: str, **extra: object) -> dict:
            parsed = dj_database_url.parse(url)
            keys = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
            return {**saved_settings, **{key: parsed[key] for key in keys}, "OPTIONS": {}, **extra}

        connections.settings["default"] = alias_settings(cluster.primary.url(PORTAL_ROLE))
        connections["default"] = connections.create_connection("default")
        connections.settings[replica.REPLICA] = alias_settings(
            cluster.standby.url(PORTAL_ROLE), TEST={"MIRROR": "default"}
        )
        try:
            with override_settings(
                DATABASE_OWNER=dj_database_url.parse(cluster.primary.url(OWNER_ROLE)),
                DATABASE_ROUTERS=["partnerportal.infrastructure.replica.ReplicaRouter"],
            ):
                started = time.monotonic()
                call_command("migrate", verbosity=0)
                migrated = time.monotonic() - started
                partner = make_partner(name="Northwind Cloud", domain="northwind.example")
                admin = make_user(partner, "global_admin")
                colleague = make_user(partner, "admin_agent")
                make_customer(partner, actor=admin, data={"company_name": "Before The Pause Ltd"})
                cluster.wait_caught_up()
                yield Portal(admin, colleague, migrated)
        finally:
            for alias in ("default", replica.REPLICA):
                connections[alias].close()
            del connections[replica.REPLICA]
            del connections.settings[replica.REPLICA]
            connections.settings["default"] = saved_settings
            connections["default"] = saved_wrapper


class Queries:
    """The customer-list statements each alias ran inside the block, and the replica's pin checks."""

    def __enter__(self) -> Queries:
        self._default = CaptureQueriesContext(connections["default"])
        self._replica = CaptureQueriesContext(connections[replica.REPLICA])
        self._default.__enter__()
        self._replica.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._replica.__exit__(*exc)
        self._default.__exit__(*exc)
        self.default = self._customer_reads(self._default)
        self.replica = self._customer_reads(self._replica)
        self.pin_checks = [q for q in self._replica.captured_queries if "pg_lsn" in q["sql"]]

    @staticmethod
    def _customer_reads(captured: CaptureQueriesContext) -> list[str]:
        return [q["sql"] for q in captured.captured_queries if 'FROM "customers_customer"' in q["sql"]]


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_lists_read_the_replica_and_a_users_own_write_is_never_stale(cluster: ReplicaCluster, portal: Portal):
    admin, colleague = _signed_in(portal.admin), _signed_in(portal.colleague)

    # The replica alias really is the standby: another server, in recovery.
    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
        assert cursor.fetchone() == (cluster.standby.port, True)

    # A list read without a pin is served by the standby.
    with Queries() as queries:
        page = colleague.get(LIST)
    assert "Before The Pause Ltd" in page.content.decode()
    assert queries.replica and not queries.default

    # The standby stops replaying: from now on it lags the primary by whatever is written.
    cluster.pause_replay()
    response = admin.post(ADD, customer_form_data(company_name="Written While Lagging Ltd"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.cookies[replica.PIN_COOKIE].value
    assert Customer.objects.filter(company_name="Written While Lagging Ltd").exists()  # on the primary
    assert not Customer.objects.using(replica.REPLICA).filter(company_name="Written While Lagging Ltd").exists()

    # The writer's redirect and list show their customer: the pin is ahead of the standby, so the primary answers.
    assert "Written While Lagging Ltd" in admin.get(response.url).content.decode()
    with Queries() as queries:
        page = admin.get(LIST)
    assert "Written While Lagging Ltd" in page.content.decode()
    assert len(queries.pin_checks) == 1 and queries.default and not queries.replica
    assert page.cookies.get(replica.PIN_COOKIE) is None  # still pinned

    # Someone without a pin reads the standby, which still shows the state before the write.
    with Queries() as queries:
        page = colleague.get(LIST)
    assert "Before The Pause Ltd" in page.content.decode()
    assert "Written While Lagging Ltd" not in page.content.decode()
    assert queries.replica and not queries.default

    # Replay resumes and catches up: the pin is released and the writer's reads return to the standby.
    cluster.resume_replay()
    cluster.wait_caught_up()
    with Queries() as queries:
        page = admin.get(LIST)
    assert "Written While Lagging Ltd" in page.content.decode()
    assert len(queries.pin_checks) == 1 and queries.replica and not queries.default
    assert page.cookies[replica.PIN_COOKIE].value == ""  # deleted
    with Queries() as queries:
        page = admin.get(LIST)
    assert not queries.pin_checks and queries.replica
    assert "Written While Lagging Ltd" in colleague.get(LIST).content.decode()
    # The standby is a standby on another server: the deployment check has nothing to say.
    assert replica.check_replica() == []


def test_search_export_and_lookup_read_the_replica(portal: Portal):
    colleague = _signed_in(portal.colleague)
    for url, params in (
        (LIST, {"q": "before the"}),
        (reverse("customers:customer_export"), {}),
        (reverse("customers:customer_lookup"), {"q": "before the"}),
    ):
        with Queries() as queries:
            response = colleague.get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        assert "Before The Pause Ltd" in body.decode(), url
        assert queries.replica and not queries.default, url
