"""When MFA is required (the partner's setting or the deployment's), a user without an authenticator is sent to
set one up after the password step and reaches nothing else until it is confirmed; then the session is verified.
Only global admins change the partner setting, and the change is logged."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from activity.models import ActivityEntry
from activity.services import Actions
from partnerportal.models import Partner
from tests.factories import PASSWORD, make_partner, make_user
from tests.mfa.helpers import totp_code


def password_step(user) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def _enrol_through_the_pages(client: Client) -> None:
    assert client.post(reverse("mfa:setup")).status_code == 302
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("mfa:confirm"), {"code": totp_code(device)})
    assert response.status_code == 200 and len(re.findall(r"<li>[a-z0-9-]{19}</li>", response.content.decode())) == 10


def _forced_to_enrol(client: Client) -> None:
    for name in ("home", "customers:customer_list", "staff:user_list", "password_change", "mfa:recovery_codes"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa:overview")), name
    assert client.post(reverse("customers:customer_create"), {}).status_code == 302
    assert client.get(reverse("customers:customer_list"), headers={"Accept": "application/json"}).status_code == 403
    page = client.get(reverse("mfa:overview")).content.decode()
    assert 'id="mfa-must-enrol"' in page


@pytest.mark.django_db
def test_the_partner_setting_forces_enrolment_after_the_password_step():
    partner = make_partner()
    user = make_user(partner, "sales_agent")
    other_partner_user = make_user(make_partner(), "sales_agent")
    Partner.objects.filter(pk=partner.pk).update(require_mfa=True)

    client = password_step(user)
    _forced_to_enrol(client)
    _enrol_through_the_pages(client)
    assert client.get(reverse("customers:customer_list")).status_code == 200
    # Staff of a partner that does not require it are not asked.
    assert password_step(other_partner_user).get(reverse("customers:customer_list")).status_code == 200


@pytest.mark.django_db
def test_the_deployment_setting_forces_enrolment(settings):
    settings.PORTAL_REQUIRE_MFA = True
    user = make_user(make_partner(), "helpdesk_agent")
    client = password_step(user)
    _forced_to_enrol(client)
    _enrol_through_the_pages(client)
    assert client.get(reverse("customers:customer_list")).status_code == 200
    # The next sign-in asks for a code.
    again = password_step(user)
    assert again.get(reverse("customers:customer_list"))["Location"].startswith(reverse("mfa:verify"))


@pytest.mark.django_db
def test_without_a_requirement_the_password_is_enough():
    user = make_user(make_partner(), "sales_agent")
    assert password_step(user).get(reverse("customers:customer_list")).status_code == 200


@pytest.mark.django_db
def test_a_global_admin_turns_the_requirement_on_and_it_is_logged(client):
    partner = make_partner()
    admin = make_user(partner, "global_admin")
    client.force_login(admin)
    page = client.get(reverse("staff:partner_security"))
    assert page.status_code == 200 and 'name="require_mfa"' in page.content.decode()
    response = client.post(reverse("staff:partner_security"), {"require_mfa": "on"})
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.require_mfa is True
    entry = ActivityEntry.objects.get(action=Actions.MFA_REQUIREMENT_CHANGE)
    assert entry.actor == admin and entry.partner == partner
    assert entry.details == {"before": {"require_mfa": False}, "after": {"require_mfa": True}}
    # Saving the same value again changes nothing and logs nothing.
    client.post(reverse("staff:partner_security"), {"require_mfa": "on"})
    assert ActivityEntry.objects.filter(action=Actions.MFA_REQUIREMENT_CHANGE).count() == 1
    client.post(reverse("staff:partner_security"), {})
    partner.refresh_from_db()
    assert partner.require_mfa is False


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin_agent", "sales_agent", "helpdesk_agent", "no_role"])
def test_other_roles_cannot_read_or_change_the_setting_but_reach_their_own_mfa_page(client, role):
    partner = make_partner()
    client.force_login(make_user(partner, role))
    assert client.get(reverse("staff:partner_security")).status_code == 403
    assert client.post(reverse("staff:partner_security"), {"require_mfa": "on"}).status_code == 403
    partner.refresh_from_db()
    assert partner.require_mfa is False
    assert client.get(reverse("mfa:overview")).status_code == 200
