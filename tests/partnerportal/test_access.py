"""Runs the hand-written access matrix (tests/access.py) and checks that it covers every named route.

The world (partners, one user per role, customers) is built once for this module (tests/conftest.py
`shared_world`); each case runs in its own transaction, rolled back afterwards.
"""

from __future__ import annotations

import copy
import hashlib
from functools import cache

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activity.models import ActivityEntry
from partnerportal.models import SetPasswordToken
from partnerportal.staff.services import set_password_token_issue, staff_user_create, staff_user_deactivate
from relationships.services.lifecycle import relationship_end
from tests.access import (
    CONFIRMATION_PAGES,
    KNOWN_DISAGREEMENTS,
    NOT_IN_MATRIX,
    PUBLIC_ROUTES,
    ROWS,
    US_GOV_ABSENT,
    Row,
)
from tests.access_effects import BODIES, EFFECTS, Ctx
from tests.adminrelationships import access_targets as admin_relationship_targets
from tests.adminrelationships import dap_targets
from tests.api import access_targets as api_targets
from tests.api import access_targets_resources as api_resource_targets
from tests.api.helpers import ApiClient, token_for
from tests.conftest import ASSIGNED
from tests.customers import access_targets as subscription_targets
from tests.factories import make_user
from tests.leads import access_targets as lead_targets
from tests.profiles import access_targets as profile_targets
from tests.relationships import access_targets as endrestore_targets
from tests.relationships import invite_targets
from tests.webhooks import access_targets as webhook_targets

pytestmark = pytest.mark.usefixtures("shared_world")
WORLD_WITH_ASSIGNED_SCOPE = True

ROLE_COLUMNS = {
    "anon": None,
    "ga": "global_admin",
    "aa": "admin_agent",
    "sa": "sales_agent",
    "hd": "helpdesk_agent",
    "none": "no_role",
    "asg": ASSIGNED,
}
# With django-otp's device tables: a denied MFA reset or set-up must leave every authenticator as it was.
PROJECT_APPS = {
    "partnerportal",
    "customers",
    "relationships",
    "adminrelationships",
    "permissions",
    "activity",
    "otp_totp",
    "otp_static",
    "api",
    "webhooks",
    "profiles",
    "leads",
}


# Columns left out of the fingerprint, by model: signing in stamps a user's last_login, and every request made with
# a token stamps its last use, refused ones too; neither is a change made by the request under test.
_UNFINGERPRINTED = {"partnerportal.User": {"last_login"}, "api.ApiToken": {"last_used_at", "last_used_from"}}
# The public invitation page counts every request, refused ones above all (that is its purpose).
_UNFINGERPRINTED_MODELS = {"partnerportal.RateLimitCounter"}


@cache
def _fingerprint_sql() -> str:
    """One statement digesting every row of the project's tables (and the queued tasks), table by table."""
    parts = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        label = model._meta.label
        if not (model._meta.app_label in PROJECT_APPS or model._meta.app_label == "django_tasks_db"):
            continue
        if label in _UNFINGERPRINTED_MODELS or not model._meta.managed or model._meta.proxy:
            continue
        skipped = _UNFINGERPRINTED.get(label, set())
        columns = [f.column for f in model._meta.concrete_fields if f.name not in skipped]
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        # Model metadata quoted by the backend: no input reaches this statement.
        digest = f"md5(coalesce(string_agg(md5(ROW({quoted})::text), '' ORDER BY {pk}), ''))"
        parts.append(f"SELECT '{label}' AS label, {digest} AS digest FROM {table}")  # noqa: S608
    return " UNION ALL ".join(parts) + " ORDER BY label"


def database_fingerprint() -> str:
    """A digest of every row of the project's tables (and the queued tasks): equal digests, unchanged data.

    Computed by PostgreSQL in one statement, so it costs the same whatever the number of worlds a module holds."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()


def test_the_fingerprint_sees_any_changed_row_but_not_a_sign_in_stamp(world):
    before = database_fingerprint()
    User = type(world.users["sales_agent"])
    User.objects.filter(pk=world.users["sales_agent"].pk).update(last_login="2026-01-01T00:00:00Z")
    assert database_fingerprint() == before
    User.objects.filter(pk=world.users["sales_agent"].pk).update(first_name="Changed")
    changed = database_fingerprint()
    assert changed != before
    type(world.customer_in).objects.filter(pk=world.customer_in.pk).update(company_name="Changed Ltd")
    assert database_fingerprint() != changed


def target_kwargs(world, target: str | None) -> dict:
    """URL kwargs for a row's target, from the world fixture (and the targets other modules register)."""
    if target is None:
        return {}
    if target in ("customer_in", "customer_out", "customer_unassigned"):
        return {"pk": getattr(world, target).pk}
    if target == "reset_token":
        return {"uidb64": "MQ", "token": "bad-token"}
    return TARGETS[target](world)


# Other modules add builders for their targets here: name -> function(world) -> URL kwargs.
TARGETS: dict = {}
TARGETS.update(endrestore_targets.TARGETS)  # ended_in/out, provider, partnership_in/out, partnership_token
TARGETS.update(subscription_targets.TARGETS)  # subscription_in/out/mismatch/unassigned, azure_in/unassigned
TARGETS.update(invite_targets.TARGETS)  # invitation_in/out, invite_token, invite_token_bad
TARGETS.update(admin_relationship_targets.TARGETS)  # gdap_in/out/unassigned, gdap_token, gdap_token_bad
TARGETS.update(dap_targets.TARGETS)  # template_in, template_out
TARGETS.update(api_targets.TARGETS)  # api_token_sa, api_token_out
TARGETS.update(webhook_targets.TARGETS)  # webhook_in/out, delivery_in/out
TARGETS.update(api_resource_targets.TARGETS)  # api_partnership_token
TARGETS.update(profile_targets.TARGETS)  # profile_*, location_in/out, listing_* (the public directory)
TARGETS.update(lead_targets.TARGETS)  # lead_in, lead_accepted_in, lead_out


def _staff_user_in(world) -> dict:

    return {"pk": make_user(world.partner_a, "helpdesk_agent").pk}


def _staff_user_inactive(world) -> dict:

    user = make_user(world.partner_a, "helpdesk_agent")
    staff_user_deactivate(actor=world.users["global_admin"], user=user)
    return {"pk": user.pk}


def _set_password_token(world) -> dict:

    user = staff_user_create(partner=world.partner_a, email="invited.user@contoso.example", agent_role="sales_agent")
    world.extra["set_password_email"] = user.email
    return {"token": set_password_token_issue(user=user, purpose=SetPasswordToken.Purpose.WELCOME)}


TARGETS.update(
    staff_user_in=_staff_user_in,
    staff_user_inactive=_staff_user_inactive,
    staff_user_out=lambda world: {"pk": world.user_b.pk},
    set_password_token=_set_password_token,
)


def _denied(row: Row, column: str, status: int) -> bool:
    """Refused: 401/403/404/405, or an anonymous visitor sent to the login page."""
    return status in (401, 403, 404, 405) or (column == "anon" and status == 302 and row.url_name not in PUBLIC_ROUTES)


def _case_id(row: Row, column: str) -> str:
    body = f"-{row.body}" if row.body else ""
    return f"{row.url_name}[{row.target}]-{row.method}{body}-{column}"


def _cases():
    for row in ROWS:
        for column, role in ROLE_COLUMNS.items():
            known = KNOWN_DISAGREEMENTS.get((row.url_name, row.target, column))
            marks = [pytest.mark.xfail(reason=known, strict=True)] if known else []
            yield pytest.param(row, column, role, id=_case_id(row, column), marks=marks)


def _client(client_for, row: Row, user):
    """The column's client: API rows send a bearer token of the column's user and no session at all."""
    if row.url_name.startswith("api:") and row.url_name not in PUBLIC_ROUTES:
        return ApiClient(token_for(user)) if user else ApiClient()
    return client_for(user)


@pytest.mark.parametrize(("row", "column", "role"), list(_cases()))
def test_access_matrix(world, client_for, row: Row, column: str, role: str | None):
    user = world.users[role] if role else None
    client = _client(client_for, row, user)
    check_cell(world, client, row, column, user, target_kwargs(world, row.target), getattr(row, column))


def check_cell(world, client, row: Row, column: str, user, kwargs: dict, expected: int) -> None:
    """One cell of the matrix: the request, its status, and for a POST the unchanged database or the effect."""
    api = row.url_name.startswith("api:") and row.url_name not in PUBLIC_ROUTES
    url = reverse(row.url_name, kwargs=kwargs)
    ctx = Ctx(world=world, column=column, user=user, kwargs=kwargs, url=url, expected=expected, client=client)
    headers: dict[str, str] = {}
    if row.method == "PATCH":
        # The ETag the user can read (a dummy one where they can't: the refusal comes before the check).
        headers["If-Match"] = client.get(url).get("ETag", '"none"')
    if row.method != "GET":
        ctx.data = BODIES[row.body](ctx) if row.body else {}
        ctx.before, ctx.fingerprint = database_fingerprint(), database_fingerprint
    elif row.url_name in CONFIRMATION_PAGES:
        ctx.before = database_fingerprint()
    last_entry = ActivityEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    if row.method == "GET":
        response = client.get(url)
    elif api:
        response = client.request(row.method, url, ctx.data, headers=headers)
    else:
        response = client.post(url, ctx.data)
    ctx.response = response

    assert response.status_code == expected, f"{row.method} {url} as {column}: {response.status_code} != {expected}"
    if column == "anon" and expected == 302 and row.url_name not in PUBLIC_ROUTES | {"home"}:
        assert response["Location"].startswith(reverse("login")), "anonymous users are sent to the login page"
    if row.method == "GET":
        if row.url_name in CONFIRMATION_PAGES:
            assert database_fingerprint() == ctx.before, f"the confirmation page {url} as {column} changed the database"
        return
    if _denied(row, column, expected):
        assert database_fingerprint() == ctx.before, f"denied POST {url} as {column} changed the database"
        return
    assert row.effect is not None, f"allowed POST {url} as {column} has no effect to prove (tests/access.py)"
    EFFECTS[row.effect.check](ctx)
    written = ActivityEntry.objects.filter(pk__gt=last_entry).order_by("pk")
    expected_actions = row.effect.actions
    if column == "anon" and row.effect.anon_actions is not None:
        expected_actions = row.effect.anon_actions
    assert sorted(e.action for e in written) == sorted(expected_actions), f"activity of POST {url} as {column}"
    if row.effect.by_user:
        assert all(e.actor_id == user.pk for e in written), "the activity entries name the signed-in user"


def _row_id(row: Row) -> str:
    body = f"-{row.body}" if row.body else ""
    return f"{row.url_name}[{row.target}]-{row.method}{body}"


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_access_matrix_in_the_us_government_cloud(world, browsers, settings, row: Row):
    """The whole matrix again with PORTAL_CLOUD=us_gov; the one difference is written down in tests/access.py
    (US_GOV_ABSENT: 404 in every column, anonymous included). Kept cheap: one test per row with its columns in a
    loop, each in a savepoint rolled back afterwards (as the per-cell test's own transaction is), the target built
    once and the page columns' browsers signed in once per module (their cookies put back after each cell)."""
    absent = row.url_name in US_GOV_ABSENT
    # The objects of a feature this cloud lacks cannot be made in it: they stand for a guessed or stale link.
    settings.PORTAL_CLOUD = "commercial" if absent else "us_gov"
    kwargs = target_kwargs(world, row.target)
    settings.PORTAL_CLOUD = "us_gov"
    api = row.url_name.startswith("api:") and row.url_name not in PUBLIC_ROUTES
    failures = []
    for column, role in ROLE_COLUMNS.items():
        if (row.url_name, row.target, column) in KNOWN_DISAGREEMENTS:
            continue
        user = world.users[role] if role else None
        expected = 404 if absent else getattr(row, column)
        with transaction.atomic():
            if api:
                client = ApiClient(token_for(user)) if user else ApiClient()
            else:
                client = browsers[column]
                cookies = copy.deepcopy(client.cookies)
            try:
                check_cell(world, client, row, column, user, kwargs, expected)
            except AssertionError as exc:
                failures.append(f"{column}: {exc}")
            finally:
                transaction.set_rollback(True)
                if not api:
                    client.cookies = cookies
    assert not failures, "\n".join(failures)


def test_us_government_absent_routes_exist_and_are_in_the_matrix():
    assert {row.url_name for row in ROWS} >= US_GOV_ABSENT


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
    """A route that takes a customer must have a row proving partner B's customer answers 404, and one proving
    partner A's customer that is not assigned to the assigned-scope user answers 404 to them only."""
    with_in = {row.url_name for row in ROWS if row.target == "customer_in"}
    with_out = {row.url_name for row in ROWS if row.target == "customer_out"}
    unassigned = {row.url_name for row in ROWS if row.target == "customer_unassigned"}
    assert with_in <= with_out, f"routes without an out-of-scope row: {sorted(with_in - with_out)}"
    assert with_in <= unassigned, f"routes without an unassigned-customer row: {sorted(with_in - unassigned)}"
    for row in ROWS:
        if row.target == "customer_unassigned":
            assert row.asg in (403, 404), f"{row.url_name}: an unassigned customer is out of the agent's scope"


def test_every_allowed_write_names_its_body_and_effect():
    """An allowed POST proves it worked: a valid body and the effect to check, written in the row."""
    for row in ROWS:
        allowed = [c for c in ROLE_COLUMNS if row.method != "GET" and not _denied(row, c, getattr(row, c))]
        if allowed:
            assert row.effect is not None, f"{row.url_name}[{row.target}] is allowed for {allowed} but proves nothing"
            assert row.body is None or row.body in BODIES, row.body
            assert row.effect.check in EFFECTS, row.effect.check


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


@pytest.mark.parametrize(
    "url_name", ["customers:customer_list", "customers:customer_export", "customers:customer_lookup"]
)
def test_partner_wide_lists_show_the_assigned_agent_only_their_customers(world, client_for, url_name):
    """PRODUCT.md §1: scope "assigned customers only" narrows every list to the assigned customers."""
    query = {"q": "Inc"} if url_name == "customers:customer_lookup" else {}
    whole = _text(client_for(world.users["admin_agent"]).get(reverse(url_name), query))
    assert world.customer_in.company_name in whole and world.customer_unassigned.company_name in whole
    mine = _text(client_for(world.users[ASSIGNED]).get(reverse(url_name), query))
    assert world.customer_in.company_name in mine
    assert world.customer_unassigned.company_name not in mine


def test_the_ended_list_shows_the_assigned_agent_none_of_the_partners_ended_relationships(world, client_for):
    """Ending removes every assignment to the customer, so an assigned-scope agent reaches none of them."""
    for customer in (world.customer_in, world.customer_unassigned):
        relationship_end(actor=world.users["global_admin"], customer=customer, reason="other", details="Test")
    html = _text(client_for(world.users[ASSIGNED]).get(reverse("relationships:relationship_ended_list")))
    assert world.customer_in.primary_domain not in html
    assert world.customer_unassigned.primary_domain not in html
