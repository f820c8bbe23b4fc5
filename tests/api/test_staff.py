"""Staff users through the API (global admins): the list and its role filter, adding one (a set-password link by
email, never a password), changing roles and scope (If-Match), deactivating, reactivating, a password link."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from activity.models import ActivityEntry
from activity.services import Actions
from api.models import ApiToken
from partnerportal.models import OutboundEmail, User
from partnerportal.staff.services import EMAIL_TAKEN, LAST_GLOBAL_ADMIN
from tests.api.helpers import ApiClient, token_for
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("shared_world")

LIST = reverse("api:staff_list")
NEW = {"email": "Jane.Doe@Contoso.example", "first_name": "Jane", "agent_role": "helpdesk_agent"}


def _admin(world) -> ApiClient:
    return ApiClient(token_for(world.users["global_admin"]))


def _detail(pk: int) -> str:
    return reverse("api:staff_detail", args=[pk])


def test_adding_a_user_emails_a_set_password_link_and_a_replay_adds_nobody(world):
    api = _admin(world)
    response = api.post(LIST, NEW, headers={"Idempotency-Key": "add-jane"})
    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(email="jane.doe@contoso.example")
    assert response["Location"] == _detail(user.pk) and response["ETag"]
    assert (body["id"], body["status"], body["scope"], body["customers"]) == (
        user.pk,
        "invitation_pending",
        "partner",
        [],
    )
    assert not user.has_usable_password() and "password" not in body
    email = OutboundEmail.objects.get(to=user.email)
    assert "/staff/set-password/" in email.body and email.secret, "the one-time link goes by email only"
    assert email.secret not in response.content.decode() and "set-password" not in response.content.decode()

    again = api.post(LIST, NEW, headers={"Idempotency-Key": "add-jane"})
    assert again.status_code == 201 and again.json() == body and again["Idempotent-Replayed"] == "true"
    other = api.post(LIST, {**NEW, "first_name": "Janet"}, headers={"Idempotency-Key": "add-jane"})
    assert other.status_code == 422
    assert User.objects.filter(email__iexact=NEW["email"]).count() == 1
    assert ActivityEntry.objects.filter(action=Actions.STAFF_CREATE).count() == 1


def test_a_password_is_never_accepted(world):
    response = _admin(world).post(LIST, {**NEW, "password": "Secret-Passw0rd!"})
    assert response.status_code == 400 and "password" in response.json()["errors"]
    assert not User.objects.filter(email__iexact=NEW["email"]).exists()


def test_field_errors_are_the_forms_and_services_messages_in_korean(world):
    api = ApiClient(token_for(world.users["global_admin"]), **{"Accept-Language": "ko"})
    bad = api.post(LIST, {"email": "not-an-email", "scope": "everything"})
    assert bad.status_code == 422, bad.content
    errors = bad.json()["errors"]
    with translation.override("ko"):
        assert errors["email"] == [str(translation.gettext("Enter a valid email address."))]
    assert "scope" in errors
    taken = api.post(LIST, {"email": world.users["sales_agent"].email})
    with translation.override("ko"):
        assert taken.json()["errors"]["email"] == [str(EMAIL_TAKEN)]
    assert taken.json()["errors"]["email"][0] != "A user with this email address already exists."


def test_patch_needs_the_current_etag_and_follows_the_pages_rules(world):
    api = _admin(world)
    agent = make_user(world.partner_a, "helpdesk_agent")
    url = _detail(agent.pk)
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"agent_role": "sales_agent"}).status_code == 428
    changed = api.patch(url, {"agent_role": "sales_agent", "customers": []}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.content
    assert changed.json()["agent_role"] == "sales_agent" and changed["ETag"] != etag
    assert User.objects.get(pk=agent.pk).agent_role == "sales_agent"
    stale = api.patch(url, {"first_name": "Again"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and User.objects.get(pk=agent.pk).first_name != "Again"
    # Assigned customers: only those the partner holds a relationship with (the page's choices).
    assigned = api.patch(
        url,
        {"scope": "assigned", "customers": [str(world.customer_in.pk)]},
        headers={"If-Match": changed["ETag"]},
    )
    assert assigned.status_code == 200 and assigned.json()["customers"] == [str(world.customer_in.pk)]
    foreign = api.patch(url, {"customers": [str(world.customer_out.pk)]}, headers={"If-Match": "*"})
    assert foreign.status_code == 422 and "customers" in foreign.json()["errors"]
    assert api.patch(url, {"customers": "all"}, headers={"If-Match": "*"}).status_code == 400


def test_the_last_global_admin_keeps_the_role_and_cannot_deactivate_themselves(world):
    admin = world.users["global_admin"]
    api = ApiClient(token_for(admin), **{"Accept-Language": "ko"})
    demoted = api.patch(_detail(admin.pk), {"admin_role": ""}, headers={"If-Match": "*"})
    assert demoted.status_code == 422, demoted.content
    with translation.override("ko"):
        assert demoted.json()["errors"]["admin_role"] == [str(LAST_GLOBAL_ADMIN)]
    itself = api.post(reverse("api:staff_deactivate", args=[admin.pk]))
    assert itself.status_code == 422 and User.objects.get(pk=admin.pk).is_active


def test_a_deactivated_users_token_stops_working_and_reactivation_restores_the_account(world):
    api = _admin(world)
    agent = make_user(world.partner_a, "sales_agent")
    theirs = ApiClient(token_for(agent))
    assert theirs.get(reverse("api:customer_list")).status_code == 200
    browser = Client()
    browser.force_login(agent)
    assert browser.get(reverse("customers:customer_list")).status_code == 200
    off = api.post(reverse("api:staff_deactivate", args=[agent.pk]), headers={"Idempotency-Key": "off-1"})
    assert off.status_code == 200 and off.json()["status"] == "deactivated"
    assert theirs.get(reverse("api:customer_list")).status_code == 401
    assert browser.get(reverse("customers:customer_list"))["Location"].startswith(reverse("login"))
    replay = api.post(reverse("api:staff_deactivate", args=[agent.pk]), headers={"Idempotency-Key": "off-1"})
    assert replay.json() == off.json() and replay["Idempotent-Replayed"] == "true"
    assert ActivityEntry.objects.filter(action=Actions.STAFF_DEACTIVATE).count() == 1
    # A password link for a deactivated user is refused, as on the page.
    assert api.post(reverse("api:staff_password_reset", args=[agent.pk])).status_code == 422
    on = api.post(reverse("api:staff_reactivate", args=[agent.pk]))
    assert on.status_code == 200 and on.json()["status"] == "active"
    # The old token died with the deactivation: reactivating brings the account back, not its credentials.
    assert theirs.get(reverse("api:customer_list")).status_code == 401
    assert ApiToken.objects.filter(user=agent, revoked_at__isnull=True).count() == 0


def test_a_password_link_is_emailed_and_never_shown(world):
    agent = make_user(world.partner_a, "helpdesk_agent")
    response = _admin(world).post(reverse("api:staff_password_reset", args=[agent.pk]))
    assert response.status_code == 200 and response.json()["id"] == agent.pk
    email = OutboundEmail.objects.get(to=agent.email)
    assert "/staff/set-password/" in email.body and email.secret not in response.content.decode()


def test_the_list_filters_by_role_shows_only_the_partners_staff_in_keyset_pages(world):
    api = _admin(world)
    emails = [row["email"] for row in api.get(LIST, {"limit": 200}).json()["results"]]
    assert world.users["sales_agent"].email in emails and world.user_b.email not in emails
    sales = api.get(LIST, {"role": "sales_agent"}).json()["results"]
    assert {row["agent_role"] for row in sales} == {"sales_agent"}
    first = api.get(LIST, {"limit": 2}).json()
    second = api.get(LIST, {"limit": 2, "cursor": first["next"]}).json()
    assert [r["email"] for r in first["results"] + second["results"]] == emails[:4]
    assert api.get(LIST, {"role": "nonsense"}).status_code == 400
    assert api.get(_detail(world.user_b.pk)).status_code == 404


def _queries(api: ApiClient) -> int:
    api.get(LIST)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(LIST, {"limit": 200}).status_code == 200
    return len([q for q in ctx.captured_queries if not q["sql"].startswith(('UPDATE "api_apitoken"', "DELETE"))])


def test_the_list_costs_the_same_queries_with_a_few_users_or_thirty(world):
    api = _admin(world)
    few = _queries(api)
    for _ in range(25):
        user = make_user(world.partner_a, "helpdesk_agent", scope="assigned")
        user.assignments.create(customer=world.customer_in)
    assert len(api.get(LIST, {"limit": 200}).json()["results"]) > 25
    assert _queries(api) == few
