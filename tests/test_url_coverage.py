"""Zulip's URL coverage check: every named route answered with success somewhere in the whole run."""

from __future__ import annotations

from tests.partnerportal.test_access import _named_routes


def test_every_named_route_answered_with_success_somewhere(succeeded_routes):
    """Across the whole run, every named route (but the Django admin's, outside the matrix) answered 2xx or 3xx
    at least once. Runs last (tests/url_coverage.py moves it there), and only when the whole suite ran."""
    never = sorted(_named_routes() - succeeded_routes)
    assert not never, f"named routes that never answered with success in the whole test run: {never}"
