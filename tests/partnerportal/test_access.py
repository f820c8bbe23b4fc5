"""Runs the hand-written access matrix (tests/access.py) and checks that it covers every named route."""

from __future__ import annotations

import hashlib

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import NOT_IN_MATRIX, ROWS, Row
from tests.customers import access_targets as subscription_targets
from tests.relationships import access_targets as endrestore_targets
from tests.relationships import invite_targets

ROLE_COLUMNS = {
    "anon": None,
    "ga": "global_admin",
    "aa": "admin_agent",
    "sa": "sales_agent",
    "hd": "helpdesk_agent",
    "none": "no_role",
}
PROJECT_APPS = {"partnerportal", "customers", "relationships", "permissions", "activity"}


def database_fingerprint() -> str:
    """A digest of every row of the project's tables (and the queued tasks): equal digests, unchanged data."""
    digest = hashlib.sha256()
    models = [
        m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS or m._meta.app_label == "django_tasks_db"
    ]
    for model in sorted(models, key=lambda m: m._meta.label):
        if model._meta.label == "partnerportal.RateLimitCounter":
            # The public invitation page counts every request, refused ones above all (that is its purpose).
            continue
        if model._meta.label == "partnerportal.User":
            # Signing in stamps last_login; that is not a change made by the request under test.
            rows = model.objects.order_by("pk").values_list(
                "pk", "email", "password", "is_active", "admin_role", "agent_role", "scope"
            )
        else:
            rows = model.objects.order_by("pk").values_list()
        digest.update(model._meta.label.encode())
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


def target_kwargs(world, target: str | None) -> dict:
    """URL kwargs for a row's target, from the world fixture (and the targets other modules register)."""
    if target is None:
        return {}
    if target == "customer_in":
        return {"pk": world.customer_in.pk}
    if target == "customer_out":
        return {"pk": world.customer_out.pk}
    if target == "reset_token":
        return {"uidb64": "MQ", "token": "bad-token"}
    return TARGETS[target](world)


# Other modules add builders for their targets here: name -> function(world) -> URL kwargs.
TARGETS: dict = {}
TARGETS.update(endrestore_targets.TARGETS)  # ended_in/out, provider, partnership_in/out, partnership_token
TARGETS.update(subscription_targets.TARGETS)  # subscription_in/out/mismatch
TARGETS.update(invite_targets.TARGETS)  # invitation_in/out, invite_token, invite_token_bad


def _staff_user_in(world) -> dict:
    from tests.factories import make_user

    return {"pk": make_user(world.partner_a, "helpdesk_agent").pk}


def _set_password_token(world) -> dict:
    from partnerportal.models import SetPasswordToken
    from partnerportal.staff.services import set_password_token_issue, staff_user_create

    user = staff_user_create(partner=world.partner_a, email="invited.user@contoso.example", agent_role="sales_agent")
    return {"token": set_password_token_issue(user=user, purpose=SetPasswordToken.Purpose.WELCOME)}


TARGETS.update(
    staff_user_in=_staff_user_in,
    staff_user_out=lambda world: {"pk": world.user_b.pk},
    set_password_token=_set_password_token,
)


def _cases():
    for row in ROWS:
        for column, role in ROLE_COLUMNS.items():
            yield pytest.param(row, column, role, id=f"{row.url_name}[{row.target}]-{row.method}-{column}")


@pytest.mark.parametrize(("row", "column", "role"), list(_cases()))
def test_access_matrix(world, client_for, row: Row, column: str, role: str | None):
    expected = getattr(row, column)
    client = client_for(world.users[role] if role else None)
    url = reverse(row.url_name, kwargs=target_kwargs(world, row.target))
    before = database_fingerprint() if row.method == "POST" else None

    response = client.get(url) if row.method == "GET" else client.post(url, row.data or {})

    assert response.status_code == expected, f"{row.method} {url} as {column}: {response.status_code} != {expected}"
    if column == "anon" and expected == 302 and row.url_name not in {"home", "set_language", "logout"}:
        assert response["Location"].startswith(reverse("login")), "anonymous users are sent to the login page"
    denied = expected in (403, 404, 405) or (column == "anon" and expected == 302)
    if row.method == "POST" and denied and row.url_name not in {"logout", "set_language", "login"}:
        assert database_fingerprint() == before, f"denied POST {url} as {column} changed the database"


def _named_routes(resolver=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in NOT_IN_MATRIX:
                continue
            names |= _named_routes(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_named_route_has_rows_in_the_access_matrix():
    covered = {row.url_name for row in ROWS}
    missing = sorted(_named_routes() - covered)
    assert not missing, f"routes without rows in tests/access.py: {missing}"


def test_every_route_in_the_matrix_exists():
    assert {row.url_name for row in ROWS} <= _named_routes()


def test_every_object_route_is_checked_out_of_scope():
    """A route that takes a customer must have a row proving partner B's customer answers 404."""
    with_in = {row.url_name for row in ROWS if row.target == "customer_in"}
    with_out = {row.url_name for row in ROWS if row.target == "customer_out"}
    assert with_in <= with_out, f"routes without an out-of-scope row: {sorted(with_in - with_out)}"
