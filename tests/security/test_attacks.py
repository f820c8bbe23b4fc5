"""Attacks every route must withstand, generated from the routes the access matrix names (and the matrix fails when
a named route has no row): a POST without a CSRF token is refused and changes nothing, and `next=` never sends a
user off the site."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.access import ROWS
from tests.conftest import build_world
from tests.factories import PASSWORD
from tests.partnerportal.test_access import ROLE_COLUMNS, database_fingerprint, target_kwargs

# The access matrix has an assigned-scope column: this module's world holds that user and their customers.
WORLD_WITH_ASSIGNED_SCOPE = True

OFF_SITE = ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example", "http://evil.example"]


def _posts():
    """Every (route, target) the matrix POSTs to, with a role the matrix lets through (or anonymous)."""
    seen = set()
    for row in ROWS:
        if row.method != "POST" or (row.url_name, row.target) in seen:
            continue
        for column, role in ROLE_COLUMNS.items():
            if getattr(row, column) in (200, 201, 302):
                seen.add((row.url_name, row.target))
                yield row, column, role
                break


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(db):
    checked = []
    worlds: dict = {}
    for row, column, role in _posts():
        # A world per target (building some targets changes the world: an invitation waiting, an ended
        # relationship); the refused POSTs change nothing, so the routes of one target share it.
        if row.target not in worlds:
            world = build_world(with_assigned_scope=True, unique=True)
            worlds[row.target] = world, target_kwargs(world, row.target)
        world, kwargs = worlds[row.target]
        client = Client(enforce_csrf_checks=True)
        user = world.users[role] if role else None
        if user is not None:
            client.force_login(user)
        url = reverse(row.url_name, kwargs=kwargs)
        before = database_fingerprint()
        response = client.post(url, {"email": "x@example.net", "message": "hello"})
        # The API does not take the session at all (bearer tokens only): a signed-in browser's POST is a 401 there.
        refused = 401 if row.url_name.startswith("api:") else 403
        assert response.status_code == refused, f"POST {url} as {column} without a CSRF token: {response.status_code}"
        assert database_fingerprint() == before, f"POST {url} as {column} without a CSRF token changed the database"
        checked.append(url)
    assert len(checked) >= 30, checked  # every write of the portal, not a handful


@pytest.mark.parametrize("target", OFF_SITE)
def test_signing_in_never_follows_next_off_the_site(world, target):
    client = Client()
    user = world.users["sales_agent"]
    response = client.post(reverse("login") + "?next=" + target, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"], response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_choosing_a_language_never_follows_next_off_the_site(client, target):
    response = client.post(reverse("set_language"), {"language": "ko", "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"], response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_login_redirect_of_a_signed_in_user_never_follows_next_off_the_site(world, client_for, target):
    response = client_for(world.users["sales_agent"]).get(reverse("login") + "?next=" + target)
    assert response.status_code == 302
    assert "evil.example" not in response["Location"], response["Location"]
