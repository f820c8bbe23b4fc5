"""Where one page's server time goes: middleware, view, SQL and template rendering, request by request.

    .venv/bin/python -m tests.perf.breakdown [--user EMAIL] [--repeat N] URL [URL ...]

Runs against the development database (`DATABASE_URL`, or the embedded server under var/; seed it with
`manage.py seed_demo --customers 100000` first) through the benchmark's urlconf, so the floor's URLs
(`/bench/floor/…`) can be compared with the portal's. Each URL gets 10 warm-up requests, then `--repeat` timed
ones; the figures are medians of the per-request split:

- *view*: the view function, from dispatch to the response it returns (forms, ORM, its SQL; the user is
  usually loaded before, by the login-required middleware);
- *render*: rendering the template response after the view has returned (the template's own SQL included);
- *other*: everything else, mostly the middleware (session and user lookups, CSRF, messages, locale);
- *SQL*: time inside `cursor.execute()` over the whole request, whichever phase ran it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import defaultdict
from contextlib import contextmanager


def _timing(func, bucket: dict, key: str):
    """func, adding the wall time of each call to bucket[key]."""

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            bucket[key] += time.perf_counter() - started

    return wrapper


@contextmanager
def _timed(owner, name: str, bucket: dict):
    original = getattr(owner, name)
    setattr(owner, name, _timing(original, bucket, name))
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextmanager
def _timed_views(bucket: dict):
    """Time each resolved view callable (the handler passes every view through make_view_atomic)."""
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.make_view_atomic
    BaseHandler.make_view_atomic = lambda self, view: _timing(original(self, view), bucket, "view")
    try:
        yield
    finally:
        BaseHandler.make_view_atomic = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--user", default="sales.agent@contoso.example")
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerportal.settings.local")
    import django

    django.setup()
    from django.db.backends.utils import CursorWrapper
    from django.template.response import SimpleTemplateResponse
    from django.test import Client, override_settings

    from partnerportal.models import User

    client = Client()
    client.force_login(User.objects.get(email=args.user))
    bucket: dict = defaultdict(float)
    print(f"{'URL':60} {'total':>7} {'view':>7} {'render':>7} {'other':>7} {'SQL':>7}  ms (medians)")
    with (
        override_settings(ROOT_URLCONF="tests.perf.bench_urls", ALLOWED_HOSTS=["testserver"]),
        _timed(CursorWrapper, "execute", bucket),
        _timed(SimpleTemplateResponse, "render", bucket),
        _timed_views(bucket),
    ):
        for url in args.urls:
            for _ in range(10):
                response = client.get(url)
                assert response.status_code == 200, f"{url} answered {response.status_code}"
            samples = defaultdict(list)
            for _ in range(args.repeat):
                bucket.clear()
                started = time.perf_counter()
                client.get(url)
                total = time.perf_counter() - started
                render = bucket["render"]
                view = bucket["view"]
                for key, value in (
                    ("total", total),
                    ("view", view),
                    ("render", render),
                    ("other", total - view - render),
                    ("sql", bucket["execute"]),
                ):
                    samples[key].append(value * 1000)
            medians = {key: statistics.median(values) for key, values in samples.items()}
            print(
                f"{url[:60]:60} {medians['total']:7.2f} {medians['view']:7.2f} {medians['render']:7.2f} "
                f"{medians['other']:7.2f} {medians['sql']:7.2f}"
            )


if __name__ == "__main__":
    main()
