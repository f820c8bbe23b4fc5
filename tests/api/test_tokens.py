"""Personal API tokens: shown once, stored hashed, revoked by their owner or a global admin, stopped by expiry and
by deactivation; the last use stamped at most once a minute; creating one needs a fresh re-authentication."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from api.models import ApiToken
from api.services import api_token_authenticate, api_token_create, api_token_revoke
from partnerportal.infrastructure.tokens import token_hash
from partnerportal.mfa.state import REAUTH_AT
from partnerportal.staff.services import staff_user_deactivate
from tests.api.helpers import ApiClient
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("shared_world")
LIST = "/api/v1/customers/"
PAGE = "/accounts/api-tokens/"


def test_the_token_is_shown_once_and_only_its_digest_is_stored(world, client_for):
    client = client_for(world.users["sales_agent"])
    response = client.post(PAGE, {"name": "CRM sync", "expires_days": ""})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(user=world.users["sales_agent"])
    raw = html.split('<code class="user-select-all fs-6">', 1)[1].split("</code>", 1)[0]
    assert raw.startswith("ppt_") and token.token_hash == token_hash(raw)
    assert raw not in repr(list(ApiToken.objects.values_list()))
    assert not ActivityEntry.objects.filter(details__icontains=raw).exists()
    assert ApiClient(raw).get(LIST).status_code == 200
    # The list afterwards shows the prefix, never the token.
    again = client.get(PAGE).content.decode()
    assert token.prefix in again and raw not in again
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]


def test_creating_a_token_needs_a_fresh_reauthentication(world, client_for):
    client = client_for(world.users["helpdesk_agent"])
    session = client.session
    session[REAUTH_AT] = int(time.time()) - settings.PORTAL_REAUTH_SECONDS - 1
    session.save()
    response = client.post(PAGE, {"name": "Script"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa:reauth"))
    assert not ApiToken.objects.filter(user=world.users["helpdesk_agent"]).exists()


def test_revoked_expired_or_deactivated_tokens_authenticate_nothing(world):
    admin = world.users["global_admin"]
    agent = make_user(world.partner_a, "sales_agent")
    revoked = api_token_create(actor=agent, name="revoked")
    expiring = api_token_create(actor=agent, name="expiring", expires_days=1)
    kept = api_token_create(actor=agent, name="kept")
    assert ApiClient(revoked.raw).get(LIST).status_code == 200
    api_token_revoke(actor=agent, token=revoked.token)
    assert ApiClient(revoked.raw).get(LIST).status_code == 401
    assert api_token_authenticate(raw=expiring.raw, address=None, now=timezone.now() + timedelta(days=2)) is None
    staff_user_deactivate(actor=admin, user=agent)
    response = ApiClient(kept.raw).get(LIST)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_a_global_admin_revokes_any_token_of_the_partner_and_no_one_elses(world, client_for):
    issued = api_token_create(actor=world.users["sales_agent"], name="CRM sync")
    page = client_for(world.users["global_admin"]).get("/staff/api-tokens/").content.decode()
    assert "CRM sync" in page and world.users["sales_agent"].email in page
    other = api_token_create(actor=world.user_b, name="B's sync")
    assert "B&#x27;s sync" not in page and "B's sync" not in page
    url = reverse("apitokens:token_revoke", args=[issued.token.pk])
    assert client_for(world.users["admin_agent"]).post(url).status_code == 404
    assert client_for(world.users["global_admin"]).post(url).status_code == 302
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    entry = ActivityEntry.objects.get(action="api_token.revoke")
    assert entry.actor_id == world.users["global_admin"].pk
    b_url = reverse("apitokens:token_revoke", args=[other.token.pk])
    assert client_for(world.users["global_admin"]).post(b_url).status_code == 404


def test_last_use_is_stamped_at_most_once_a_minute(world):
    issued = api_token_create(actor=world.users["helpdesk_agent"], name="poller")
    now = timezone.now()
    api_token_authenticate(raw=issued.raw, address="192.0.2.1", now=now)
    api_token_authenticate(raw=issued.raw, address="192.0.2.2", now=now + timedelta(seconds=30))
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert (token.last_used_at, token.last_used_from) == (now, "192.0.2.1")
    later = now + timedelta(seconds=61)
    api_token_authenticate(raw=issued.raw, address="192.0.2.3", now=later)
    token.refresh_from_db()
    assert (token.last_used_at, token.last_used_from) == (later, "192.0.2.3")


def test_the_rate_limit_answers_429_with_retry_after(world, settings):
    settings.PORTAL_API_REQUESTS_PER_MINUTE = 3
    api = ApiClient(api_token_create(actor=world.users["helpdesk_agent"], name="busy").raw)
    statuses = [api.get(LIST).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get(LIST)
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token of the same user has its own budget.
    other = ApiClient(api_token_create(actor=world.users["helpdesk_agent"], name="other").raw)
    assert other.get(LIST).status_code == 200


def test_the_command_prints_the_token_once(world):
    out, err = StringIO(), StringIO()
    call_command(
        "api_token",
        "create",
        "--email",
        world.users["admin_agent"].email,
        "--name",
        "ops",
        "--expires-days",
        "7",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(token_hash=token_hash(raw))
    assert token.user == world.users["admin_agent"] and token.expires_at is not None
    assert raw not in err.getvalue()
    assert ApiClient(raw).get(LIST).status_code == 200
    with pytest.raises(CommandError):
        call_command("api_token", "create", "--email", "nobody@example.net", "--name", "x", stdout=out)
    with pytest.raises(CommandError):
        call_command("api_token", "create", "--email", world.users["no_role"].email, "--name", "x", stdout=out)


def test_mfa_requirement_does_not_apply_to_tokens(world, settings):
    settings.PORTAL_REQUIRE_MFA = True
    api = ApiClient(api_token_create(actor=world.users["sales_agent"], name="automation").raw)
    assert api.get(LIST).status_code == 200
