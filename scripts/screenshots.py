"""`make screenshots`: the portal's main pages and components as PNGs in docs/screenshots/ (docs/ui.md).

Runs the portal on a free port against the development database (migrated, demo data seeded: both idempotent),
signs in as demo users in headless Chromium and writes `<page>.<en|ko>.png` for each main page, plus one cropped
shot per design-system component (`component-<name>.png`). Run with the virtualenv's Python from the repository root.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Portal-Demo-2026!"  # noqa: S105 -- the demo data's documented password
ADMIN = "global.admin@contoso.example"
VIEWPORT = {"width": 1280, "height": 800}

# (file name, path, user): the main pages, each in English and Korean.
PAGES = [
    ("customer-list", "/customers/", ADMIN),
    ("customer-page", None, ADMIN),  # the first customer of the list
    ("add-customer", "/customers/new/", ADMIN),
    ("invitations", "/relationships/invitations/", ADMIN),
    ("lookup", "/customers/lookup/?q=contoso", "helpdesk.agent@contoso.example"),
    ("activity-log", "/activity/", ADMIN),
    ("staff", "/staff/", ADMIN),
    ("leads", "/leads/", ADMIN),
    ("admin-relationships", "/admin-relationships/", ADMIN),
    ("business-profile", "/profile/", ADMIN),
    ("find-a-partner", "/find-a-partner/", None),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603 -- our manage.py


def wait_for(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the portal stopped before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 -- our own server on 127.0.0.1
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the portal did not answer at {url}")


def sign_in(page, base: str, email: str | None) -> None:
    page.context.clear_cookies()
    if email is None:
        return
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def set_language(page, code: str) -> None:
    page.click(f"button[name=language][value={code}]")
    page.wait_for_load_state("domcontentloaded")


def shoot_pages(page, base: str) -> None:
    customer_path = None
    current_user = object()
    for code in ("en", "ko"):
        for name, path, user in PAGES:
            if user != current_user:
                sign_in(page, base, user)
                current_user = user
                page.goto(base + "/find-a-partner/")
                set_language(page, code)
            if path is None:
                if customer_path is None:
                    page.goto(base + "/customers/")
                    customer_path = page.locator("#customer-table tbody a").first.get_attribute("href")
                path = customer_path
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"{name}.{code}.png"))
        current_user = object()  # sign in again for the next language


def shoot_components(page, base: str) -> None:
    """One cropped shot per component, in English, as docs/ui.md shows them."""
    sign_in(page, base, ADMIN)
    page.goto(base + "/find-a-partner/")
    set_language(page, "en")
    page.goto(base + "/customers/")
    page.locator(".portal-sidebar").screenshot(path=str(OUT / "component-sidebar.png"))
    page.locator(".portal-topbar").screenshot(path=str(OUT / "component-topbar.png"))
    page.locator("#customer-filter").screenshot(path=str(OUT / "component-filter-bar.png"))
    page.locator(".page-header").first.screenshot(path=str(OUT / "component-buttons.png"))
    table = page.locator("#customer-table")
    table.locator("tbody tr").nth(4).scroll_into_view_if_needed()
    clip = table.bounding_box()
    page.screenshot(
        path=str(OUT / "component-table.png"),
        clip={"x": clip["x"], "y": clip["y"], "width": clip["width"], "height": min(clip["height"], 260)},
    )
    page.goto(base + "/customers/?q=zzzz-no-such-customer")
    page.locator("#customer-table .empty-state").screenshot(path=str(OUT / "component-empty-state.png"))
    page.goto(base + "/customers/new/")
    page.click("#customer-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    page.locator("#error-summary").screenshot(path=str(OUT / "component-error-summary.png"))
    page.locator("#customer-form fieldset").nth(1).screenshot(path=str(OUT / "component-required-fields.png"))
    page.goto(base + "/customers/")
    first = page.locator("#customer-table tbody a").first.get_attribute("href")
    page.goto(base + first + "tags/")
    page.locator("#main form button[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")
    if page.locator("#messages").count():
        page.locator("#messages").screenshot(path=str(OUT / "component-messages.png"))
    page.goto(base + "/customers/")
    page.keyboard.press("Tab")
    page.locator(".skip-link").screenshot(path=str(OUT / "component-skip-link.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/relationships/invitations/")
    page.screenshot(path=str(OUT / "component-small-screen.png"))


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "partnerportal.settings.local"),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env.setdefault("PORTAL_BASE_URL", base)
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("seed_demo", env=env)
    server = subprocess.Popen(  # noqa: S603 -- our own manage.py
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(base + "/healthz", server)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
            )
            context = browser.new_context(viewport=VIEWPORT, locale="en-US")
            page = context.new_page()
            page.set_default_timeout(30_000)
            only = set(sys.argv[1:])
            if not only or "pages" in only:
                shoot_pages(page, base)
            if not only or "components" in only:
                shoot_components(page, base)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    sizes = sorted((p.stat().st_size, p.name) for p in OUT.glob("*.png"))
    total = sum(size for size, _ in sizes)
    print(f"{len(sizes)} screenshots in {OUT.relative_to(ROOT)}, {total / 1024:.0f} KB in all")


if __name__ == "__main__":
    main()
