"""Demo data signs in without a second factor (no demo user is enrolled) and says so; the deployment setting is on
in production and off on a developer's machine; the MFA entries read well in the activity log."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_partner, make_user
from tests.mfa.helpers import login_verified, mfa_enrol
from tests.security.test_headers import DEPLOY_ENV


def _setting_in(module: str, name: str, extra_env: dict | None = None):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "PORTAL_"))}
    env.update(DEPLOY_ENV if module.endswith("production") else {})
    env.update(extra_env or {}, DJANGO_SETTINGS_MODULE=module)
    result = subprocess.run(  # noqa: S603 -- this interpreter running manage.py
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            f"from django.conf import settings; print(settings.{name})",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_requires_mfa_and_a_developer_machine_does_not():
    assert _setting_in("partnerportal.settings.production", "PORTAL_REQUIRE_MFA") == "True"
    assert _setting_in("partnerportal.settings.local", "PORTAL_REQUIRE_MFA") == "False"


@pytest.mark.django_db
def test_seed_demo_prints_the_logins_and_how_mfa_works_for_the_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "global.admin@contoso.example" in text and "Portal-Demo-2026!" in text
    assert "Multi-factor sign-in is off for the demo" in text and "Security settings" in text
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_mfa_entries_read_as_labels_in_the_activity_log(client):
    admin = make_user(make_partner(), "global_admin")
    mfa_enrol(admin)
    login_verified(client, admin)
    html = client.get(reverse("activity:activity_list")).content.decode()
    assert "Set up multi-factor sign-in" in html
    assert "Replaced an earlier authenticator" in html
