"""The design system's page rules (docs/ui.md), checked on every HTML page the access matrix reaches.

Each page: a skip link ("Skip to main content") as its first focusable element, pointing at `<main id="main">`, and
exactly one `<h1>`. Forms: an error summary linking each invalid field, and a marker on every required field.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.access import GET, ROWS, Row
from tests.partnerportal.test_access import ROLE_COLUMNS, target_kwargs

pytestmark = pytest.mark.usefixtures("shared_world")
WORLD_WITH_ASSIGNED_SCOPE = True

# The first element a keyboard reaches: a link, button, input, select, textarea or anything with a tabindex >= 0.
FOCUSABLE = re.compile(
    r"<(a\s[^>]*href|button|input(?![^>]*type=\"hidden\")|select|textarea|[a-z]+\s[^>]*tabindex=\"0\")"
)


def _page_cases():
    """(row, column) for each GET row and the first column that gets the page (200), API routes aside."""
    for row in ROWS:
        if row.method != GET or row.url_name.startswith(("api:", "admin:")):
            continue
        column = next((c for c in ROLE_COLUMNS if getattr(row, c) == 200), None)
        if column is not None:
            yield pytest.param(row, column, id=f"{row.url_name}[{row.target}]-{column}")


@pytest.mark.parametrize(("row", "column"), list(_page_cases()))
def test_every_page_has_a_skip_link_first_and_exactly_one_h1(world, browsers, row: Row, column: str):
    response = browsers[column].get(reverse(row.url_name, kwargs=target_kwargs(world, row.target)))
    assert response.status_code == 200
    if not response.get("Content-Type", "").startswith("text/html"):
        return  # a file, a logo or JSON: no page
    html = response.content.decode()
    body = html[html.index("<body") :]
    first = FOCUSABLE.search(body, pos=body.index(">") + 1)
    assert first is not None
    assert body[first.start() :].startswith('<a class="skip-link" href="#main">'), "the skip link comes first"
    assert 'id="main"' in body and "<main " in body
    assert len(re.findall(r"<h1[\s>]", html)) == 1, f"{row.url_name}: one h1 per page"


def test_a_failed_add_customer_shows_an_error_summary_linking_each_invalid_field(world, client_for):
    client = client_for(world.users["global_admin"])
    response = client.post(reverse("customers:customer_create"), {"country": "US"})
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert 'tabindex="-1"' in html[html.rindex("<div", 0, html.index('id="error-summary"')) :][:200]
    assert "There is a problem" in summary
    form = response.context["form"]
    assert form.errors
    for name in form.errors:
        if name == "__all__":
            continue
        assert f'href="#{form[name].id_for_label}"' in summary, f"the summary links to {name}"
    # US addresses need a state and a postal code: both are required, so both are in the summary.
    assert 'href="#id_state"' in summary
    assert 'href="#id_postal_code"' in summary


def _label_of(html: str, field_id: str) -> str:
    match = re.search(rf'<label[^>]*for="{field_id}"[^>]*>(.*?)</label>', html, re.S)
    assert match, f"no label for {field_id}"
    return match.group(1)


def _input_of(html: str, field_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', html)
    assert match, f"no input {field_id}"
    return match.group(0)


def test_required_fields_are_marked_and_optional_ones_are_not(world, client_for):
    client = client_for(world.users["global_admin"])
    html = client.get(reverse("customers:customer_create")).content.decode()
    for field_id in ("id_company_name", "id_address_line1", "id_city", "id_contact_email"):
        assert 'class="asteriskField"' in _label_of(html, field_id), field_id
        assert " required" in _input_of(html, field_id), field_id
    for field_id in ("id_address_line2", "id_contact_phone"):
        assert "asteriskField" not in _label_of(html, field_id), field_id
        assert " required" not in _input_of(html, field_id), field_id


def test_state_and_postal_code_are_marked_required_when_the_chosen_country_needs_them(world, client_for):
    client = client_for(world.users["global_admin"])
    url = reverse("customers:customer_create")
    us = client.post(url, {"country": "US"}).content.decode()
    for field_id in ("id_state", "id_postal_code"):
        assert 'class="asteriskField"' in _label_of(us, field_id), field_id
        assert " required" in _input_of(us, field_id), field_id
    # Hong Kong has neither states nor postal codes: neither is marked.
    hk = client.post(url, {"country": "HK"}).content.decode()
    for field_id in ("id_state", "id_postal_code"):
        assert "asteriskField" not in _label_of(hk, field_id), field_id
