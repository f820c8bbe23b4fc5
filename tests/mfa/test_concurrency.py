"""A second-factor code works once even under concurrency: 20 sessions past the password step submit the same
TOTP code (then the same recovery code) at the same moment against the real PostgreSQL server; exactly one gets in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from activity.models import ActivityEntry
from activity.services import Actions
from tests.factories import PASSWORD, make_partner, make_user
from tests.mfa.helpers import mfa_enrol, totp_code
from tests.partnerportal.test_one_time_links import THREADS, race

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_code_verifies_one_of_twenty_concurrent_sessions(settings):
    user = make_user(make_partner(), "sales_agent")
    device, codes = mfa_enrol(user)

    def password_step(_i: int) -> Client:
        client = Client()
        assert client.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302
        return client

    seen: list[str] = []
    for code, method in ((totp_code(device), "totp"), (codes[0], "recovery_code")):
        results = race(
            lambda client, code=code: client.post(reverse("mfa:verify"), {"code": code}).status_code,
            prepare=password_step,
        )
        assert sorted(results) == [200] * (THREADS - 1) + [302], (method, sorted(results))
        assert ActivityEntry.objects.filter(action=Actions.MFA_VERIFY, details__after__method=method).count() == 1
        # The first refused replays count as wrong codes up to the limit, which locks every code (the later ones are
        # refused unchecked and unlogged); the next round starts afresh.
        failures = ActivityEntry.objects.filter(action=Actions.MFA_FAILED).count()
        assert failures == settings.PORTAL_MFA_FAILURE_LIMIT * (len(seen) + 1)
        seen.append(method)
        for model in (TOTPDevice, StaticDevice):
            model.objects.filter(user=user).update(throttling_failure_count=0)
    assert ActivityEntry.objects.filter(action=Actions.MFA_RECOVERY_CODE_USED).count() == 1
