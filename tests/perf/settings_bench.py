"""Settings for the gunicorn workers the benchmark starts: the test settings, the benchmark's urlconf, the
benchmark database (DATABASE_URL, set by the benchmark) and persistent connections as in production."""

from partnerportal.settings.test import *  # noqa: F403 -- settings modules extend the base namespace by design
from partnerportal.settings.test import DATABASES

ROOT_URLCONF = "tests.perf.bench_urls"
DATABASES["default"]["CONN_MAX_AGE"] = 600
