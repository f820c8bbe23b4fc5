"""Where one page's server time goes: middleware, view, SQL and template rendering, request by request.

    .venv/bin/python -m tests.perf.breakdown [--user EMAIL] [--repeat N] [--interleave] URL [URL ...]

Runs against the development database (`DATABASE_URL`, or the embedded server under var/; seed it with
`manage.py seed_demo --customers 100000` first) through the benchmark's urlconf, so the floor's URLs
(`/bench/floor/…`) can be compared with the portal's. Each URL gets 10 warm-up requests, then `--repeat` timed
ones; the figures are medians of the per-request split:

- *view*: the view function, from dispatch to the response it returns (forms, ORM, its SQL; the user is
  usually loaded before, by the login-required middleware);
- *render*: rendering the template response after the view has returned (the template's own SQL included);
- *other*: everything else, mostly the middleware (session and user lookups, CSRF, messages, locale);
- *SQL*: time inside `cursor.execute()` over the whole request, whichever phase ran it;
- *CPU*: this process's own CPU time for the request (`time.process_time()`): the Python work alone, without the
  database server's and without the time the process waited for a core, so it stays comparable on a busy machine.

`--interleave` takes the URLs in turns (one request each per round) instead of one URL after the other, so a change
in the machine's load during the run weighs on every URL alike. The settings are the benchmark's
(`tests.perf.settings_bench`: DEBUG off as in production, the cached template loader, persistent connections) unless
`DJANGO_SETTINGS_MODULE` names others; the development settings' DEBUG records every query and keeps the
templates' debug information, which production never pays for.
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
    parser.add_argument("--interleave", action="store_true", help="one request per URL per round")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.perf.settings_bench")
    import django

    django.setup()
    from django.db.backends.utils import CursorWrapper
    from django.template.response import SimpleTemplateResponse
    from django.test import Client, override_settings

    from partnerportal.models import User

    client = Client()
    client.force_login(User.objects.get(email=args.user))
    bucket: dict = defaultdict(float)
    print(f"{'URL':60} {'total':>7} {'view':>7} {'render':>7} {'other':>7} {'SQL':>7} {'CPU':>7}  ms (medians)")
    samples: dict = {url: defaultdict(list) for url in args.urls}

    def measure(url: str) -> None:
        bucket.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(url)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        view, render = bucket["view"], bucket["render"]
        for key, value in (
            ("total", total),
            ("view", view),
            ("render", render),
            ("other", total - view - render),
            ("sql", bucket["execute"]),
            ("cpu", cpu),
        ):
            samples[url][key].append(value * 1000)

    def report(url: str) -> None:
        medians = {key: statistics.median(values) for key, values in samples[url].items()}
        print(
            f"{url[:60]:60} {medians['total']:7.2f} {medians['view']:7.2f} {medians['render']:7.2f} "
            f"{medians['other']:7.2f} {medians['sql']:7.2f} {medians['cpu']:7.2f}"
        )

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
        if args.interleave:
            for _ in range(args.repeat):
                for url in args.urls:
                    measure(url)
            for url in args.urls:
                report(url)
        else:
            for url in args.urls:
                for _ in range(args.repeat):
                    measure(url)
                report(url)


if __name__ == "__main__":
    main()
