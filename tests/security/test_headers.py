"""Security headers: a strict CSP everywhere (so no inline script or style may exist), Permissions-Policy, no-store
on signed-in pages and exports, and the production settings passing `check --deploy`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests.access import CONFIRMATION_PAGES, PUBLIC_ROUTES, ROWS
from tests.api.helpers import ApiClient, token_for
from tests.partnerportal.test_access import ROLE_COLUMNS, target_kwargs

# The access matrix has an assigned-scope column: this module's world holds that user and their customers.
WORLD_WITH_ASSIGNED_SCOPE = True

INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "event-handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE),
}


def inline_code(html: str) -> list[str]:
    return [f"{name}: {match.group(0)[:120]}" for name, rx in INLINE.items() for match in rx.finditer(html)]


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_csp_header_is_strict(world, client_for):
    for client, url in ((client_for(None), reverse("login")), (client_for(world.users["global_admin"]), "/")):
        policy = csp(client.get(url, follow=True))
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert not [source for sources in policy.values() for source in sources if "unsafe" in source]


def test_permissions_policy_switches_off_unused_features(client):
    response = client.get(reverse("login"))
    features = dict(item.strip().split("=") for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_no_template_holds_inline_script_or_style():
    found = {}
    for path in sorted((settings.BASE_DIR / "templates").rglob("*.html")):
        hits = inline_code(path.read_text())
        if hits:
            found[str(path.relative_to(settings.BASE_DIR))] = hits
    assert not found


def _pages():
    """Every GET row of the access matrix with a role that reaches the page (200).

    The confirmation pages of destructive actions are scanned by tests/partnerportal/test_confirmations.py, each in
    its own world: their targets (an active subscription, a pending invitation) would block other targets of the
    one world this test builds (ending the relationship, a second invitation to the same address)."""
    seen = set()
    for row in ROWS:
        if row.method != "GET" or (row.url_name, row.target) in seen or row.url_name in CONFIRMATION_PAGES:
            continue
        for column, role in ROLE_COLUMNS.items():
            if getattr(row, column) == 200:
                seen.add((row.url_name, row.target))
                yield row, column, role
                break


def test_no_rendered_page_holds_inline_script_or_style(world, client_for):
    """Every page the access matrix reaches, rendered as a role that may see it: CSP present, nothing inline."""
    checked = problems = 0
    found = {}
    for row, column, role in _pages():
        user = world.users[role] if role else None
        client = client_for(user)
        if row.url_name.startswith("api:") and row.url_name not in PUBLIC_ROUTES:
            client = ApiClient(token_for(user))  # the API takes bearer tokens, never the session
        url = reverse(row.url_name, kwargs=target_kwargs(world, row.target))
        response = client.get(url)
        # (A few rows need state their own module sets up; their error page is scanned instead.)
        assert response.status_code in (200, 404), f"GET {url} as {column}"
        assert "Content-Security-Policy" in response, url
        if response.streaming or not response["Content-Type"].startswith("text/html"):
            continue
        checked += 1
        hits = inline_code(response.content.decode())
        if hits:
            problems += 1
            found[url] = hits
    assert checked >= 20
    assert not found, f"{problems} pages with inline code: {found}"


def test_signed_in_pages_and_exports_are_not_stored(world, client_for):
    client = client_for(world.users["global_admin"])
    for name in (
        "customers:customer_list",
        "activity:activity_list",
        "customers:customer_export",
        "activity:activity_export",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], name
    response = client.get(reverse("customers:customer_detail", kwargs={"pk": world.customer_in.pk}))
    assert "no-store" in response["Cache-Control"]


def test_exports_are_not_stored_even_when_a_view_asks_for_caching(rf, world):
    from django.http import HttpResponse

    from partnerportal.infrastructure.headers import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("a,b\n", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="x.csv"'
        response["Cache-Control"] = "public, max-age=3600"
        return response

    request = rf.get("/")
    response = SecurityHeadersMiddleware(view)(request)
    assert response["Cache-Control"] == "no-store"


DEPLOY_ENV = {
    # The environment README.md documents for production.
    "DJANGO_SETTINGS_MODULE": "partnerportal.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgresql://portal:secret@db.example.com:5432/partnerportal",
    "PORTAL_BASE_URL": "https://portal.example.com",
    "EMAIL_HOST": "smtp.example.com",
}


def test_check_deploy_is_clean_with_the_production_settings():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DEPLOY_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "setting", ["SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"]
)
def test_production_keeps_hsts_and_secure_cookies(setting):
    value = _production_setting(setting)
    assert value is True or (isinstance(value, int) and value >= 60 * 60 * 24 * 365)


def _production_setting(name: str):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DEPLOY_ENV)
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run(  # noqa: S603 -- this interpreter running manage.py
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return eval(result.stdout.strip().splitlines()[-1])  # noqa: S307 -- repr of a setting printed just above


@pytest.mark.django_db
def test_production_redirects_pages_to_https_but_not_the_probes(client):
    """A balancer's health check and the Prometheus scraper talk plain HTTP to gunicorn; every page goes to HTTPS."""
    exempt = _production_setting("SECURE_REDIRECT_EXEMPT")
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code in (200, 503)
        page = client.get("/customers/")
        assert page.status_code == 301
        assert page["Location"].startswith("https://")
        assert client.get("/healthzz").status_code == 301
