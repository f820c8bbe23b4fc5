"""Fixtures of the page-walking tests (the access matrix, the page structure)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.partnerportal.test_access import ROLE_COLUMNS


@pytest.fixture(scope="module")
def browsers(shared_world, django_db_blocker) -> dict:
    """One browser per page column, signed in once for the module (its session lives as long as the shared world)."""
    clients = {}
    with django_db_blocker.unblock():
        for column, role in ROLE_COLUMNS.items():
            clients[column] = Client()
            if role:
                clients[column].force_login(shared_world.users[role])
    return clients
