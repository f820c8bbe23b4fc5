"""Shared fixtures: a small world of partners, one staff user per role, and customers in and out of scope."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from partnerportal.models import Partner, User
from tests.factories import ROLE_FIELDS, make_customer, make_partner, make_user

ROLES = list(ROLE_FIELDS)


@dataclass
class World:
    """Partner A (direct bill, the users under test), partner B (another direct-bill partner whose data must
    stay invisible), an indirect provider and its reseller; one user per role in A; customers of each."""

    partner_a: Partner
    partner_b: Partner
    users: dict[str, User]
    customer_in: object
    customer_out: object
    user_b: User
    extra: dict = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    partner_a = make_partner(name="Contoso Cloud", domain="contoso.example")
    partner_b = make_partner(name="Fabrikam Distribution", domain="fabrikam.example")
    users = {role: make_user(partner_a, role) for role in ROLES}
    user_b = make_user(partner_b, "global_admin")
    customer_in = make_customer(partner_a, actor=users["global_admin"])
    customer_out = make_customer(partner_b, actor=user_b)
    return World(partner_a, partner_b, users, customer_in, customer_out, user_b)


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
