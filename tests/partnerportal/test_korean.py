"""Korean is complete: the catalog has no untranslated or fuzzy entry, and no page in Korean shows one of the
portal's own English terms (issue 15, item 4).

The page test renders every page the access matrix (tests/access.py) lets a global admin GET, in Korean, and reads
its visible text the way a reader meets it: text nodes plus the attributes a screen reader or a tooltip speaks
(aria-label, title, placeholder, alt). Left out: `<script>`/`<style>`, code samples (`<code>`, `<pre>`), anything
marked `lang="en"` (the English language button) or `translate="no"` (identifiers such as CSV column names),
email addresses, and the names the test data itself brings in English (partner, customer and lead names).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from leads.models import Lead
from partnerportal.models import Partner
from partnerportal.views import pages
from tests.access import ROWS, Row
from tests.partnerportal.test_access import target_kwargs

pytestmark = pytest.mark.usefixtures("shared_world")
WORLD_WITH_ASSIGNED_SCOPE = True

CATALOG = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"

# The portal's own vocabulary: a Korean page showing any of these words in English missed a translation.
PORTAL_TERMS = (
    "Customer", "Customers", "Invitation", "Invitations", "Relationship", "Relationships", "Partner", "Partners",
    "Partnership", "Partnerships", "Lead", "Leads", "Subscription", "Subscriptions", "Activity", "Staff", "Export",
    "Import", "Search", "Next", "Previous", "Older", "Newer", "First", "Last", "Save", "Cancel", "Delete", "Edit",
    "Domain", "Country", "Region", "State", "Tags", "Tag", "Admin", "Helpdesk", "Sales", "Agent", "Status",
    "Active", "Suspended", "Pending", "Expired", "Ended", "Approved", "Declined", "Terminated", "Accepted",
    "Revoked", "Resend", "Revoke", "Restore", "Password", "Preferences", "Breadcrumb", "Sign", "Filter", "Apply",
    "Reset", "Submit", "Continue", "Back", "Home", "Profile", "Settings", "Security", "Role", "Roles", "Details",
    "Created", "Updated", "Sent", "Failed", "Waiting", "Yes", "Add", "New", "Remove", "Request", "Email",
    "Name", "Address", "City", "Postal", "Phone", "Reason", "Actions", "Action", "Before", "After", "Page",
    "Results", "None", "All", "Any", "Show", "Hide", "Copy", "Close", "Open", "Won", "Lost", "Received",
    "Favourite", "Favourites", "Published", "Draft", "Unpublished", "Token", "Tokens", "Webhook", "Endpoint",
    "Deliveries", "Delivery", "Purchase", "Permissions", "Reservations", "Agreement", "Group", "Groups", "Template",
    "Templates", "Expires", "Expiring", "Approval", "Assigned", "Scope", "Global",
)  # fmt: skip
# Whole words, in any case ("breadcrumb" counts as much as "Breadcrumb"); not inside a name, path or address.
TERM_PATTERN = re.compile(r"(?<![\w.@/-])(" + "|".join(PORTAL_TERMS) + r")(?![\w@-])", re.IGNORECASE)

# Proper names that stay English in the Korean product (Microsoft's role and product names, standards, brands):
# they are removed from the text before the terms are looked for.
PROPER_NAMES = (
    "Microsoft Partner Center", "Partner Center", "Microsoft Entra", "Global Administrator", "Global Reader",
    "Helpdesk Administrator", "Security Administrator", "Security Reader", "Service Support Administrator",
    "User Administrator", "License Administrator", "Privileged Role Administrator", "Application Administrator",
    "Cloud Application Administrator", "Directory Readers", "Directory Writers", "Exchange Administrator",
    "SharePoint Administrator", "Teams Administrator", "Intune Administrator", "Billing Administrator",
    "Standard Webhooks", "Azure", "Microsoft 365", "Dynamics 365", "Power Platform", "Contoso", "Fabrikam",
    "Northwind", "Adatum", "Tailspin", "Woodgrove", "Litware", "Wingtip",
)  # fmt: skip
EMAIL = re.compile(r"\S+@\S+")
SPOKEN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "template"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text a reader meets: text nodes and spoken attributes, outside skipped elements and `lang="en"`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, whether it and its content are skipped)
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = (
            self.skipping
            or tag in SKIPPED_ELEMENTS
            or (values.get("lang") or "").startswith("en")
            or values.get("translate") == "no"  # identifiers (CSV column names), marked as not to be translated
        )
        if not skip:
            self.parts.extend(str(values[name]) for name in SPOKEN_ATTRIBUTES if values.get(name))
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.parts.append(str(values["value"]))
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        # Pop to the matching tag (HTML lets some end tags be left out).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_terms(text: str, data_names: set[str]) -> list[str]:
    """The portal's English terms in `text`, after the proper names, addresses and test data's names are removed."""
    text = EMAIL.sub(" ", text)
    for name in sorted(data_names | set(PROPER_NAMES), key=len, reverse=True):
        text = text.replace(name, " ")
    found = []
    for line in text.splitlines():
        for match in TERM_PATTERN.finditer(line):
            found.append(f"{match.group(1)!r} in {line.strip()[:120]!r}")
    return found


# --- the catalog ------------------------------------------------------------------------------------------------


def test_the_korean_catalog_has_no_untranslated_or_fuzzy_entry():
    catalog = polib.pofile(str(CATALOG))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries() if not entry.obsolete]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries() if not entry.obsolete]
    assert not untranslated, f"untranslated in {CATALOG.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {CATALOG.name}: {fuzzy}"


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def test_every_korean_translation_keeps_the_placeholders_of_its_message():
    """A translation that drops or renames "%(country)s" or "{name}" would raise or show a hole at run time."""
    wrong = []
    for entry in polib.pofile(str(CATALOG)).translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        wrong += [entry.msgid for text in translations if sorted(PLACEHOLDER.findall(text)) != expected]
    assert not wrong, wrong


def test_the_english_term_finder_sees_terms_and_skips_what_it_should():
    html = (
        '<nav aria-label="Breadcrumb"><a href="/">고객</a></nav><p>Customers 1–50</p>'
        '<button lang="en">English</button><code>Customer</code><p>sales@contoso.example Global Administrator</p>'
    )
    found = english_terms(visible_text(html), set())
    assert [item.split(" in ")[0] for item in found] == ["'Breadcrumb'", "'Customers'"]


# --- pages in Korean --------------------------------------------------------------------------------------------


def _korean_page_rows() -> list[Row]:
    """Every page a global admin may GET (the API answers programs, in English JSON, and is left out)."""
    seen, rows = set(), []
    for row in ROWS:
        page = row.method == "GET" and row.ga == 200 and not row.url_name.startswith("api:")
        if page and (row.url_name, row.target) not in seen:
            seen.add((row.url_name, row.target))
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def korean_admin(shared_world, django_db_blocker) -> Client:
    client = Client(headers={"accept-language": "ko"})
    with django_db_blocker.unblock():
        client.force_login(shared_world.users["global_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    return client


def _data_names(world) -> set[str]:
    """Names the test data brings (partners, customers, users): proper names, not the portal's wording."""
    names: set[str] = set(Partner.objects.values_list("name", flat=True))
    for customer in type(world.customer_in)._default_manager.all():
        names |= {customer.company_name, customer.contact_first_name, customer.contact_last_name, customer.city}
        names |= {customer.address_line1, customer.address_line2}
    for lead in Lead.objects.all():
        names |= {lead.company_name, lead.contact_name}
    return {name for name in names if name}


@pytest.mark.parametrize("row", _korean_page_rows(), ids=lambda row: f"{row.url_name}[{row.target}]")
def test_korean_pages_show_none_of_the_portals_english_terms(world, korean_admin, row: Row):
    url = reverse(row.url_name, kwargs=target_kwargs(world, row.target))
    response = korean_admin.get(url)
    assert response.status_code == 200, url
    assert response["Content-Language"] == "ko"
    if not response["Content-Type"].startswith("text/html"):
        return  # a download (CSV export, logo image): its columns are codes and ISO 8601 times for programs
    found = english_terms(visible_text(response.content.decode()), _data_names(world))
    assert not found, f"{url} in Korean shows English:\n" + "\n".join(found)


# --- error pages (DEBUG is off in the tests, as in production) ------------------------------------------------


def test_error_pages_are_in_korean(korean_admin, world, rf):
    not_found = korean_admin.get("/no-such-page/")
    assert not_found.status_code == 404
    assert "찾을 수 없" in not_found.content.decode()
    assert not english_terms(visible_text(not_found.content.decode()), set())

    with translation.override("ko"):
        forbidden = pages.permission_denied(_signed_in(rf, world))
        error = pages.server_error(rf.get("/"))
    assert forbidden.status_code == 403 and error.status_code == 500
    assert '<html lang="ko">' in error.content.decode()
    for response in (forbidden, error):
        text = visible_text(response.content.decode())
        assert re.search(r"[\uac00-\ud7a3]", text) and not english_terms(text, set()), text


def _signed_in(rf, world):
    request = rf.get("/customers/")
    request.user = world.users["helpdesk_agent"]
    return request
