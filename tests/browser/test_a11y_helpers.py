"""The sweep's own checks (tests/browser/a11y.py) on small pages written here: each catches what it must, and passes
what it must pass (a table scrolling inside a card that fits; a button in a closed <details>)."""

from __future__ import annotations

import pytest

from tests.browser.a11y import (
    accessibility_problems,
    assert_accessible,
    assert_fits,
    fit_problems,
    install_axe,
    structure_problems,
)

pytestmark = [pytest.mark.browser]

PAGE = '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Title</h1>{}</main></body></html>'


@pytest.fixture
def narrow(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def test_a_page_that_fits_passes_both_checks(narrow):
    narrow.set_content(PAGE.format('<p>Short text.</p><a class="btn" href="/next">Next</a>'))
    assert_fits(narrow, "fits")
    assert_accessible(narrow, "fits")  # axe is evaluated into the page on first use
    assert structure_problems(narrow, "fits", language="en") == []


def test_a_wide_element_fails_with_the_sizes_and_the_element(narrow):
    narrow.set_content(PAGE.format('<div id="wide" style="width: 600px">Wide</div>'))
    (problem,) = fit_problems(narrow, "wide")
    assert problem.startswith("wide: page is ")
    assert "390px viewport" in problem
    assert "div#wide (right edge" in problem
    assert "600px wide" in problem


def test_a_table_scrolling_inside_a_fitting_container_fits_but_a_button_scrolled_away_does_not(narrow):
    table = '<table style="width: {}px"><tr><td>Name</td><td>{}</td></tr></table>'
    scroller = '<div id="scroller" style="overflow-x: auto; width: 200px">{}</div>'
    narrow.set_content(PAGE.format(scroller.format(table.format(900, "text only"))))
    assert fit_problems(narrow, "scroll") == []
    # Within the viewport, but not within the container's visible part: strict, it is out of view.
    narrow.set_content(PAGE.format(scroller.format(table.format(360, '<button type="button">Revoke</button>'))))
    (problem,) = fit_problems(narrow, "scroll")
    assert "'Revoke' is scrolled out of view inside div#scroller" in problem


def test_a_button_outside_the_viewport_fails_and_a_hidden_one_does_not(narrow):
    narrow.set_content(
        PAGE.format(
            '<div style="position: relative"><button style="position: absolute; left: 420px">Away</button></div>'
            '<details><summary>More</summary><button style="margin-left: 500px">Hidden</button></details>'
        )
    )
    problems = fit_problems(narrow, "buttons")
    assert any("'Away' is outside the 390px viewport" in p for p in problems), problems
    assert not any("Hidden" in p for p in problems), problems


def test_axe_reports_rule_impact_target_and_html(narrow):
    install_axe(narrow.context)  # the sweep's way: on every new document of the context
    narrow.goto("about:blank")
    narrow.set_content(PAGE.format('<input type="text" id="nameless">'))
    problems = accessibility_problems(narrow, "[en 390] form")
    assert any(p.startswith("[en 390] form: axe label (critical") and "#nameless" in p for p in problems), problems
    with pytest.raises(AssertionError, match="serious/critical axe violation"):
        assert_accessible(narrow, "form")


def test_structure_wants_one_h1_one_main_and_the_language(narrow):
    narrow.set_content(PAGE.format("<h1>Second</h1>").replace('lang="en"', 'lang="ko"'))
    problems = structure_problems(narrow, "page", language="en")
    assert any("2 h1 elements" in p for p in problems), problems
    assert any("<html lang='ko'>, expected 'en'" in p for p in problems), problems
