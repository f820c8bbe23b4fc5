"""Shared steps of the browser journeys: a person's own browser (JavaScript on or off), signing in, and reading the
mail the portal sent to the real SMTP server (`tests/smtp.py`).

Pages are driven by what a person sees — roles, labels and visible text — never by CSS classes or layout, so the
journeys keep passing when the look of the portal changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from email.header import decode_header, make_header
from email.message import Message

from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y import accessibility_problems, install_axe
from tests.factories import PASSWORD
from tests.smtp import SMTPServer, body_of, run_worker

TIMEOUT_MS = 15_000


@contextmanager
def person(browser: Browser, *, js: bool = True, locale: str = "en-US") -> Iterator[Page]:
    """A page in a browser context of its own (one person's browser, no session), with JavaScript on or off; the
    test fails if the Content-Security-Policy blocked anything the portal sent."""
    context = browser.new_context(locale=locale, java_script_enabled=js)
    violations: list[str] = []
    if js:  # axe-core runs in the page, so only where JavaScript does; the sweep covers every page state anyway
        install_axe(context)
    problems: list[str] = []
    if js:
        _ACCESSIBILITY[id(context)] = problems
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        yield page
    finally:
        _ACCESSIBILITY.pop(id(context), None)
        context.close()
    assert not violations, f"blocked by the Content-Security-Policy: {violations}"
    assert not problems, "serious or critical accessibility violations on the journey's pages:\n" + "\n".join(problems)


# Per browser context with JavaScript: the axe-core findings of the pages checked so far (`checkpoint`).
_ACCESSIBILITY: dict[int, list[str]] = {}


def checkpoint(page: Page) -> None:
    """Run axe-core on the page as it stands (JavaScript on); its serious and critical findings fail the journey
    when the person's browser closes."""
    problems = _ACCESSIBILITY.get(id(page.context))
    if problems is None:
        return  # JavaScript off: axe cannot run in the page
    page.wait_for_load_state("load")
    problems.extend(accessibility_problems(page, page.url))


def field(page: Page, label: str):
    """The form field labelled exactly `label`, whatever marks it as required ("Password *", "Password (required)")
    — for labels that begin other labels too ("Password" and "Password confirmation")."""
    # Escaped by hand: Python's re.escape also escapes spaces, which JavaScript's regular expressions refuse.
    literal = re.sub(r"([.*+?^${}()|[\]\\/])", r"\\\1", label)
    # A regular expression sees the label's text as written, surrounding white space included.
    return page.get_by_label(re.compile(rf"^\s*{literal}(\s*[*(].*)?\s*$"))


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in on the sign-in page and wait until the portal has left it."""
    page.goto(base_url + "/accounts/login/")
    field(page, "Email address").fill(email)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    checkpoint(page)


def nav(page: Page, name: str) -> None:
    """Follow an entry of the main navigation."""
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    checkpoint(page)


def row(page: Page, text: str):
    """The table rows showing `text` (a name, a domain, an email address)."""
    return page.get_by_role("row").filter(has_text=text)


def subject_of(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def mail(smtp: SMTPServer, *, to: str, subject: str) -> Message:
    """Deliver what the portal queued (the email worker, as `make run` runs it) and return the one message to `to`
    whose subject contains `subject`."""
    run_worker(smtp)
    found = [m for m in smtp.received(to=to) if subject.lower() in subject_of(m).lower()]
    subjects = [subject_of(m) for m in smtp.received(to=to)]
    assert len(found) == 1, f"one message to {to} about {subject!r}; got subjects {subjects}"
    return found[0]


def link_in(message: Message, path: str) -> str:
    """The absolute link in the message's text whose path starts with `path` (e.g. "/invite/")."""
    match = re.search(rf"https?://[^\s/]+{re.escape(path)}[A-Za-z0-9_:\-]+/", body_of(message))
    assert match, f"the email carries a {path} link"
    return match.group(0)


def code_in(message: Message) -> str:
    """The 6-digit code in a message's text."""
    match = re.search(r"\b(\d{6})\b", body_of(message))
    assert match, "the email carries a 6-digit code"
    return match.group(1)
