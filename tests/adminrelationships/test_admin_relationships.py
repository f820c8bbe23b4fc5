"""Admin relationships: request by an admin agent, the customer's approval page behind the emailed link, decline,
termination, the derived status and the rules of the model."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships import catalogue
from adminrelationships.models import AdminRelationship, RoleTemplate, Status
from adminrelationships.services import admin_relationship_terminate, role_template_create
from partnerportal.models import OutboundEmail
from tests.adminrelationships.helpers import (
    DIRECTORY_READERS,
    GLOBAL_ADMIN,
    HELPDESK_ADMIN,
    TOKEN,
    request_for,
    token_of,
)
from tests.factories import make_customer, make_user
from tests.smtp import body_of, run_worker


def approve_url(token: str) -> str:
    return reverse("adminrelationships:adminrelationship_approve", kwargs={"token": token})


def test_the_catalogue_holds_the_requested_roles_with_their_public_ids():
    names = {role.name for role in catalogue.ROLES}
    assert len(catalogue.ROLES) >= 17
    for name in (
        "Directory Readers",
        "Global Reader",
        "Helpdesk Administrator",
        "User Administrator",
        "License Administrator",
        "Service Support Administrator",
        "Exchange Administrator",
        "SharePoint Administrator",
        "Teams Administrator",
        "Intune Administrator",
        "Security Reader",
        "Security Administrator",
        "Cloud Device Administrator",
        "Application Administrator",
        "Privileged Role Administrator",
        "Billing Administrator",
        "Global Administrator",
    ):
        assert name in names
    assert catalogue.BY_ID[GLOBAL_ADMIN].name == "Global Administrator"
    assert catalogue.BY_ID[DIRECTORY_READERS].name == "Directory Readers"
    assert catalogue.BY_ID[HELPDESK_ADMIN].name == "Helpdesk Administrator"
    assert len(set(catalogue.TEMPLATE_IDS)) == len(catalogue.ROLES)
    levels = [role.privilege for role in catalogue.ROLES_BY_PRIVILEGE]
    assert levels == sorted(levels), "least-privileged first"
    assert catalogue.BY_ID[GLOBAL_ADMIN].highly_privileged


def test_request_travels_through_a_real_smtp_server_and_the_customer_approves(
    transactional_db, world, client_for, smtp
):
    agent = world.users["admin_agent"]
    customer = world.customer_in
    client = client_for(agent)
    response = client.post(
        reverse("adminrelationships:adminrelationship_create") + f"?customer_id={customer.pk}",
        {"name": "Helpdesk standard", "duration_days": "30", "roles": [DIRECTORY_READERS, HELPDESK_ADMIN]},
    )
    relationship = AdminRelationship.objects.get()
    assert response.status_code == 302 and response["Location"] == relationship.get_absolute_url()
    assert relationship.status == Status.APPROVAL_PENDING
    page = client.get(relationship.get_absolute_url()).content.decode()
    assert "/admin-approval/" not in page, "staff never see the approval link"
    assert not smtp.received(), "nothing is sent inside the request"

    run_worker(smtp)
    [message] = smtp.received(to=customer.contact_email)
    body = body_of(message)
    assert "Helpdesk Administrator" in body and "Directory Readers" in body
    token = TOKEN.search(body).group(1)
    stored = OutboundEmail.objects.get(topic=f"admin-relationship:{relationship.pk}")
    assert token not in stored.body and not stored.secret, "no usable link is stored after delivery"

    anonymous = Client()
    opened = anonymous.get(approve_url(token))
    assert opened.status_code == 200
    assert "Helpdesk Administrator" in opened.content.decode()
    relationship.refresh_from_db()
    assert relationship.status == Status.APPROVAL_PENDING, "opening the link changes nothing"

    before = timezone.now()
    approved = anonymous.post(approve_url(token), {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    assert approved.status_code == 200
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE
    assert relationship.approved_name == "Ana Kim"
    assert before <= relationship.starts_at <= timezone.now()
    assert relationship.ends_at == relationship.starts_at + timedelta(days=30)
    # The link works once: a second answer changes nothing.
    again = anonymous.post(approve_url(token), {"decision": "decline"})
    assert again.status_code == 410
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE and relationship.declined_at is None

    run_worker(smtp)
    assert any("approved" in m["Subject"] for m in smtp.received(to=customer.contact_email))
    assert any("approved" in m["Subject"] for m in smtp.received(to=agent.email))
    actions = list(ActivityEntry.objects.filter(customer_id=customer.pk).values_list("action", flat=True))
    assert Actions.ADMIN_RELATIONSHIP_REQUEST in actions and Actions.ADMIN_RELATIONSHIP_APPROVE in actions


def test_approval_needs_a_name_and_the_confirmation(world):
    relationship = request_for(world.customer_in, world.users["admin_agent"])
    response = Client().post(approve_url(token_of(relationship)), {"decision": "approve", "name": " "})
    assert response.status_code == 200
    relationship.refresh_from_db()
    assert relationship.status == Status.APPROVAL_PENDING


def test_the_customer_declines(world):
    relationship = request_for(world.customer_in, world.users["admin_agent"])
    token = token_of(relationship)
    response = Client().post(approve_url(token), {"decision": "decline"})
    assert response.status_code == 200
    relationship.refresh_from_db()
    assert relationship.status == Status.DECLINED and relationship.approved_at is None
    assert Client().post(approve_url(token), {"decision": "approve", "name": "X", "confirm": "on"}).status_code == 410
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_DECLINE).count() == 1
    subjects = list(OutboundEmail.objects.filter(topic__startswith="admin-relationship-declined").values_list("to"))
    assert len(subjects) == 2, "both sides are told"


def test_an_unknown_link_answers_404(db):
    assert Client().get(approve_url("not-a-real-token")).status_code == 404


def test_an_unanswered_request_reads_as_expired_after_90_days_with_no_job(world):
    relationship = request_for(world.customer_in, world.users["admin_agent"])
    token = token_of(relationship)
    AdminRelationship.objects.filter(pk=relationship.pk).update(
        requested_at=timezone.now() - timedelta(days=90, seconds=1)
    )
    relationship.refresh_from_db()
    assert relationship.status == Status.EXPIRED
    assert AdminRelationship.objects.with_status().get(pk=relationship.pk).current_status == Status.EXPIRED
    response = Client().post(approve_url(token), {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    assert response.status_code == 410
    relationship.refresh_from_db()
    assert relationship.approved_at is None


def test_an_active_relationship_reads_as_expired_the_moment_it_ends(world):
    relationship = request_for(world.customer_in, world.users["admin_agent"])
    Client().post(approve_url(token_of(relationship)), {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE
    end = relationship.ends_at
    assert relationship.status_at(end - timedelta(seconds=1)) == Status.ACTIVE
    assert relationship.status_at(end) == Status.EXPIRED
    assert AdminRelationship.objects.with_status(end).get(pk=relationship.pk).current_status == Status.EXPIRED


def test_auto_extend_is_refused_with_global_administrator(world):
    with pytest.raises(ValidationError) as caught:
        request_for(
            world.customer_in, world.users["admin_agent"], roles=[DIRECTORY_READERS, GLOBAL_ADMIN], auto_extend=True
        )
    assert "auto_extend" in caught.value.message_dict
    assert not AdminRelationship.objects.exists()
    # The database refuses it too, whatever writes the row.
    relationship = request_for(world.customer_in, world.users["admin_agent"], roles=[GLOBAL_ADMIN])
    with pytest.raises(IntegrityError), transaction.atomic():
        AdminRelationship.objects.filter(pk=relationship.pk).update(auto_extend=True)
    # Without Global Administrator it may auto extend.
    assert request_for(world.customer_in, world.users["admin_agent"], name="Extends", auto_extend=True).auto_extend


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("Helpdesk standard", True),
        ("a", True),
        ("x" * 50, True),
        ("x" * 51, False),
        ("Tier_2-support 01", True),
        ("", False),
        ("Support <b>", False),
        ("Support.team", False),
        ("지원팀", False),
    ],
)
def test_display_name_rules(world, name, ok):
    if ok:
        assert request_for(world.customer_in, world.users["admin_agent"], name=name).name == name
    else:
        with pytest.raises(ValidationError) as caught:
            request_for(world.customer_in, world.users["admin_agent"], name=name)
        assert "name" in caught.value.message_dict
        assert not AdminRelationship.objects.exists()


def test_the_display_name_is_unique_per_partner_whatever_the_case(world):
    request_for(world.customer_in, world.users["admin_agent"], name="Helpdesk")
    with pytest.raises(ValidationError) as caught:
        request_for(make_customer(world.partner_a), world.users["admin_agent"], name="HELPDESK")
    assert "name" in caught.value.message_dict
    # Another partner may use the same name.
    agent_b = _agent_of_b(world)
    assert request_for(world.customer_out, agent_b, name="Helpdesk").partner_id == world.partner_b.pk


def _agent_of_b(world):
    return make_user(world.partner_b, "admin_agent")


def test_duration_bounds(world):
    for days in (0, 731):
        with pytest.raises(ValidationError) as caught:
            request_for(world.customer_in, world.users["admin_agent"], name=f"D{days}", duration_days=days)
        assert "duration_days" in caught.value.message_dict
    assert request_for(world.customer_in, world.users["admin_agent"], name="Max", duration_days=730)


def test_the_form_shows_errors_beside_the_fields_and_writes_nothing(world, client_for):
    client = client_for(world.users["admin_agent"])
    url = reverse("adminrelationships:adminrelationship_create") + f"?customer_id={world.customer_in.pk}"
    response = client.post(
        url, {"name": "Bad name!", "duration_days": "10", "roles": [GLOBAL_ADMIN], "auto_extend": "on"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors and "auto_extend" in form.errors
    assert not AdminRelationship.objects.exists() and not OutboundEmail.objects.exists()


def test_a_request_from_a_template_takes_its_roles(world):
    agent = world.users["admin_agent"]
    template = role_template_create(
        actor=agent, name="Helpdesk standard", roles=[HELPDESK_ADMIN, DIRECTORY_READERS, catalogue.ROLES[3].template_id]
    )
    relationship = request_for(world.customer_in, agent, roles=[], template=template)
    assert set(relationship.roles) == set(template.roles)
    assert [r.privilege for r in relationship.role_list] == sorted(r.privilege for r in relationship.role_list)
    other = RoleTemplate.objects.create(partner=world.partner_b, name="B's", roles=[DIRECTORY_READERS])
    with pytest.raises(ValidationError) as caught:
        request_for(world.customer_in, agent, name="Other", roles=[], template=other)
    assert "template" in caught.value.message_dict


@pytest.mark.parametrize("role", ["global_admin", "sales_agent", "helpdesk_agent"])
def test_only_admin_agents_request(world, role):
    with pytest.raises(PermissionDenied):
        request_for(world.customer_in, world.users[role])


def test_another_partners_customer_is_refused_by_the_service(world):
    with pytest.raises(PermissionDenied):
        request_for(world.customer_out, world.users["admin_agent"])


def test_terminate_ends_it_for_both_sides_and_the_link_dies(world, client_for):
    agent = world.users["admin_agent"]
    relationship = request_for(world.customer_in, agent)
    token = token_of(relationship)
    Client().post(approve_url(token), {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    client = client_for(agent)
    url = reverse("adminrelationships:adminrelationship_terminate", kwargs={"pk": relationship.pk})
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "", "confirm": "on"})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    response = client.post(url, {"reason": "Contract ended", "confirm": "on"})
    assert response.status_code == 302
    relationship.refresh_from_db()
    assert relationship.status == Status.TERMINATED
    assert relationship.terminated_by_id == agent.pk and relationship.termination_reason == "Contract ended"
    assert OutboundEmail.objects.filter(topic=f"admin-relationship-terminated:{relationship.pk}").count() == 2
    with pytest.raises(ValidationError):
        admin_relationship_terminate(actor=agent, relationship=relationship, reason="Again")
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_TERMINATE).count() == 1


def test_withdrawing_a_pending_request_kills_its_link_and_its_unsent_email(world):
    agent = world.users["admin_agent"]
    relationship = request_for(world.customer_in, agent)
    token = token_of(relationship)
    admin_relationship_terminate(actor=agent, relationship=relationship, reason="Wrong roles")
    assert not OutboundEmail.objects.filter(topic=f"admin-relationship:{relationship.pk}").exists()
    response = Client().post(approve_url(token), {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    assert response.status_code == 410
    relationship.refresh_from_db()
    assert relationship.approved_at is None and relationship.status == Status.TERMINATED


def test_a_contact_at_the_partners_own_domain_is_refused(world):
    customer = world.customer_in
    type(customer).objects.filter(pk=customer.pk).update(contact_email=f"it@{world.partner_a.email_domain}")
    customer.refresh_from_db()
    with pytest.raises(ValidationError):
        request_for(customer, world.users["admin_agent"])
    assert not AdminRelationship.objects.exists()


def test_the_customer_page_shows_the_panel_with_days_left(world, client_for):
    relationship = request_for(world.customer_in, world.users["admin_agent"], duration_days=30)
    Client().post(approve_url(token_of(relationship)), {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    for role in ("global_admin", "admin_agent", "sales_agent", "helpdesk_agent"):
        html = client_for(world.users[role]).get(world.customer_in.get_absolute_url()).content.decode()
        assert 'id="admin-relationships"' in html and "Helpdesk standard" in html
        assert ("request-admin-relationship" in html) == (role == "admin_agent")
        assert ">29<" in html or ">30<" in html, "days left"


def test_the_customer_ends_an_active_relationship_from_the_link(world):
    agent = world.users["admin_agent"]
    relationship = request_for(world.customer_in, agent)
    token = token_of(relationship)
    client = Client()
    client.post(approve_url(token), {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    page = client.get(approve_url(token))
    assert page.status_code == 200 and 'id="end-form"' in page.content.decode()
    refused = client.post(approve_url(token), {"decision": "end", "reason": ""})
    assert refused.status_code == 200
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE
    ended = client.post(approve_url(token), {"decision": "end", "reason": "We changed provider"})
    assert ended.status_code == 200
    relationship.refresh_from_db()
    assert relationship.status == Status.TERMINATED and relationship.terminated_by_customer
    assert relationship.terminated_by_id is None and relationship.termination_reason == "We changed provider"
    entry = ActivityEntry.objects.get(action=Actions.ADMIN_RELATIONSHIP_TERMINATE)
    assert entry.actor_id is None
    emails = OutboundEmail.objects.filter(topic=f"admin-relationship-terminated:{relationship.pk}")
    assert sorted(emails.values_list("to", flat=True)) == sorted([relationship.request_email, agent.email])
    assert all("ended" in email.body for email in emails)
    assert client.get(approve_url(token)).status_code == 410
    assert client.post(approve_url(token), {"decision": "end", "reason": "Again"}).status_code == 410
