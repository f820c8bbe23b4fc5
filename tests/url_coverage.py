"""URL coverage (as in Zulip's test runner): the suite fails when a named route never answered with success.

Every request Django handles during the run — test client, live server, browser tests — goes through
`BaseHandler.get_response`; we record the resolved route name of each 2xx or 3xx response (a redirect to the login
page with `?next=` does not count: that is the refusal of an anonymous user, not the page working). The last test
of the session, `test_every_named_route_answered_with_success_somewhere`, then checks that every named route of the
URLconf is in that set. It only judges a whole run: when tests are selected (`-k`, `-m`, a path or node id other
than the default `tests`), or some test was deselected, it is skipped, since a subset cannot cover everything.
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


@pytest.fixture
def succeeded_routes() -> set[str]:
    """The route names that answered 2xx/3xx so far in this run; skips the test unless the whole suite runs."""
    if not whole_run():
        pytest.skip("URL coverage is judged on a whole run of the suite only")
    return set(SUCCEEDED)
