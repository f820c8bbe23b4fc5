"""Staff management: add users with a one-time set-password link, roles and scope, deactivation, the guard that
keeps one active global admin per partner."""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partnerportal.models import OutboundEmail, SetPasswordToken, User
from partnerportal.staff import services
from tests.factories import PASSWORD, make_partner, make_user

NEW_PASSWORD = "Plum-Orchard-Lantern-58"


def add_user(client, **overrides):
    data = {
        "email": "Jane.Doe@Contoso.example",
        "first_name": "Jane",
        "last_name": "Doe",
        "admin_role": "",
        "agent_role": "helpdesk_agent",
        "scope": "partner",
    }
    data.update(overrides)
    return client.post(reverse("staff:user_create"), data)


def link_in_latest_email(to: str) -> str:
    message = OutboundEmail.objects.filter(to=to).latest("id")
    match = re.search(r"https?://\S+/staff/set-password/(\S+)/", message.delivered_body())
    assert match, message.body
    return match.group(0), match.group(1)


def update_data(user, **overrides) -> dict:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "admin_role": user.admin_role,
        "agent_role": user.agent_role,
        "scope": user.scope,
    }
    data.update(overrides)
    return data


# --- list -------------------------------------------------------------------------------------------------------


def test_list_shows_only_the_partner_s_staff_with_roles_scope_and_status(world, client_for):
    make_user(world.partner_a, "helpdesk_agent", scope="assigned", email="assigned.one@contoso.example")
    html = client_for(world.users["global_admin"]).get(reverse("staff:user_list")).content.decode()
    for user in world.users.values():
        assert user.email in html
    assert world.user_b.email not in html
    row = html[html.index("assigned.one@contoso.example") :]
    row = row[: row.index("</tr>")]
    assert "Helpdesk agent" in row and "Assigned customers only" in row and "Active" in row
    html = client_for(world.users["global_admin"]).get(reverse("staff:user_list"), {"role": "global_admin"})
    html = html.content.decode()
    assert world.users["global_admin"].email in html and world.users["sales_agent"].email not in html


def test_list_query_count_is_the_same_at_1_and_50_users(db, client):
    from django.test.utils import CaptureQueriesContext

    partner = make_partner(name="Counting Partner")
    admin = make_user(partner, "global_admin")
    client.force_login(admin)
    url = reverse("staff:user_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert len(response.context["staff"]) == 1
    for n in range(49):
        make_user(partner, ["sales_agent", "helpdesk_agent", "no_role"][n % 3], scope=["partner", "assigned"][n % 2])
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(url)
    assert len(response.context["staff"]) == 50
    assert len(fifty.captured_queries) == len(one.captured_queries)


def test_nav_shows_staff_and_activity_only_to_the_roles_that_have_them(world, client_for):
    html = client_for(world.users["global_admin"]).get(reverse("customers:customer_list")).content.decode()
    assert f'href="{reverse("staff:user_list")}"' in html and f'href="{reverse("activity:activity_list")}"' in html
    html = client_for(world.users["admin_agent"]).get(reverse("customers:customer_list")).content.decode()
    assert f'href="{reverse("staff:user_list")}"' not in html and f'href="{reverse("activity:activity_list")}"' in html
    html = client_for(world.users["sales_agent"]).get(reverse("customers:customer_list")).content.decode()
    assert f'href="{reverse("staff:user_list")}"' not in html
    assert f'href="{reverse("activity:activity_list")}"' not in html


# --- add and the set-password link ------------------------------------------------------------------------------


def test_added_user_sets_a_password_through_a_one_time_link(world, client_for, client):
    response = add_user(client_for(world.users["global_admin"]))
    assert response.status_code == 302
    user = User.objects.get(email="jane.doe@contoso.example")
    assert (user.partner, user.agent_role, user.first_name) == (world.partner_a, "helpdesk_agent", "Jane")
    assert not user.has_usable_password()
    _, token = link_in_latest_email(user.email)
    # Only the hash is stored, and the link lives 72 hours.
    record = SetPasswordToken.objects.get(user=user)
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in record.token_hash
    assert record.expires_at - record.created_at == timedelta(hours=72)

    client.logout()
    url = reverse("staff:set_password", args=[token])
    # Opening the link (a mail scanner, say) changes nothing.
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    record.refresh_from_db()
    assert record.used_at is None

    response = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.login(username="jane.doe@contoso.example", password=NEW_PASSWORD)
    client.logout()

    # The link works once.
    response = client.post(url, {"new_password1": "Another-Pass-2026x", "new_password2": "Another-Pass-2026x"})
    assert "invalid, has expired or has already been used" in response.content.decode()
    assert client.get(url).content.decode().count('id="link-invalid"') == 1
    assert client.login(username="jane.doe@contoso.example", password=NEW_PASSWORD)


def test_set_password_applies_django_s_password_validators(world, client):
    user = services.staff_user_add(actor=world.users["global_admin"], email="weak@contoso.example")
    _, token = link_in_latest_email(user.email)
    url = reverse("staff:set_password", args=[token])
    for weak in ("short", "password123", "12345678901", "weak@contoso.example"):
        response = client.post(url, {"new_password1": weak, "new_password2": weak})
        assert response.status_code == 200
        assert 'class="invalid-feedback"' in response.content.decode() or "alert" in response.content.decode()
    response = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert "didn’t match" in response.content.decode() or "didn't match" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    # The refused attempts did not use the link up.
    assert client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302


def test_an_expired_link_says_so_and_sets_nothing(world, client):
    user = services.staff_user_add(actor=world.users["global_admin"], email="late@contoso.example")
    _, token = link_in_latest_email(user.email)
    SetPasswordToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    url = reverse("staff:set_password", args=[token])
    assert 'id="link-invalid"' in client.get(url).content.decode()
    response = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert 'id="link-invalid"' in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    with pytest.raises(ValidationError):
        services.set_password_token_use(token=token, password=NEW_PASSWORD)


@pytest.mark.parametrize("token", ["nonsense", "x" * 500, "%00", "..%2F"])
def test_made_up_links_are_refused_without_error(db, client, token):
    response = client.get(reverse("staff:set_password", args=[token]))
    assert response.status_code == 200
    assert 'id="link-invalid"' in response.content.decode()


def test_reset_password_sends_a_fresh_link_and_kills_the_old_one(world, client_for, client):
    target = world.users["sales_agent"]
    admin = client_for(world.users["global_admin"])
    admin.post(reverse("staff:user_reset_password", args=[target.pk]))
    _, first = link_in_latest_email(target.email)
    admin.post(reverse("staff:user_reset_password", args=[target.pk]))
    _, second = link_in_latest_email(target.email)
    assert first != second
    client.logout()
    old = client.post(
        reverse("staff:set_password", args=[first]), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert 'id="link-invalid"' in old.content.decode()
    # Until a new password is chosen the old one still works (the user may not have asked for the reset).
    assert client.login(username=target.email, password=PASSWORD)
    client.logout()
    new = client.post(
        reverse("staff:set_password", args=[second]), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert new.status_code == 302
    assert client.login(username=target.email, password=NEW_PASSWORD)
    assert not client.login(username=target.email, password=PASSWORD)


def test_a_used_link_is_refused_by_the_service_too(world):
    user = services.staff_user_add(actor=world.users["global_admin"], email="twice@contoso.example")
    _, token = link_in_latest_email(user.email)
    services.set_password_token_use(token=token, password=NEW_PASSWORD)
    with pytest.raises(ValidationError):
        services.set_password_token_use(token=token, password="Different-Pass-2026")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"admin_role": "root"}, "Select a valid choice."),
        ({"agent_role": "global_admin"}, "Select a valid choice."),
        ({"scope": "everything"}, "Select a valid choice."),
        ({"first_name": "x" * 41}, "Ensure this value has at most 40 characters"),
    ],
)
def test_bad_input_on_add_gets_a_message_and_adds_nobody(world, client_for, overrides, message):
    count = User.objects.count()
    response = add_user(client_for(world.users["global_admin"]), **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == count
    assert not OutboundEmail.objects.filter(topic__startswith="staff:").exists()


def test_an_email_already_in_use_is_refused(world, client_for):
    for email in (world.users["sales_agent"].email, world.user_b.email.upper()):
        response = add_user(client_for(world.users["global_admin"]), email=email)
        assert response.status_code == 200
        assert "A user with this email address already exists." in response.content.decode()


# --- roles, scope and the last global admin ---------------------------------------------------------------------


def test_role_change_ends_the_sessions_and_the_next_sign_in_has_the_new_role(world, client_for):
    from django.test import Client

    target = world.users["helpdesk_agent"]
    their_client = Client()
    their_client.force_login(target)
    assert their_client.get(reverse("staff:user_list")).status_code == 403
    assert their_client.get(reverse("activity:activity_list")).status_code == 403

    admin = client_for(world.users["global_admin"])
    response = admin.post(
        reverse("staff:user_update", args=[target.pk]), update_data(target, admin_role="global_admin")
    )
    assert response.status_code == 302

    # The old session is gone: the next request is sent to sign in, and the new sign-in holds the new role.
    assert their_client.get(reverse("staff:user_list"))["Location"].startswith(reverse("login"))
    their_client.force_login(target)
    assert their_client.get(reverse("staff:user_list")).status_code == 200
    assert their_client.get(reverse("activity:activity_list")).status_code == 200
    # And back: taking the role away closes the pages at once (the session ends again).
    target.refresh_from_db()
    admin.post(reverse("staff:user_update", args=[target.pk]), update_data(target, admin_role=""))
    assert their_client.get(reverse("staff:user_list"))["Location"].startswith(reverse("login"))
    their_client.force_login(target)
    assert their_client.get(reverse("staff:user_list")).status_code == 403


def test_the_last_active_global_admin_cannot_be_demoted(world, client_for):
    admin = world.users["global_admin"]
    client = client_for(admin)
    # Even with the explicit choice to leave them without a role.
    response = client.post(
        reverse("staff:user_update", args=[admin.pk]), update_data(admin, admin_role="", no_role="on")
    )
    assert response.status_code == 200
    assert "last active global admin" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_global_admin

    # With a second global admin the first may step down; then the second is the last one.
    second = make_user(world.partner_a, "global_admin")
    response = client.post(
        reverse("staff:user_update", args=[admin.pk]), update_data(admin, admin_role="", no_role="on")
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert not admin.is_global_admin
    with pytest.raises(ValidationError):
        services.staff_user_update(actor=second, user=second, admin_role="", agent_role="", scope="partner")


def test_the_last_active_global_admin_cannot_be_deactivated(world, client_for):
    admin = world.users["global_admin"]
    second = make_user(world.partner_a, "global_admin")
    # A deactivated global admin does not count.
    services.staff_user_deactivate(actor=admin, user=second)
    with pytest.raises(ValidationError, match="last active global admin"):
        services.staff_user_deactivate(actor=second, user=admin)
    response = client_for(admin).post(reverse("staff:user_deactivate", args=[admin.pk]))
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.is_active
    # Partner B's global admins do not count for A either.
    assert world.user_b.is_active


@pytest.mark.django_db(transaction=True)
def test_two_global_admins_demoting_each_other_at_once_leave_one():
    partner = make_partner(name="Race Partner")
    one, two = make_user(partner, "global_admin"), make_user(partner, "global_admin")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor, target):
        try:
            barrier.wait(timeout=5)
            services.staff_user_update(actor=actor, user=target, admin_role="", agent_role="", scope="partner")
            outcomes.append("demoted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=pair) for pair in ((one, two), (two, one))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert User.objects.filter(partner=partner, admin_role="global_admin", is_active=True).count() == 1


def test_a_user_cannot_deactivate_themselves(world, client_for):
    admin = world.users["global_admin"]
    make_user(world.partner_a, "global_admin")
    with pytest.raises(ValidationError, match="your own account"):
        services.staff_user_deactivate(actor=admin, user=admin)


def test_bad_input_on_edit_changes_nothing(world, client_for):
    target = world.users["sales_agent"]
    client = client_for(world.users["global_admin"])
    for data in (
        update_data(target, agent_role="root"),
        update_data(target, scope=""),
        update_data(target, scope="assigned", customers=["not-a-uuid"]),
        update_data(target, scope="assigned", customers=[str(world.customer_out.pk)]),
    ):
        response = client.post(reverse("staff:user_update", args=[target.pk]), data)
        assert response.status_code == 200, data
    target.refresh_from_db()
    assert (target.agent_role, target.scope) == ("sales_agent", "partner")
    assert not target.assignments.exists()


# --- deactivation -----------------------------------------------------------------------------------------------


def test_deactivation_ends_sessions_and_blocks_sign_in(world, client_for):
    from django.test import Client

    target = world.users["sales_agent"]
    their_client = Client()
    assert their_client.login(username=target.email, password=PASSWORD)
    assert their_client.get(reverse("customers:customer_list")).status_code == 200

    admin = client_for(world.users["global_admin"])
    response = admin.post(reverse("staff:user_deactivate", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert "Deactivated" in admin.get(reverse("staff:user_list")).content.decode()

    # The open session is over: the next request is sent to the sign-in page.
    response = their_client.get(reverse("customers:customer_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # And signing in again fails.
    response = their_client.post(reverse("login"), {"username": target.email, "password": PASSWORD})
    assert response.status_code == 200
    assert not their_client.login(username=target.email, password=PASSWORD)
    # A password link cannot be sent to (or used by) a deactivated user.
    response = admin.post(reverse("staff:user_reset_password", args=[target.pk]), follow=True)
    assert "Reactivate them before sending" in response.content.decode()

    admin.post(reverse("staff:user_reactivate", args=[target.pk]))
    assert their_client.login(username=target.email, password=PASSWORD)
    assert their_client.get(reverse("customers:customer_list")).status_code == 200


def test_users_of_another_partner_are_not_found(world, client_for):
    client = client_for(world.users["global_admin"])
    for name in ("staff:user_deactivate", "staff:user_reactivate", "staff:user_reset_password"):
        assert client.post(reverse(name, args=[world.user_b.pk])).status_code == 404
    assert client.get(reverse("staff:user_update", args=[world.user_b.pk])).status_code == 404
    world.user_b.refresh_from_db()
    assert world.user_b.is_active


def test_create_partner_command_emails_a_working_set_password_link(db, client):
    from django.core.management import call_command

    call_command(
        "create_partner",
        name="Adatum",
        partner_id="P-ADATUM",
        type="direct_bill",
        market="us",
        admin_email="owner@adatum.example",
        stdout=open("/dev/null", "w"),  # noqa: SIM115 -- the command's chatter is not under test
    )
    _, token = link_in_latest_email("owner@adatum.example")
    response = client.post(
        reverse("staff:set_password", args=[token]), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.login(username="owner@adatum.example", password=NEW_PASSWORD)
