"""The benchmark gets a test database of its own, so `make bench` never collides with `make test`."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from django.conf import settings

    if not os.environ.get("TEST_DB_SUFFIX"):
        test = settings.DATABASES["default"].setdefault("TEST", {})
        test["NAME"] = test.get("NAME", "test_partnerportal") + "_bench"
