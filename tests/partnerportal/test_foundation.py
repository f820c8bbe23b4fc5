"""The portal shell: health check, sign-in, operators' admin, settings, demo data and partner creation."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships import catalogue
from adminrelationships.models import AccessAssignment, AdminRelationship, RoleTemplate, SecurityGroup, Status
from partnerportal.models import OutboundEmail, Partner, User
from permissions.roles import AdminRole
from relationships.models import Relationship
from tests.factories import PASSWORD
from tests.mfa.helpers import login_verified, mfa_enrol

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_200_after_a_database_round_trip(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_down(client):
    # A real failure: point the connection at a socket directory where no server listens.
    connection.close()
    saved = connection.settings_dict.copy()
    connection.settings_dict.update(HOST="/nonexistent-socket-dir", PORT="5999")
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_sign_in_with_email_in_any_case(client, world):
    user = world.users["sales_agent"]
    response = client.post(reverse("login"), {"username": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/customers/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, world):
    response = client.post(reverse("login"), {"username": world.users["sales_agent"].email, "password": "nope"})
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode()


def test_user_without_role_sees_a_page_saying_so(client_for, world):
    response = client_for(world.users["no_role"]).get("/", follow=True)
    assert "No access yet" in response.content.decode()


def test_partner_staff_never_reach_the_django_admin(client_for, world):
    response = client_for(world.users["global_admin"]).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not User.objects.filter(partner__isnull=False, is_staff=True).exists()


def test_operator_reaches_the_django_admin(client, db, django_user_model):
    """Once their session is verified with a code (tests/mfa/test_admin.py: the admin's sign-in asks for it)."""
    operator = django_user_model.objects.create_superuser(email="ops@example.org", password="Operator-Pass-2026")
    mfa_enrol(operator)
    client.force_login(operator)
    assert client.get("/admin/customers/customer/").status_code == 302
    login_verified(client, operator)
    assert client.get("/admin/customers/customer/").status_code == 200


def test_password_reset_is_queued_not_sent_in_the_request(client, world, mailoutbox):
    user = world.users["helpdesk_agent"]
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert mailoutbox == []  # nothing sent inside the request
    queued = OutboundEmail.objects.get(to=user.email)
    assert "/accounts/password/reset/" in queued.body


def test_language_switch_to_korean(client_for, world):
    client = client_for(world.users["sales_agent"])
    client.post(reverse("set_language"), {"language": "ko", "next": "/customers/"})
    body = client.get("/customers/").content.decode()
    assert 'lang="ko"' in body
    assert "고객" in body  # "Customers" in Korean


def _run_manage(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_extra)
    return subprocess.run(  # noqa: S603 -- a fixed argv: this project's own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "partnerportal.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-for-the-check-only-" + "y" * 20,
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal@127.0.0.1:1/portal",
    "PORTAL_BASE_URL": "https://portal.example.com",
}


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "PORTAL_BASE_URL"])
def test_production_settings_refuse_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run_manage("check", env_extra=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_seed_demo_is_idempotent_and_logins_work(client, db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 -- discard the printed logins
    counts = (Partner.objects.count(), User.objects.count(), Relationship.objects.count())
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (Partner.objects.count(), User.objects.count(), Relationship.objects.count()) == counts
    assert set(Partner.objects.values_list("name", "type")) == {
        ("Contoso Cloud", "direct_bill"),
        ("Fabrikam Distribution", "indirect_provider"),
        ("Northwind Traders", "indirect_reseller"),
    }
    for domain in ("contoso.example", "fabrikam.example", "northwind.example"):
        for local in ("global.admin", "admin.agent", "sales.agent", "helpdesk.agent"):
            assert client.login(username=f"{local}@{domain}", password="Portal-Demo-2026!")
    assert User.objects.get(email="global.admin@contoso.example").admin_role == AdminRole.GLOBAL_ADMIN
    # Fabrikam and Northwind share customers through the indirect chain; Contoso shares none.
    contoso = set(Relationship.objects.filter(partner__name="Contoso Cloud").values_list("customer", flat=True))
    fabrikam = set(
        Relationship.objects.filter(partner__name="Fabrikam Distribution").values_list("customer", flat=True)
    )
    northwind = set(Relationship.objects.filter(partner__name="Northwind Traders").values_list("customer", flat=True))
    assert fabrikam & northwind
    assert not contoso & (fabrikam | northwind)


def test_create_partner_makes_a_global_admin_with_a_set_password_link(db):
    out = open(os.devnull, "w")  # noqa: SIM115
    call_command(
        "create_partner",
        "--name=Adventure Works",
        "--partner-id=AW-1",
        "--type=direct_bill",
        "--market=KR",
        "--admin-email=Admin@Adventure-Works.example",
        stdout=out,
    )
    user = User.objects.get(email="admin@adventure-works.example")
    assert user.is_global_admin and user.partner.name == "Adventure Works"
    assert not user.has_usable_password()
    assert OutboundEmail.objects.filter(to=user.email).exists()


@pytest.mark.parametrize("value", ["http://portal.example.com", "portal.example.com", "https://", "https://a b"])
def test_production_settings_refuse_a_base_url_that_is_not_a_public_https_address(value):
    result = _run_manage("check", env_extra={**PRODUCTION, "PORTAL_BASE_URL": value})
    assert result.returncode != 0
    assert "PORTAL_BASE_URL" in result.stderr


def test_make_run_mails_links_to_the_port_it_serves_on():
    """`make run PORT=8101` gives everything it starts a PORTAL_BASE_URL built from HOST and PORT (a dry run)."""
    env = {k: v for k, v in os.environ.items() if k not in {"PORTAL_BASE_URL", "MAKEFLAGS"}}
    argv = ["make", "-n", "--no-print-directory", "run", "HOST=127.0.0.2", "PORT=8101"]
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603 -- this project's own Makefile
    assert result.returncode == 0, result.stderr
    assert "links start with http://127.0.0.2:8101." in result.stdout
    assert "runserver 127.0.0.2:8101" in result.stdout
    explicit = subprocess.run(  # noqa: S603 -- same
        [*argv, "PORTAL_BASE_URL=https://portal.example.com"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "links start with https://portal.example.com." in explicit.stdout


def test_seed_demo_gives_every_partner_an_admin_relationship_in_each_state_and_is_idempotent(client, db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    tables = (AdminRelationship, AccessAssignment, RoleTemplate, SecurityGroup, ActivityEntry, OutboundEmail)

    def snapshot():
        return [sorted(model.objects.values_list("pk", flat=True)) for model in tables]

    first = snapshot()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert snapshot() == first, "a second run adds no row and sends nothing"
    assert not OutboundEmail.objects.filter(topic__startswith="admin-relationship").exists(), "seeding mails nobody"
    now = timezone.now()
    for partner in Partner.objects.all():
        rows = list(AdminRelationship.objects.filter(partner=partner).with_status())
        assert {row.current_status for row in rows} == set(Status.values)
        assert all(row.status == row.current_status for row in rows), "the model and the query derive alike"
        active = [row for row in rows if row.status == Status.ACTIVE]
        assert any(timedelta(days=5) <= row.ends_at - now <= timedelta(days=20) for row in active), "expiring soon"
        assert any(row.ends_at - now > timedelta(days=20) for row in active)
        assert any(row.auto_extend for row in active)
        expired = [row for row in rows if row.status == Status.EXPIRED]
        assert any(row.approved_at and row.ends_at <= now for row in expired), "an approved one that ran out"
        for row in rows:
            assert len(row.token_hash) == 64 and row.request_email == row.customer.contact_email.lower()
            assert row.customer.relationships.filter(partner=partner).exists(), "only the partner's own customers"
        assert all(row.assignments.exists() for row in active), "every active one is assigned to a group"
        assert (
            not AccessAssignment.objects.filter(relationship__partner=partner)
            .exclude(relationship__in=[row.pk for row in active])
            .exists()
        ), "nothing is assigned in a relationship that is not active"
        for assignment in AccessAssignment.objects.filter(relationship__partner=partner):
            assert set(assignment.roles) <= set(assignment.relationship.roles)
        templates = dict(RoleTemplate.objects.filter(partner=partner).values_list("name", "roles"))
        assert {r.name for r in catalogue.roles_of(templates["Helpdesk standard"])} == {
            "Directory Readers",
            "Helpdesk Administrator",
            "Service Support Administrator",
        }
        assert {r.name for r in catalogue.roles_of(templates["Read only"])} == {"Directory Readers", "Global Reader"}
        # The default template is what Add customer and the DAP page offer first.
        assert list(RoleTemplate.objects.filter(partner=partner, is_default=True).values_list("name", flat=True)) == [
            "Helpdesk standard"
        ]
        members = {
            group.name: set(group.members.values_list("email", flat=True))
            for group in SecurityGroup.objects.filter(partner=partner)
        }
        domain = partner.email_domain
        assert members["Helpdesk"] == {f"helpdesk.agent@{domain}"}
        assert f"admin.agent@{domain}" in members["Admins"]
    # The demo helpdesk agent sees customers and roles on "My admin access", and no other partner's.
    client.login(username="helpdesk.agent@contoso.example", password="Portal-Demo-2026!")
    response = client.get(reverse("adminrelationships:my_admin_access"))
    held = response.context["held"]
    assert len(held) == 3
    assert {entry.relationship.partner.name for entry in held} == {"Contoso Cloud"}
    assert "Helpdesk Administrator" in response.content.decode()


def test_seed_demo_prints_where_to_find_the_admin_relationships(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "My admin access" in out.getvalue()


def test_seeded_admin_relationships_show_on_every_page_with_their_history(client, db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    contoso = Partner.objects.get(partner_id="CONTOSO-001")
    client.login(username="admin.agent@contoso.example", password="Portal-Demo-2026!")
    listed = client.get(reverse("adminrelationships:adminrelationship_list"))
    assert listed.status_code == 200
    body = listed.content.decode()
    for status in Status:
        assert str(status.label) in body
    soon = client.get(reverse("adminrelationships:adminrelationship_list"), {"expiring": "20"}).content.decode()
    assert "User management" in soon and "Helpdesk standard" not in soon
    for row in AdminRelationship.objects.filter(partner=contoso):
        assert client.get(row.get_absolute_url()).status_code == 200
        assert client.get(row.customer.get_absolute_url()).status_code == 200
        actions = set(
            ActivityEntry.objects.filter(details__after__admin_relationship=row.pk).values_list("action", flat=True)
        )
        assert Actions.ADMIN_RELATIONSHIP_REQUEST in actions
        assert (Actions.ADMIN_RELATIONSHIP_APPROVE in actions) == (row.approved_at is not None)
        assert (Actions.ADMIN_RELATIONSHIP_DECLINE in actions) == (row.declined_at is not None)
        assert (Actions.ADMIN_RELATIONSHIP_TERMINATE in actions) == (row.terminated_at is not None)
        if row.assignments.exists():
            assert Actions.ADMIN_RELATIONSHIP_ASSIGN in actions
    for name in ("roletemplate_list", "securitygroup_list"):
        assert client.get(reverse(f"adminrelationships:{name}")).status_code == 200
    log = client.get(reverse("activity:activity_list"), {"action": Actions.ADMIN_RELATIONSHIP_APPROVE})
    assert log.status_code == 200
