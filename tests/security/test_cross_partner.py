"""Cross-partner sweep, generated from the URL resolver: every route that takes an object, built with partner B's
object of that kind, asked for by every role of partner A (every staff role, no role, and the assigned-scope agent),
by GET and by POST with a valid CSRF token → 404, never 200 and never a redirect; nothing in the database changes.

403 is accepted only where the access matrix (tests/access.py) documents it for the same route, method and role on
partner A's own objects too (a role without the action), and 405 only where the view has no handler for the method
at all (answered before any lookup), so neither reveals anything about B's object. A route with object kwargs and
no maker below fails the sweep, so a new route cannot be forgotten; routes whose argument is a bearer link (the
link itself is the credential) are listed apart, with why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from partnerportal.staff.services import staff_user_deactivate
from relationships.models import Partnership
from relationships.services import invitation_create
from relationships.services.lifecycle import relationship_end
from tests.access import NOT_IN_MATRIX, ROWS
from tests.access_effects import BODIES, Ctx
from tests.adminrelationships.access_targets import admin_relationship_b, security_group_b
from tests.adminrelationships.dap_targets import role_template_b
from tests.api.access_targets import _token_out
from tests.api.helpers import ApiClient, token_for
from tests.conftest import World
from tests.customers.access_targets import _subscription
from tests.factories import make_customer, make_partner, make_user
from tests.leads.factories import make_accepted_lead, make_lead
from tests.partnerportal.test_access import ROLE_COLUMNS, database_fingerprint
from tests.profiles.helpers import first_location, make_profile
from tests.relationships.access_targets import _make_type
from tests.webhooks import access_targets as webhook_targets

pytestmark = pytest.mark.usefixtures("shared_world")
WORLD_WITH_ASSIGNED_SCOPE = True

# Every signed-in column of the matrix: the four staff roles, no role, and the assigned-scope admin agent.
COLUMNS = {column: role for column, role in ROLE_COLUMNS.items() if role is not None}

Kwargs = dict


def _customer_b(world: World) -> list[Kwargs]:
    return [{"pk": world.customer_out.pk}]


def _azure_customer_b(world: World) -> list[Kwargs]:
    """Partner B's customer with an active Azure plan, so purchase permissions could change if it were reachable."""
    _subscription(world.customer_out, world.user_b, offer_name="Azure plan", is_azure_plan=True)
    return [{"pk": world.customer_out.pk}]


def _subscription_b(world: World) -> list[Kwargs]:
    """B's subscription through B's customer, and through A's own customer (the pair must match)."""
    subscription = _subscription(world.customer_out, world.user_b)
    return [
        {"pk": world.customer_out.pk, "subscription_pk": subscription.pk},
        {"pk": world.customer_in.pk, "subscription_pk": subscription.pk},
    ]


def _invitation_b(world: World) -> list[Kwargs]:
    invitation, _token = invitation_create(
        actor=world.user_b, email="admin@invited-b.example.net", message="Please accept.", dap=True
    )
    return [{"pk": invitation.pk}]


def _ended_b(world: World) -> list[Kwargs]:
    customer = make_customer(world.partner_b, actor=world.user_b)
    relationship = relationship_end(actor=world.user_b, customer=customer, reason="other", details="Test")
    return [{"pk": relationship.pk}]


def _partnership_b(world: World) -> list[Kwargs]:
    """B made an indirect provider with an active reseller; A made one too, so the page is A's to use."""
    _make_type(world.partner_b, "indirect_provider")
    _make_type(world.partner_a, "indirect_provider")
    reseller = make_partner(type="indirect_reseller")
    partnership = Partnership.objects.create(provider=world.partner_b, reseller=reseller, status="active")
    return [{"pk": partnership.pk}]


def _staff_b(world: World) -> list[Kwargs]:
    """B's global admin and an agent of B."""
    return [{"pk": world.user_b.pk}, {"pk": make_user(world.partner_b, "helpdesk_agent").pk}]


def _inactive_staff_b(world: World) -> list[Kwargs]:
    user = make_user(world.partner_b, "helpdesk_agent")
    staff_user_deactivate(actor=world.user_b, user=user)
    return [{"pk": user.pk}]


def _admin_relationship_b(world: World) -> list[Kwargs]:
    """B's active admin relationship on B's customer."""
    return [{"pk": admin_relationship_b(world).pk}]


def _profile_b(world: World) -> list[Kwargs]:
    """B's published business profile (with a logo and a location), and a draft one."""
    published = make_profile(world.user_b, published=True, logo=True)
    draft = make_profile(world.user_b, country="CA", locations=0)
    return [{"pk": published.pk}, {"pk": draft.pk}]


def _profile_location_b(world: World) -> list[Kwargs]:
    return [{"pk": first_location(make_profile(world.user_b, published=True)).pk}]


def _lead_b(world: World) -> list[Kwargs]:
    """B's received lead and B's accepted one."""
    return [
        {"pk": make_lead(world.partner_b, contact=world.user_b).pk},
        {"pk": make_accepted_lead(world.partner_b, actor=world.user_b).pk},
    ]


# Route name -> partner B's objects of the kind the route takes (URL kwargs).
MAKERS: dict[str, Callable[[World], list[Kwargs]]] = {
    "customers:customer_detail": _customer_b,
    "customers:customer_update": _customer_b,
    "customers:customer_agreement": _customer_b,
    "customers:customer_tags": _customer_b,
    "customers:subscription_create": _customer_b,
    "customers:subscription_status": _subscription_b,
    "customers:purchase_permissions": _azure_customer_b,
    "customers:relationship_end": _customer_b,
    "relationships:invitation_resend": _invitation_b,
    "relationships:invitation_revoke": _invitation_b,
    "relationships:relationship_restore": _ended_b,
    "relationships:partnership_remove": _partnership_b,
    "staff:user_update": _staff_b,
    "staff:user_deactivate": _staff_b,
    "staff:user_reactivate": _inactive_staff_b,
    "staff:user_reset_password": _staff_b,
    "staff:user_mfa_reset": _staff_b,
    "adminrelationships:adminrelationship_detail": _admin_relationship_b,
    "adminrelationships:adminrelationship_terminate": _admin_relationship_b,
    "adminrelationships:adminrelationship_assign": _admin_relationship_b,
    "adminrelationships:securitygroup_update": lambda world: [{"pk": security_group_b(world).pk}],
    "adminrelationships:roletemplate_update": lambda world: [{"pk": role_template_b(world).pk}],
    "adminrelationships:roletemplate_delete": lambda world: [{"pk": role_template_b(world).pk}],
    "adminrelationships:dap_request": _customer_b,
    "adminrelationships:dap_remove": _customer_b,
    "apitokens:token_revoke": lambda world: [_token_out(world)],
    "webhooks:endpoint_detail": lambda world: [webhook_targets.TARGETS["webhook_out"](world)],
    "webhooks:endpoint_update": lambda world: [webhook_targets.TARGETS["webhook_out"](world)],
    "webhooks:endpoint_rotate": lambda world: [webhook_targets.TARGETS["webhook_out"](world)],
    "webhooks:endpoint_pause": lambda world: [webhook_targets.TARGETS["webhook_out"](world)],
    "webhooks:endpoint_delete": lambda world: [webhook_targets.TARGETS["webhook_out"](world)],
    "webhooks:delivery_redeliver": lambda world: [webhook_targets.TARGETS["delivery_out"](world)],
    "profiles:profile_detail": _profile_b,
    "profiles:profile_update": _profile_b,
    "profiles:profile_publish": _profile_b,
    "profiles:profile_unpublish": _profile_b,
    "profiles:profile_delete": _profile_b,
    "profiles:profile_logo": _profile_b,
    "profiles:location_add": _profile_b,
    "profiles:location_delete": _profile_location_b,
    # Leads (issue 14): partner B's received lead, and its accepted one.
    **{
        f"leads:{name}": _lead_b
        for name in (
            "lead_detail",
            "lead_accept",
            "lead_update",
            "lead_decline",
            "lead_win",
            "lead_lose",
            "lead_close",
            "lead_favourite",
        )
    },
}

# API routes taking an object: asked for with a bearer token of each column's user (sessions do not reach the API).
API_MAKERS: dict[str, Callable[[World], list[Kwargs]]] = {
    "api:customer_detail": _customer_b,
    "api:customer_tags": _customer_b,
    # relationships (issue 13, resources)
    "api:customer_relationships": _customer_b,
    "api:relationship_end_preflight": _customer_b,
    "api:relationship_end": _customer_b,
    "api:relationship_restore": _ended_b,
    "api:invitation_resend": _invitation_b,
    "api:invitation_revoke": _invitation_b,
    # staff users and admin relationships (issue 13, resources)
    "api:staff_detail": _staff_b,
    "api:staff_deactivate": _staff_b,
    "api:staff_reactivate": _inactive_staff_b,
    "api:staff_password_reset": _staff_b,
    "api:customer_admin_relationships": _customer_b,
    "api:admin_relationship_detail": _admin_relationship_b,
    "api:admin_relationship_terminate": _admin_relationship_b,
    "api:admin_relationship_assign": _admin_relationship_b,
    # agreement, subscriptions, purchase permissions, partnerships (issue 13, resources: second slice)
    "api:customer_agreement": _customer_b,
    "api:customer_subscriptions": _customer_b,
    "api:subscription_detail": _subscription_b,
    "api:customer_purchase_permissions": _azure_customer_b,
    "api:partnership_remove": _partnership_b,
    # leads and business profiles (issue 13, resources: api4)
    **{
        f"api:{name}": _lead_b
        for name in ("lead_detail", "lead_accept", "lead_decline", "lead_win", "lead_lose", "lead_close")
    },
    "api:business_profile_detail": _profile_b,
    "api:business_profile_publish": _profile_b,
    "api:business_profile_unpublish": _profile_b,
}

# Routes whose argument is a one-time link: holding the link is the authorization (whoever it was mailed to), so
# there is no "partner B's object" to refuse; tests/partnerportal/test_one_time_links.py proves each works once.
BEARER_ROUTES = {
    "relationships:invitation_accept": "the customer's invitation link (public page; a mailbox code binds it)",
    "relationships:invitation_domain_check": "the invitation link's live domain check (only while the link is open)",
    "relationships:partnership_authorize": "a provider's partnership link, authorized by the reseller holding it",
    "staff:set_password": "the set-password link mailed to the new or reset staff user",
    "password_reset_confirm": "Django's password-reset link mailed to the account's address",
    "adminrelationships:adminrelationship_approve": "the approval link mailed to the customer's contact (never shown "
    "to staff)",
}


# Public pages that take an object: the find-a-partner directory shows every partner's published locations to
# everyone (a draft's answer 404 to everyone: tests/access.py listing_draft rows), so no partner's object is refused.
PUBLIC_OBJECT_ROUTES = {
    "profiles:directory_location": "a published location's public page",
    "profiles:directory_contact": 'a published location\'s public "Contact me" form',
    "profiles:directory_logo": "a published profile's logo",
}


def _object_routes(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    """(route name, kwarg names) of every named route of the URLconf that takes arguments."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in NOT_IN_MATRIX:
                continue
            kwargs = list(getattr(pattern.pattern, "converters", {}))
            for name, inner in _object_routes(pattern, f"{namespace}{ns}:" if ns else namespace):
                yield name, kwargs + inner
        elif isinstance(pattern, URLPattern) and pattern.name:
            kwargs = list(getattr(pattern.pattern, "converters", {})) or list(pattern.pattern.regex.groupindex)
            if kwargs:
                yield namespace + pattern.name, kwargs


OBJECT_ROUTES = dict(_object_routes())


def _documented(url_name: str, method: str, column: str, status: int) -> bool:
    """The matrix gives this answer to this role for this route and method on one of partner A's own objects (for a
    method the matrix has no row of, on this route: for any method, e.g. a role refused a GET-only page entirely)."""
    own = [
        row
        for row in ROWS
        if row.url_name == url_name
        and row.target is not None
        and not row.target.endswith("_out")
        and row.target != "subscription_mismatch"
    ]
    rows = [row for row in own if row.method == method] or own
    return any(getattr(row, column) == status for row in rows)


def _no_handler(url: str, method: str) -> bool:
    """The view behind `url` has no handler for `method` (or does not accept it, `http_method_names`): Django
    answers 405 before looking anything up."""
    view_class = getattr(resolve(url).func, "view_class", None)
    if view_class is None:
        return False
    return method.lower() not in view_class.http_method_names or not hasattr(view_class, method.lower())


def _post_body(world: World, url_name: str, column: str, kwargs: Kwargs, url: str) -> dict:
    """The body the matrix sends to this route when the write is allowed (so only the object's scope refuses it)."""
    bodies = [row.body for row in ROWS if row.url_name == url_name and row.method == "POST" and row.body != "empty"]
    body = next((b for b in bodies if b), None)
    if body is None:
        return {}
    ctx = Ctx(world=world, column=column, user=world.users[COLUMNS[column]], kwargs=kwargs, url=url, expected=302)
    return BODIES[body](ctx)


def test_every_object_route_has_a_maker_or_is_a_bearer_link():
    missing = sorted(
        set(OBJECT_ROUTES) - set(MAKERS) - set(API_MAKERS) - set(BEARER_ROUTES) - set(PUBLIC_OBJECT_ROUTES)
    )
    assert not missing, f"routes taking an object without a partner-B maker in {__name__}.MAKERS: {missing}"
    stale = sorted(
        (set(MAKERS) | set(API_MAKERS) | set(BEARER_ROUTES) | set(PUBLIC_OBJECT_ROUTES)) - set(OBJECT_ROUTES)
    )
    assert not stale, f"makers for routes that no longer exist: {stale}"
    assert len(MAKERS) >= 17, "the sweep covers every customer, invitation, relationship, partnership and staff route"


@pytest.mark.parametrize("url_name", sorted(MAKERS))
def test_partner_bs_objects_are_not_found_by_any_role_of_partner_a(world, url_name):
    secrets = [world.customer_out.company_name, world.customer_out.primary_domain, world.user_b.email]
    checked = 0
    for kwargs in MAKERS[url_name](world):
        url = reverse(url_name, kwargs=kwargs)
        for column, role in COLUMNS.items():
            client = Client(enforce_csrf_checks=True)
            client.force_login(world.users[role])
            token = _get_new_csrf_string()
            client.cookies["csrftoken"] = token
            data = {"csrfmiddlewaretoken": token, **_post_body(world, url_name, column, kwargs, url)}
            before = database_fingerprint()
            for method, response in (("GET", client.get(url)), ("POST", client.post(url, data))):
                status = response.status_code
                where = f"{method} {url} as {column}"
                assert status != 403 or "CSRF" not in response.text, f"{where}: refused by CSRF, not by scope"
                assert (
                    status == 404
                    or (status == 403 and _documented(url_name, method, column, status))
                    or (status == 405 and _no_handler(url, method))
                ), f"{where}: {status} (only 404, the 403 the matrix documents for this role, or 405 without handler)"
                leaked = [s for s in secrets if s in response.text]
                assert not leaked, f"{where}: the answer names partner B's data {leaked}"
                checked += 1
            assert database_fingerprint() == before, f"GET/POST {url} as {column} changed the database"
    assert checked >= 2 * len(COLUMNS)


@pytest.mark.parametrize("url_name", sorted(API_MAKERS))
def test_partner_bs_objects_are_not_found_through_the_api_by_any_role_of_partner_a(world, url_name):
    """Another partner's token gets 404 on every object, by every method the API has (or the 403 the matrix
    documents for a role without the action), and nothing changes."""
    secrets = [world.customer_out.company_name, world.customer_out.primary_domain, world.user_b.email]
    checked = 0
    # One token per column, for every object the maker builds (a maker may build several: B's subscription through
    # B's customer and through A's).
    clients = {column: ApiClient(token_for(world.users[role])) for column, role in COLUMNS.items()}
    for kwargs in API_MAKERS[url_name](world):
        url = reverse(url_name, kwargs=kwargs)
        for column, api in clients.items():
            before = database_fingerprint()
            for method in ("GET", "PATCH", "POST", "PUT", "DELETE"):
                body = {"tags": ["VIP"]} if url_name == "api:customer_tags" else {"city": "Bellevue"}
                response = api.request(method, url, body, headers={"If-Match": "*"})
                status = response.status_code
                where = f"{method} {url} as {column}"
                assert (
                    status == 404
                    or (status == 403 and _documented(url_name, method, column, status))
                    or (status == 405 and _no_handler(url, method))
                ), f"{where}: {status}"
                assert not [s for s in secrets if s in response.text], f"{where}: names partner B's data"
                checked += 1
            assert database_fingerprint() == before, f"{url} as {column} changed the database"
    assert checked >= 5 * len(COLUMNS)
