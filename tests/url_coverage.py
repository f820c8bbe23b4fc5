"""URL coverage (as in Zulip's test runner): the suite fails when a named route never answered with success.

Every request Django handles during the run — test client, live server, browser tests — goes through
`BaseHandler.get_response`; we record the resolved route name of each 2xx or 3xx response (a redirect to the login
page with `?next=` does not count: that is the refusal of an anonymous user, not the page working). The last test
of the session, `test_every_named_route_answered_with_success_somewhere`, then checks that every named route of the
URLconf is in that set. It only judges a whole run: when tests are selected (`-k`, `-m`, a path or node id other
than the default `tests`), or some test was deselected, it is skipped, since a subset cannot cover everything.

With pytest-xdist (`make test` runs two workers) no worker sees every request: each worker hands its routes to the
controller when it finishes (`workeroutput`), and the controller judges the union once all have finished, failing
the run (exit status 1, the missing routes printed) when a named route never succeeded; the test itself is then
skipped in the worker that runs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SUCCEEDED: set[str] = set()
CHECK_NAME = "test_every_named_route_answered_with_success_somewhere"
_state = {"whole_run": False, "deselected": False}


def _record(request, response) -> None:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.view_name or response.status_code >= 400:
        return
    if 300 <= response.status_code < 400:
        from django.conf import settings
        from django.shortcuts import resolve_url

        location = response.get("Location", "")
        if location.startswith(resolve_url(settings.LOGIN_URL)) and "next=" in location:
            return
    SUCCEEDED.add(match.view_name)


def pytest_configure(config):
    from django.core.handlers.base import BaseHandler

    if getattr(BaseHandler.get_response, "_records_url_coverage", False):
        return
    original = BaseHandler.get_response

    def get_response(self, request):
        response = original(self, request)
        _record(request, response)
        return response

    get_response._records_url_coverage = True
    BaseHandler.get_response = get_response


def _selects_everything(config) -> bool:
    if config.option.keyword or config.option.markexpr:
        return False
    default = [Path(config.rootpath, p).resolve() for p in config.getini("testpaths")]
    given = [Path(config.invocation_params.dir, a).resolve() for a in config.invocation_params.args if a[:1] != "-"]
    # Arguments that are option values (e.g. `-p name`) are not paths; only real paths select tests.
    paths = [p for p in given if p.exists()]
    return not paths or sorted(paths) == sorted(default)


def pytest_collection_modifyitems(session, config, items):
    """Run the coverage check last, and note whether this run is the whole suite."""
    checks = [item for item in items if item.name == CHECK_NAME]
    for item in checks:
        items.remove(item)
        items.append(item)
    _state["whole_run"] = _selects_everything(config) and bool(checks)


def pytest_deselected(items):
    _state["deselected"] = True


def whole_run() -> bool:
    return _state["whole_run"] and not _state["deselected"]


def _worker(config) -> bool:
    return hasattr(config, "workerinput")


@pytest.fixture
def succeeded_routes(request) -> set[str]:
    """The route names that answered 2xx/3xx so far in this run; skips the test unless the whole suite runs."""
    if _worker(request.config):
        pytest.skip("with several workers the controller judges URL coverage over all of them, at the end")
    if not whole_run():
        pytest.skip("URL coverage is judged on a whole run of the suite only")
    return set(SUCCEEDED)


# --- pytest-xdist: workers report, the controller judges ----------------------------------------------------------

_merged: dict = {"routes": set(), "workers": 0, "whole": True}


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _worker(config):
        config.workeroutput["url_coverage"] = {"routes": sorted(SUCCEEDED), "whole": whole_run()}
        return
    if not _merged["workers"] or not _merged["whole"] or exitstatus not in (0, 1):
        return
    from tests.partnerportal.test_access import _named_routes

    never = sorted(_named_routes() - _merged["routes"])
    if never:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        message = f"URL coverage: named routes that never answered with success in the whole test run: {never}"
        if reporter is not None:
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    report = getattr(node, "workeroutput", {}).get("url_coverage")
    if report is None or error:
        _merged["whole"] = False
        return
    _merged["workers"] += 1
    _merged["routes"].update(report["routes"])
    # A worker whose collection was not the whole suite (a -k, a path) makes the whole run partial.
    _merged["whole"] = _merged["whole"] and report["whole"]
