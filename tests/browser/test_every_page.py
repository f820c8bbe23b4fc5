"""Every page of the portal, in English and Korean, at 1366×768 and 390×844, through axe-core and the fit check.

The page list is derived, not written: every named route with a GET row in the access matrix (tests/access.py) that
some column answers 200 is visited as the first such column (global admin, admin agent, sales agent, helpdesk
agent, the assigned-scope agent, no role; anonymous first on public pages), with its URL arguments built by the
matrix's own target builders (tests/partnerportal/test_access.py TARGETS). A new route therefore joins the sweep by
its matrix rows; a route the sweep cannot open as a page is named in SKIP with the reason, and
`test_every_route_is_swept_or_skipped` fails on any route that is neither. On top of the routes come the states a
route alone does not show (the second half of `build_states`, and `Sweep.mfa_journey`): failed submits of the main
forms, empty and unmatched lists, other roles' views of a page, the 404 page and the multi-factor sign-in pages.

Data: the demo data (`seed_demo`, once) is the world of the pages without a target and of the customer targets
(partner A is Contoso, B is Fabrikam, so lists show real rows); every other target is built by its builder in a fresh
world of its own, as in the access matrix, so no builder changes the partner another page is shown with. One
transactional test (the live server reads committed rows) visits every state and asserts once at the end, listing
every problem, so one run shows all there is to fix.

Speed: one browser context per language, with axe installed once as an init script (tests/browser/a11y.py; the
portal's Content-Security-Policy stays on, and anything it blocks is a problem too); each role's session is made once
on the server and set as a cookie, never typed in. Each page is loaded once and checked at both widths, the viewport
resized between the checks (a resize applies the media queries as a load at that width does; the portal's scripts do
not measure the window on load); the load alternates between the widths, so half of the pages are loaded at each.
"""

from __future__ import annotations

import base64
import io
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import Error as PlaywrightError

from customers.models import Customer
from partnerportal.models import Partner, User
from tests.access import PUBLIC_ROUTES, ROWS
from tests.browser.a11y import CSSOM_RULE, accessibility_problems, fit_problems, install_axe, structure_problems
from tests.conftest import ASSIGNED, World, build_world
from tests.factories import PASSWORD, assign_customers, make_partner, make_user
from tests.partnerportal.test_access import ROLE_COLUMNS, _named_routes, target_kwargs

pytestmark = [pytest.mark.browser]

WIDTHS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
LANGUAGES = ("en", "ko")
# axe runs every rule at 1366 and every rule but colour contrast at 390: the contrast rule is two thirds of axe's time
# and the colours do not change with the width, while the other rules see what only the narrow layout shows (a menu
# button, a table that scrolls: scrollable-region-focusable fails there only). The pass at 390 is ~16% of the sweep's
# time (measured: 55 s of 352 s under load); the style-sheet rule (CSSOM_RULE) runs once per set of style sheets.
NARROW_AXE_OFF = ("color-contrast",)
# The column a page is shown as: the role that sees the most of it first.
COLUMN_ORDER = ("ga", "aa", "sa", "hd", "asg", "none")
DEMO_TARGETS = {None, "customer_in", "customer_unassigned", "reset_token"}
DEMO_PASSWORD = "Portal-Demo-2026!"

# Routes the sweep does not open as pages, with the reason. Every other named route must be swept.
SKIP_NAMESPACES = {"api": "the JSON API answers JSON, not pages (its HTML reference page, api:docs, is swept)"}
SKIP = {
    "api:docs": "a third-party page (drf-spectacular's Swagger UI from the sidecar package), not portal markup",
    "api:schema": "the OpenAPI schema document (YAML), not a page",
    "healthz": "a plain-text health probe, not a page",
    "readyz": "the readiness probe answers JSON, not a page",
    "metrics": "Prometheus' text exposition format for the scraper, not a page",
    "relationships:invitation_domain_check": "the acceptance page's live domain check answers JSON (its page is swept)",
    "set_language": "POST only (the language switch; each language is chosen by its cookie here)",
    "logout": "POST only (signing out is done in the multi-factor journey)",
    # downloads: the page's link is swept, the file is not a page
    "customers:customer_export": "a CSV download",
    "activity:activity_export": "a CSV download",
    "leads:lead_export": "a CSV download",
    "adminrelationships:adminrelationship_export": "a CSV download",
    "relationships:customer_import_template": "a CSV download",
    "profiles:profile_logo": "an image",
    "profiles:directory_logo": "an image",
    "customers:domain_check": "a JSON answer for the add-customer page's live check",
    # POST only: the button lives on a swept page; where a confirmation page exists it is swept under its own route
    "customers:subscription_status": "POST only (suspend/reactivate buttons on the customer page)",
    "relationships:invitation_resend": "POST only (button on the invitation list)",
    "relationships:invitation_revoke": "POST only (button on the invitation list)",
    "relationships:partnership_remove": "POST only (button on the partnership list)",
    "staff:user_deactivate": "POST only (button on the staff page)",
    "staff:user_reactivate": "POST only (button on the staff page)",
    "staff:user_reset_password": "POST only (button on the staff page)",
    "adminrelationships:dap_request": "POST only (button on the customer page)",
    "apitokens:token_revoke": "POST only (button on the API token page)",
    "webhooks:endpoint_rotate": "POST only (button on the endpoint page)",
    "webhooks:endpoint_pause": "POST only (button on the endpoint page)",
    "webhooks:delivery_redeliver": "POST only (button on the endpoint page)",
    "profiles:profile_publish": "POST only (button on the business profile page)",
    "profiles:profile_unpublish": "POST only (button on the business profile page)",
    "profiles:location_delete": "POST only (button on the business profile page)",
    "leads:lead_win": "POST only (button on the lead page)",
    "leads:lead_lose": "POST only (button on the lead page)",
    "leads:lead_close": "POST only (button on the lead page)",
    "leads:lead_favourite": "POST only (star on the lead list)",
    # reached by the multi-factor journey below, not by a plain GET
    "mfa:setup": "POST only (the 'Set up' button); its result, mfa:confirm, is swept by the journey",
    "mfa:confirm": "opened by 'Set up' only; swept by the multi-factor journey",
    "mfa:recovery_codes": "shown after confirming a code only; swept by the multi-factor journey",
    "mfa:verify": "shown between password and code only; swept by the multi-factor journey",
}


def _skipped(name: str) -> str | None:
    return SKIP.get(name) or SKIP_NAMESPACES.get(name.split(":")[0] if ":" in name else "")


@dataclass(frozen=True)
class State:
    """A page state: a name for the report, who looks at it (a column, in a world), and where."""

    name: str
    column: str  # a ROLE_COLUMNS key ("anon" for nobody signed in), or "user:<email>" for a named user
    url: str
    expect: int = 200
    submit: bool = False  # submit the page's main form empty (a failed submit)


def _route_columns() -> dict[str, tuple[str | None, str]]:
    """url name -> (target, column) of the first GET row some column answers 200, for the routes not skipped."""
    chosen: dict[str, tuple[str | None, str]] = {}
    for row in ROWS:
        if row.method != "GET" or row.url_name in chosen or _skipped(row.url_name):
            continue
        if row.url_name in PUBLIC_ROUTES and row.anon == 200:
            chosen[row.url_name] = (row.target, "anon")
            continue
        column = next((c for c in COLUMN_ORDER if getattr(row, c) == 200), None)
        if column:
            chosen[row.url_name] = (row.target, column)
    return chosen


def test_every_route_is_swept_or_skipped():
    """A route joins the sweep by a GET row answering 200, or is named in SKIP with a reason: none is left out."""
    routes = _named_routes()
    swept = set(_route_columns())
    assert not sorted(routes - swept - {r for r in routes if _skipped(r)}), "routes neither swept nor in SKIP"
    assert not sorted(set(SKIP) - routes), "SKIP names routes that do not exist"


# --------------------------------------------------------------------------------------------------- the data


def demo_world() -> World:
    """The demo data as the access matrix's world: partner A is Contoso (its demo staff, plus a user without a role
    and an assigned-scope admin agent), partner B is Fabrikam (a distributor)."""
    call_command("seed_demo", stdout=io.StringIO())
    contoso = Partner.objects.get(email_domain="contoso.example")
    fabrikam = Partner.objects.get(email_domain="fabrikam.example")
    users = {
        role: User.objects.get(email=f"{role.replace('_', '.')}@contoso.example")
        for role in ("global_admin", "admin_agent", "sales_agent", "helpdesk_agent")
    }
    users["no_role"] = make_user(contoso, "no_role")
    active = Customer.objects.filter(relationships__partner=contoso, relationships__status="active")
    customer_in, customer_unassigned = active.order_by("primary_domain")[:2]
    users[ASSIGNED] = make_user(contoso, "admin_agent", scope="assigned")
    assign_customers(users[ASSIGNED], [customer_in], actor=users["global_admin"])
    customer_out = Customer.objects.filter(relationships__partner=fabrikam).order_by("primary_domain").first()
    user_b = User.objects.get(email="global.admin@fabrikam.example")
    return World(contoso, fabrikam, users, customer_in, customer_out, user_b, customer_unassigned)


class Sessions:
    """Server-side sessions, one per user, made once and handed to the browser as its session cookie."""

    def __init__(self) -> None:
        self._keys: dict[int, str] = {}

    def key(self, user: User) -> str:
        if user.pk not in self._keys:
            client = Client()
            client.force_login(user)
            self._keys[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return self._keys[user.pk]


def build_states(demo: World) -> tuple[list[State], dict[str, User]]:
    """Every page state, and the users the states name (key -> user)."""
    people: dict[str, User] = {}

    def who(world: World, column: str) -> str:
        if column == "anon":
            return "anon"
        user = world.users[ROLE_COLUMNS[column]]
        people[user.email] = user
        return "user:" + user.email

    states = []
    for name, (target, column) in sorted(_route_columns().items()):
        world = demo if target in DEMO_TARGETS else build_world(with_assigned_scope=True, unique=True)
        url = reverse(name, kwargs=target_kwargs(world, target))
        states.append(State(f"{name}[{target}]" if target else name, who(world, column), url))

    def user_state(name: str, user: User, url: str, **kw) -> State:
        people[user.email] = user
        return State(name, "user:" + user.email, url, **kw)

    customer = demo.customer_in
    ga, sa, hd = (demo.users[r] for r in ("global_admin", "sales_agent", "helpdesk_agent"))
    fabrikam_ga = User.objects.get(email="global.admin@fabrikam.example")
    northwind_ga = User.objects.get(email="global.admin@northwind.example")
    empty_partner = make_partner()
    empty_ga = make_user(empty_partner, "global_admin")
    lookup = reverse("customers:customer_lookup")
    customers = reverse("customers:customer_list")
    fragment = customer.contact_email.split("@")[1][:8]  # part of the contact email's domain
    states += [
        # other roles' views of a page
        user_state("lookup as helpdesk, by contact email fragment", hd, f"{lookup}?{urlencode({'q': fragment})}"),
        user_state("lookup as helpdesk, by customer ID", hd, f"{lookup}?{urlencode({'q': customer.pk})}"),
        user_state(
            "customer page as sales agent (read-only)", sa, reverse("customers:customer_detail", args=[customer.pk])
        ),
        user_state(
            "purchase permissions as sales agent (read-only)",
            sa,
            reverse("customers:purchase_permissions", args=[customer.pk]),
        ),
        # a distributor and its reseller, on the demo data
        user_state("customer list as distributor", fabrikam_ga, customers),
        user_state("partnerships as distributor", fabrikam_ga, reverse("relationships:partnership_list")),
        user_state("invitations as distributor", fabrikam_ga, reverse("relationships:invitation_list")),
        user_state("customer list as reseller", northwind_ga, customers),
        # empty lists (a partner with nothing yet) and lists filtered to no match
        user_state("customer list, empty", empty_ga, customers),
        user_state("invitations, empty", empty_ga, reverse("relationships:invitation_list")),
        user_state("ended relationships, empty", empty_ga, reverse("relationships:relationship_ended_list")),
        user_state("leads, empty", empty_ga, reverse("leads:lead_list")),
        user_state("admin relationships, empty", empty_ga, reverse("adminrelationships:adminrelationship_list")),
        user_state("customer list, no match", ga, f"{customers}?{urlencode({'q': 'zz-no-such-customer'})}"),
        user_state("lookup, no match", hd, f"{lookup}?{urlencode({'q': 'zz-no-such-customer'})}"),
        user_state(
            "activity log, no match",
            ga,
            f"{reverse('activity:activity_list')}?{urlencode({'customer': 'zz-no-match'})}",
        ),
        # failed submits of the main forms
        user_state("add customer, failed submit", ga, reverse("customers:customer_create"), submit=True),
        user_state("invite, failed submit", ga, reverse("relationships:invitation_create"), submit=True),
        user_state("add staff, failed submit", ga, reverse("staff:user_create"), submit=True),
        user_state("business profile, failed submit", ga, reverse("profiles:profile_create"), submit=True),
        user_state(
            "edit customer, failed submit", ga, reverse("customers:customer_update", args=[customer.pk]), submit=True
        ),
        # the 404 page, signed in and not
        user_state("404, signed in", ga, "/no-such-page/", expect=404),
        State("404, anonymous", "anon", "/no-such-page/", expect=404),
    ]
    return states, people


# --------------------------------------------------------------------------------------------------- the sweep


_MARK_MAIN_FORM = """() => {
  const fields = f => f.querySelectorAll('input:not([type=hidden]), select, textarea').length;
  const form = [...document.querySelectorAll('main form')].sort((a, b) => fields(b) - fields(a))[0];
  if (!form) return false;
  form.noValidate = true;
  form.dataset.sweepSubmit = '1';
  form.querySelectorAll('[required]').forEach(el => {
    if ('value' in el && el.type !== 'checkbox' && el.type !== 'radio') el.value = '';
  });
  return true;
}"""
_SUBMIT_MARKED_FORM = """() => {
  const form = document.querySelector('form[data-sweep-submit]');
  form.requestSubmit(form.querySelector('button.btn-primary[type=submit]')
    || form.querySelector('button[type=submit], button:not([type]), input[type=submit]') || undefined);
}"""


class Sweep:
    """Visits states in one browser context per language and collects every problem found."""

    def __init__(self, browser, base_url: str, sessions: Sessions, people: dict[str, User]):
        self.browser = browser
        self.base_url = base_url
        self.sessions = sessions
        self.people = people
        self.problems: list[str] = []
        self.checks: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self.sheets_checked: set[tuple[str, ...]] = set()
        self.states = 0
        self.width = "1366"

    def context(self, language: str):
        context = self.browser.new_context(viewport=WIDTHS[self.width], locale="ko-KR" if language == "ko" else "en-US")
        install_axe(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("console", lambda message: self.console(page, message, language))
        return context, page

    def console(self, page, message, language: str) -> None:
        if "Content Security Policy" in message.text:
            where = page.url.removeprefix(self.base_url)
            self.problems.append(f"[{language}] ({where}): blocked by the Content-Security-Policy: {message.text}")

    def become(self, page, column: str, language: str) -> None:
        context = page.context
        context.clear_cookies()
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base_url}]
        if column != "anon":
            user = self.people[column.removeprefix("user:")]
            cookies.append(
                {"name": settings.SESSION_COOKIE_NAME, "value": self.sessions.key(user), "url": self.base_url}
            )
        context.add_cookies(cookies)

    def timed(self, kind: str, check, *args, **kwargs) -> list[str]:
        started = time.monotonic()
        found = check(*args, **kwargs)
        self.seconds[kind] += time.monotonic() - started
        self.checks[kind] += 1
        return found

    def check(self, page, name: str, language: str) -> None:
        """Both widths on the page as loaded: the one it was loaded at, then the other (the next load stays there)."""
        self.states += 1
        for width in (self.width, "390" if self.width == "1366" else "1366"):
            if width != self.width:
                started = time.monotonic()
                page.set_viewport_size(WIDTHS[width])
                self.seconds["resize"] += time.monotonic() - started
                self.width = width
            context = f"[{language} {width}] {name} ({page.url.removeprefix(self.base_url)})"
            self.problems += self.timed("fit", fit_problems, page, context)
            off = list(NARROW_AXE_OFF) if width == "390" else []
            sheets = tuple(page.evaluate("() => [...document.styleSheets].map(s => s.href || 'inline')"))
            if sheets in self.sheets_checked:
                off.append(CSSOM_RULE)
            self.sheets_checked.add(sheets)
            self.problems += self.timed(f"axe {width}", accessibility_problems, page, context, disabled_rules=off)
            if width == "1366":
                self.problems += self.timed("structure", structure_problems, page, context, language=language)

    def visit(self, page, state: State, language: str) -> None:
        label = f"[{language}] {state.name} ({state.url})"
        started = time.monotonic()
        try:
            response = page.goto(self.base_url + state.url, wait_until="load")
            self.seconds["load"] += time.monotonic() - started
        except PlaywrightError as error:  # a download or a broken page: say which, and go on with the others
            self.problems.append(
                f"{label}: could not be opened as a page ({error}); if it is not a page, add it to SKIP"
            )
            return
        status = response.status if response else 0
        if status != state.expect:
            self.problems.append(f"{label}: answered {status}, expected {state.expect} (landed on {page.url})")
            return
        landed = urlsplit(page.url).path
        if landed != urlsplit(state.url).path:  # sent elsewhere: to the sign-in page, or on by a redirect
            self.problems.append(f"{label}: was sent on to {landed} (answered {status} there)")
            return
        kind = (response.headers.get("content-type") or "") if response else ""
        if not kind.startswith("text/html"):
            self.problems.append(f"{label}: answered {kind!r}, not a page; add it to SKIP with the reason")
            return
        if state.submit and not self.submit_empty(page, label):
            return
        self.check(page, state.name, language)

    def submit_empty(self, page, label: str) -> bool:
        """Submit the page's main form (the one in <main> with most fields) with its required fields emptied and
        the browser's own validation off, so the server's errors show; False (a problem noted) if none show."""
        if not page.evaluate(_MARK_MAIN_FORM):
            self.problems.append(f"{label}: no form in <main> to submit")
            return False
        with page.expect_navigation(wait_until="load"):
            page.evaluate(_SUBMIT_MARKED_FORM)
        if not page.locator(".is-invalid, .invalid-feedback, .errorlist, .alert-danger").count():
            self.problems.append(f"{label}: the empty submit showed no error (landed on {page.url})")
            return False
        return True

    def submit(self, page, selector: str = "main [type=submit]") -> None:
        with page.expect_navigation(wait_until="load"):
            page.click(selector)

    def mfa_journey(self, page, language: str) -> None:
        """A failed sign-in, then sign-in, set up an authenticator (a wrong code first), the recovery codes, sign out,
        and the code page of the next sign-in: each page on the way is a state."""
        partner = make_partner()
        user = make_user(partner, "sales_agent")
        self.become(page, "anon", language)
        login = self.base_url + reverse("login")
        page.goto(login)
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", "not-the-password")
        self.submit(page)
        self.check(page, "sign-in, failed", language)
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", PASSWORD)
        self.submit(page)
        page.goto(self.base_url + reverse("mfa:overview"))
        page.click("#mfa-setup")
        page.wait_for_selector("#mfa-secret")
        self.check(page, "mfa:confirm (set up)", language)
        page.fill("input[name=code]", "000000")
        self.submit(page)
        self.check(page, "mfa:confirm, wrong code", language)
        secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.fill("input[name=code]", f"{TOTP(key).token():06d}")
        page.click("main [type=submit]")
        page.wait_for_selector("#recovery-codes")
        self.check(page, "mfa:recovery_codes", language)
        self.become(page, "anon", language)
        page.goto(login)
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("main [type=submit]")
        page.wait_for_selector("input[name=code]")
        self.check(page, "mfa:verify", language)

    def run(self, states: list[State], *, journey: bool = True) -> None:
        for language in LANGUAGES:
            context, page = self.context(language)
            try:
                current = None
                for state in states:
                    if state.column != current:
                        self.become(page, state.column, language)
                        current = state.column
                    self.visit(page, state, language)
                if journey:
                    started = time.monotonic()
                    self.mfa_journey(page, language)
                    self.seconds["multi-factor journey, all in"] += time.monotonic() - started
            finally:
                context.close()


def _kind(problem: str) -> str:
    """The rule a problem line breaks, for the summary: the axe rule id, or the fit/structure check."""
    for pattern, kind in (
        (r": axe ([\w-]+) ", None),
        (r": page is \d+px wide", "page wider than the viewport"),
        (r": action .* is (outside|scrolled)", "action control out of view"),
        (r": structure: \d+ h1", "not one h1"),
        (r": structure: \d+ main", "not one main"),
        (r": structure: <html lang", "html lang"),
        (r"Content-Security-Policy", "blocked by the CSP"),
    ):
        match = re.search(pattern, problem)
        if match:
            return kind or match.group(1)
    return "page did not open"


@pytest.mark.django_db(transaction=True)
def test_every_page_state_is_accessible_and_fits(live_server, browser):
    started = time.monotonic()
    demo = demo_world()
    seeded = time.monotonic() - started
    states, people = build_states(demo)
    only = os.environ.get("PORTAL_SWEEP_ONLY")  # a regular expression: sweep just the states it finds in their name
    if only:
        states = [state for state in states if re.search(only, state.name)]
    built = time.monotonic() - started
    sweep = Sweep(browser, live_server.url, Sessions(), people)
    sweep.run(states, journey=not only)
    took = time.monotonic() - started
    summary = (
        f"{sweep.states} page states ({len(states)} per language + the multi-factor journey),"
        f" checks {dict(sweep.checks)};"
        f" data {built:.0f}s (seed_demo {seeded:.0f}s), total {took:.0f}s"
        f" ({', '.join(f'{kind} {seconds:.0f}s' for kind, seconds in sweep.seconds.most_common())})"
    )
    print(summary)
    by_kind = Counter(_kind(problem) for problem in sweep.problems)
    pages: dict[str, set[str]] = {}
    for problem in sweep.problems:
        pages.setdefault(_kind(problem), set()).add(re.sub(r" \(/.*$", "", problem.split("] ", 1)[-1].split(": ")[0]))
    grouped = "\n".join(
        f"  {kind} ({count}): {', '.join(sorted(pages[kind]))}" for kind, count in by_kind.most_common()
    )
    if os.environ.get("PORTAL_SWEEP_REPORT"):  # a file to write the whole finding list to, besides the failure
        with open(os.environ["PORTAL_SWEEP_REPORT"], "w", encoding="utf-8") as report:
            report.write(
                f"{summary}\nBy rule, the states:\n{grouped}\nEvery problem:\n" + "\n".join(sweep.problems) + "\n"
            )
    assert not sweep.problems, (
        f"{len(sweep.problems)} problems; {summary}\nBy rule, the states:\n{grouped}\nEvery problem:\n"
        + "\n".join(sweep.problems)
    )
