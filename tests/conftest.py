"""Shared fixtures: a small world of partners, one staff user per role, and customers in and out of scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import pytest
from django.db import transaction
from django.test import TransactionTestCase

from partnerportal.infrastructure.dbroles import connected_as_owner
from partnerportal.models import Partner, User
from tests.factories import ROLE_FIELDS, assign_customers, make_customer, make_partner, make_user

pytest_plugins = ["tests.url_coverage"]
T = TypeVar("T")

# --- Database roles: the owner creates and migrates the test database, the suite runs as the portal role ---------


class _OwnerSwitch:
    """Switches the default connection to the owner role and back (partnerportal.infrastructure.dbroles)."""

    def __init__(self) -> None:
        self._stack: ExitStack | None = None

    def enter(self) -> None:
        self._stack = ExitStack()
        self._stack.enter_context(connected_as_owner())

    def leave(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None


@pytest.fixture(scope="session")
def _owner_for_database_setup():
    """Set up before pytest-django's own `django_db_setup` (see below): it creates, migrates and (without
    --reuse-db) drops the test database as the owner; `migrate` grants the portal role its privileges."""
    switch = _OwnerSwitch()
    switch.enter()
    yield switch
    switch.leave()


@pytest.fixture(scope="session")
def django_db_setup(_owner_for_database_setup, django_db_setup):
    """pytest-django's test database set-up (the fixture of the same name this one wraps) runs as the owner; every
    test then runs as the portal role, so the whole suite shows the portal needs nothing more than its grants."""
    _owner_for_database_setup.leave()
    yield
    _owner_for_database_setup.enter()  # for the database's teardown


@pytest.fixture(scope="session", autouse=True)
def _transactional_flush_as_owner():
    """Transactional tests (`transactional_db`, `live_server`, the concurrency tests) end with Django's flush,
    a TRUNCATE of every table, which the portal role may not do on the activity log: the test machinery flushes
    through the owner's connection instead. The portal role is never granted TRUNCATE."""
    flush = TransactionTestCase._fixture_teardown

    def flush_as_owner(self):
        with connected_as_owner():
            flush(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", flush_as_owner)
        yield


@pytest.fixture
def as_owner(django_db_setup, django_db_blocker):
    """The test's connection logs in as the owner of the tables, for tests of migration code (ALTER TABLE, the
    trigger switched off and on). Request it before `db` or `world`, so their transaction is the owner's."""
    with django_db_blocker.unblock(), connected_as_owner():
        yield


ROLES = list(ROLE_FIELDS)
ASSIGNED = "assigned"  # key in World.users: partner A's admin agent whose scope is "assigned customers only"


@dataclass
class World:
    """Partner A (direct bill, the users under test), partner B (another direct-bill partner whose data must
    stay invisible); one user per role in A; customers of each partner. Built `with_assigned_scope`, it also holds
    users["assigned"], an admin agent of A with scope "assigned customers only" who is assigned `customer_in` and
    not `customer_unassigned` (another customer of A)."""

    partner_a: Partner
    partner_b: Partner
    users: dict[str, User]
    customer_in: object
    customer_out: object
    user_b: User
    customer_unassigned: object = None  # only in a world built with_assigned_scope
    extra: dict = field(default_factory=dict)


def build_world(*, with_assigned_scope: bool = False, unique: bool = False) -> World:
    """Build the world; `unique` gives its partners fresh names and domains, so one test can hold several."""
    partner_a = make_partner() if unique else make_partner(name="Contoso Cloud", domain="contoso.example")
    partner_b = make_partner() if unique else make_partner(name="Fabrikam Distribution", domain="fabrikam.example")
    users = {role: make_user(partner_a, role) for role in ROLES}
    user_b = make_user(partner_b, "global_admin")
    customer_in = make_customer(partner_a, actor=users["global_admin"])
    customer_out = make_customer(partner_b, actor=user_b)
    if not with_assigned_scope:
        return World(partner_a, partner_b, users, customer_in, customer_out, user_b)
    customer_unassigned = make_customer(partner_a, actor=users["global_admin"])
    users[ASSIGNED] = make_user(partner_a, "admin_agent", scope="assigned")
    assign_customers(users[ASSIGNED], [customer_in], actor=users["global_admin"])
    return World(partner_a, partner_b, users, customer_in, customer_out, user_b, customer_unassigned)


def _reloaded(world: World) -> World:
    """Fresh instances of the world's rows, so no test sees another test's in-memory changes or caches."""
    customers = type(world.customer_in)._default_manager
    return World(
        partner_a=Partner.objects.get(pk=world.partner_a.pk),
        partner_b=Partner.objects.get(pk=world.partner_b.pk),
        users={role: User.objects.get(pk=user.pk) for role, user in world.users.items()},
        customer_in=customers.get(pk=world.customer_in.pk),
        customer_out=customers.get(pk=world.customer_out.pk),
        user_b=User.objects.get(pk=world.user_b.pk),
        customer_unassigned=customers.get(pk=world.customer_unassigned.pk) if world.customer_unassigned else None,
    )


@pytest.fixture(scope="module")
def shared_world(request, django_db_setup, django_db_blocker):
    """The world built once for a whole module and committed inside an outer transaction: each test runs in its
    own savepoint (pytest-django's `db`, rolled back after the test), and the outer transaction is rolled back when
    the module ends, so the next module starts from an empty database. A module opts in with
    `pytestmark = pytest.mark.usefixtures("shared_world")`; it must not use `transactional_db` or `live_server`.
    A module that sets `WORLD_WITH_ASSIGNED_SCOPE = True` also gets the assigned-scope user and its customers."""
    with_assigned_scope = getattr(request.module, "WORLD_WITH_ASSIGNED_SCOPE", False)
    with module_data(django_db_blocker, lambda: build_world(with_assigned_scope=with_assigned_scope)) as world:
        yield world


@contextmanager
def module_data(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """Rows `build()` writes for a whole module, inside an outer transaction rolled back when the module ends; each
    test (with pytest-django's `db`) runs in a savepoint of it, so every test starts from exactly these rows."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(request, db) -> World:
    if "shared_world" in request.fixturenames:
        return _reloaded(request.getfixturevalue("shared_world"))
    return build_world(with_assigned_scope=getattr(request.module, "WORLD_WITH_ASSIGNED_SCOPE", False))


@pytest.fixture
def client_for(client):
    """Log the test client in as a given user (or leave it anonymous for None)."""

    def login(user: User | None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


STAFF_ROLES = ("global_admin", "admin_agent", "sales_agent", "helpdesk_agent")


@pytest.fixture
def roles_seeing(world, client_for):
    """roles_seeing(url, text) -> the set of partner A's roles whose page at `url` contains `text` (a button or
    link that only some roles get)."""

    def seeing(url: str, text: str, roles=STAFF_ROLES) -> set[str]:
        return {role for role in roles if text in client_for(world.users[role]).get(url).content.decode()}

    return seeing


@pytest.fixture
def smtp():
    """A real SMTP server on a free loopback port for the test (`tests/smtp.py`): `server.settings()` points the
    portal's email at it, `run_worker(server)` delivers what the outbox holds."""
    from tests.smtp import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()
