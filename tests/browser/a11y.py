"""Accessibility and fit checks for any Playwright page of the browser tests.

`assert_accessible(page, context)` runs axe-core (npm, `node_modules/axe-core`; never served by the portal, only
injected into the page under test) with the WCAG 2.1 A/AA rules and axe's best practices, and fails on every serious
or critical violation. `assert_fits(page, context)` fails when the document is wider than the viewport or an action
button lies outside it. Each has a `*_problems` twin returning the failure lines, for a sweep that collects them all
before asserting. `context` (page URL, language, width) starts every line, so a failure says where to look.

axe reaches the page without weakening the portal's Content-Security-Policy (no inline script, so Playwright's
`add_script_tag(content=...)` would be refused, and `bypass_csp=True` would hide the CSP violations the browser tests
watch for): a sweep installs it in its context once, as an init script (`install_axe(context)`: evaluated in every new
document before the page's own scripts, not subject to the page's CSP, cheapest as measured); on a page of any other
context `accessibility_problems` evaluates the file through the DevTools protocol, which the CSP does not govern
either. Neither is ever served by the portal (node_modules/axe-core is not a static files directory).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from pathlib import Path

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")
ACTION_CONTROLS = "main a.btn, main button, main input[type=submit]"
SNIPPET = 160  # characters of a node's HTML quoted in a failure line


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        raise AssertionError(f"{AXE_PATH} is missing: run `make install` (npm ci installs axe-core)")
    return AXE_PATH.read_text(encoding="utf-8")


# The one rule needing the style sheets' text: axe fetches them first ("preload"), unless that rule is off.
CSSOM_RULE = "css-orientation-lock"

_AXE_RUN = """async ([tags, impacts, disabled]) => {
  const rules = Object.fromEntries(disabled.map(id => [id, {enabled: false}]));
  const options = {runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations'], iframes: false,
                   preload: !disabled.includes('css-orientation-lock')};
  const result = await axe.run(document, options);
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary || ''})),
  }));
}"""


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def install_axe(browser_context) -> None:
    """Every page of the context gets axe, evaluated before the page's own scripts (not subject to its CSP)."""
    browser_context.add_init_script(script=axe_source())


def accessibility_problems(page, context: str, *, disabled_rules: Collection[str] = ()) -> list[str]:
    """One line per node of every serious or critical axe violation on the page as it is now. A sweep may turn off
    rules it has already run where their outcome cannot differ (`disabled_rules`, axe rule ids)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    violations = page.evaluate(_AXE_RUN, [AXE_TAGS, list(FAILING_IMPACTS), list(disabled_rules)])
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            summary = node["summary"].replace("Fix any of the following:", "").replace("Fix all of the following:", "")
            lines.append(
                f"{context}: axe {violation['id']} ({violation['impact']}: {violation['help']}) at {node['target']}"
                f" — {_one_line(summary, 200)} — {_one_line(node['html'], SNIPPET)}"
            )
    return lines


def assert_accessible(page, context: str) -> None:
    problems = accessibility_problems(page, context)
    assert not problems, f"{len(problems)} serious/critical axe violation(s):\n" + "\n".join(problems)


# Elements sticking out of the viewport on the right (or left) that are not held inside a horizontal scroll
# container lying within the viewport; the outermost of them are reported (their descendants stick out with them).
# Action controls are stricter: one outside the viewport, or scrolled out of view inside any container, fails.
_FIT = """(selector) => {
  const vw = window.innerWidth;
  const slack = 0.5;
  const describe = el => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    const classes = [...el.classList].slice(0, 3);
    if (classes.length) name += '.' + classes.join('.');
    return name;
  };
  const path = el => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(describe(e));
      if (e.id) break;
    }
    return parts.join(' > ');
  };
  const scrollsX = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  // Rendered and visible: not display:none, not inside a closed <details> (content-visibility), not hidden.
  const shown = el => el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true});
  const heldInScroller = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (scrollsX(p)) {
        const r = p.getBoundingClientRect();
        if (r.left >= -slack && r.right <= vw + slack) return true;
      }
    }
    return false;
  };
  const memo = new Map();
  const sticksOut = el => {
    if (memo.has(el)) return memo.get(el);
    const r = el.getBoundingClientRect();
    const out = (r.width > 0 || r.height > 0) && (r.right > vw + slack || r.left < -slack) && shown(el)
      && !heldInScroller(el);
    memo.set(el, out);
    return out;
  };
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el)) continue;
    if (el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement)) continue;
    const r = el.getBoundingClientRect();
    offenders.push({where: path(el), left: Math.round(r.left), right: Math.round(r.right),
                    width: Math.round(r.width), text: (el.innerText || '').trim().slice(0, 60)});
  }
  if (!offenders.length) {
    // No box sticks out: then text overflows its box (a long unbroken word, an e-mail address in a heading).
    // Report the innermost elements whose content runs past the viewport.
    const spills = el => el.scrollWidth > el.clientWidth + slack && getComputedStyle(el).overflowX === 'visible'
      && el.getBoundingClientRect().left + el.scrollWidth > vw + slack && shown(el) && !heldInScroller(el);
    for (const el of document.body.querySelectorAll('*')) {
      if (!spills(el) || [...el.children].some(spills)) continue;
      const r = el.getBoundingClientRect();
      offenders.push({where: path(el) + ' (its text)', left: Math.round(r.left),
                      right: Math.round(r.left + el.scrollWidth), width: el.scrollWidth,
                      text: (el.innerText || '').trim().slice(0, 60)});
    }
  }
  offenders.sort((a, b) => b.right - a.right);
  const controls = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    let why = null;
    const span = box => `${Math.round(box.left)}–${Math.round(box.right)}px`;
    if (r.right > vw + slack || r.left < -slack) why = `outside the ${vw}px viewport (at ${span(r)})`;
    for (let p = el.parentElement; !why && p && p !== document.body; p = p.parentElement) {
      if (!scrollsX(p)) continue;
      const c = p.getBoundingClientRect();
      if (r.right > c.right + slack || r.left < c.left - slack)
        why = `scrolled out of view inside ${path(p)} (control at ${span(r)}, container at ${span(c)})`;
    }
    if (why) controls.push({where: path(el), text: (el.innerText || el.value || '').trim().slice(0, 40), why});
  }
  const scrollWidth = document.documentElement.scrollWidth;
  return {scrollWidth, innerWidth: vw, offenders: offenders.slice(0, 5), controls};
}"""


def fit_problems(page, context: str) -> list[str]:
    """Lines for a document wider than the viewport (with the widest offending elements) and for each action
    control outside the viewport, or hidden behind a horizontal scroll."""
    fit = page.evaluate(_FIT, ACTION_CONTROLS)
    lines = []
    if fit["scrollWidth"] > fit["innerWidth"]:
        widest = "; ".join(
            f"{o['where']} (right edge {o['right']}px, {o['width']}px wide"
            + (f", {o['text']!r})" if o["text"] else ")")
            for o in fit["offenders"]
        )
        lines.append(
            f"{context}: page is {fit['scrollWidth']}px wide in a {fit['innerWidth']}px viewport;"
            f" widest offenders: {widest or 'none found outside scroll containers'}"
        )
    for control in fit["controls"]:
        lines.append(f"{context}: action {control['where']} {control['text']!r} is {control['why']}")
    return lines


def assert_fits(page, context: str) -> None:
    problems = fit_problems(page, context)
    assert not problems, "does not fit the viewport:\n" + "\n".join(problems)


_STRUCTURE = """() => ({
  lang: document.documentElement.getAttribute('lang') || '',
  h1: [...document.querySelectorAll('h1')].map(h => (h.innerText || '').trim().slice(0, 60)),
  main: document.querySelectorAll('main, [role=main]').length,
})"""


def structure_problems(page, context: str, *, language: str) -> list[str]:
    """The page structure axe reports only as moderate (issue 15: one h1 per page): exactly one h1, one main
    landmark, and `<html lang>` naming the language the page is in."""
    found = page.evaluate(_STRUCTURE)
    lines = []
    if len(found["h1"]) != 1:
        lines.append(f"{context}: structure: {len(found['h1'])} h1 elements, expected exactly one: {found['h1']}")
    if found["main"] != 1:
        lines.append(f"{context}: structure: {found['main']} main landmarks, expected exactly one")
    if found["lang"].split("-")[0] != language:
        lines.append(f"{context}: structure: <html lang={found['lang']!r}>, expected {language!r}")
    return lines


def assert_structured(page, context: str, *, language: str) -> None:
    problems = structure_problems(page, context, language=language)
    assert not problems, "\n".join(problems)
