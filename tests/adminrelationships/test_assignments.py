"""Security groups of staff, access assignments within an active admin relationship, and "My admin access"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships.models import AccessAssignment, AdminRelationship
from adminrelationships.services import (
    access_assignment_set,
    admin_relationship_terminate,
    role_template_create,
    security_group_save,
)
from tests.adminrelationships.helpers import DIRECTORY_READERS, GLOBAL_ADMIN, HELPDESK_ADMIN, request_for, token_of
from tests.factories import make_user

SERVICE_SUPPORT = "f023fd81-a637-4b56-95fd-791ac0226033"
MINE = "adminrelationships:my_admin_access"


def approve(relationship: AdminRelationship) -> AdminRelationship:
    url = reverse("adminrelationships:adminrelationship_approve", kwargs={"token": token_of(relationship)})
    Client().post(url, {"decision": "approve", "name": "Ana Kim", "confirm": "on"})
    relationship.refresh_from_db()
    return relationship


@pytest.fixture
def active(world):
    """An active relationship of partner A on customer_in, requested from a template, and a group with the helpdesk
    agent in it."""
    agent = world.users["admin_agent"]
    template = role_template_create(
        actor=agent, name="Helpdesk standard", roles=[DIRECTORY_READERS, HELPDESK_ADMIN, SERVICE_SUPPORT]
    )
    relationship = approve(request_for(world.customer_in, agent, roles=[], template=template))
    group = security_group_save(
        actor=world.users["global_admin"], name="Tier 1", members=[world.users["helpdesk_agent"]]
    )
    return relationship, group


def test_a_member_sees_the_roles_their_group_holds_under_my_admin_access(world, client_for, active):
    relationship, group = active
    agent = world.users["admin_agent"]
    client = client_for(agent)
    url = reverse("adminrelationships:adminrelationship_assign", kwargs={"pk": relationship.pk})
    response = client.post(url, {"group": str(group.pk), "roles": [HELPDESK_ADMIN, DIRECTORY_READERS]})
    assert response.status_code == 302
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_ASSIGN, actor=agent).count() == 1

    member = client_for(world.users["helpdesk_agent"]).get(reverse(MINE))
    [held] = member.context["held"]
    assert held.relationship.customer_id == world.customer_in.pk
    assert [role.name for role in held.roles] == ["Directory Readers", "Helpdesk Administrator"]
    html = member.content.decode()
    assert world.customer_in.company_name in html and "Tier 1" in html
    assert client_for(world.users["sales_agent"]).get(reverse(MINE)).context["held"] == [], "not a member"
    # The customer page's panel shows the assignment.
    page = client_for(world.users["sales_agent"]).get(world.customer_in.get_absolute_url()).content.decode()
    assert "Tier 1" in page


def test_a_group_holds_only_approved_roles(world, active):
    relationship, group = active
    with pytest.raises(ValidationError) as caught:
        access_assignment_set(
            actor=world.users["admin_agent"], relationship=relationship, group=group, roles=[GLOBAL_ADMIN]
        )
    assert "roles" in caught.value.message_dict
    assert not AccessAssignment.objects.exists()


def test_clearing_every_role_removes_the_groups_assignment(world, active):
    relationship, group = active
    agent = world.users["admin_agent"]
    access_assignment_set(actor=agent, relationship=relationship, group=group, roles=[HELPDESK_ADMIN])
    access_assignment_set(actor=agent, relationship=relationship, group=group, roles=[])
    assert not AccessAssignment.objects.exists()


def test_only_an_active_relationship_takes_assignments(world, active):
    _relationship, group = active
    pending = request_for(world.customer_in, world.users["admin_agent"], name="Pending")
    with pytest.raises(ValidationError):
        access_assignment_set(
            actor=world.users["admin_agent"], relationship=pending, group=group, roles=[HELPDESK_ADMIN]
        )


def test_only_admin_agents_assign(world, active):
    relationship, group = active
    for role in ("global_admin", "sales_agent", "helpdesk_agent"):
        with pytest.raises(PermissionDenied):
            access_assignment_set(
                actor=world.users[role], relationship=relationship, group=group, roles=[HELPDESK_ADMIN]
            )


def test_terminating_removes_the_assignments(world, client_for, active):
    relationship, group = active
    agent = world.users["admin_agent"]
    access_assignment_set(actor=agent, relationship=relationship, group=group, roles=[HELPDESK_ADMIN])
    admin_relationship_terminate(actor=agent, relationship=relationship, reason="Contract ended")
    assert not AccessAssignment.objects.exists()
    assert client_for(world.users["helpdesk_agent"]).get(reverse(MINE)).context["held"] == []


def test_an_expired_relationship_leaves_my_admin_access_at_its_end(world, client_for, active):
    relationship, group = active
    access_assignment_set(
        actor=world.users["admin_agent"], relationship=relationship, group=group, roles=[HELPDESK_ADMIN]
    )
    client = client_for(world.users["helpdesk_agent"])
    assert len(client.get(reverse(MINE)).context["held"]) == 1
    AdminRelationship.objects.filter(pk=relationship.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse(MINE)).context["held"] == []


def test_members_are_the_partners_active_staff(world):
    with pytest.raises(ValidationError) as caught:
        security_group_save(actor=world.users["global_admin"], name="Mixed", members=[world.user_b])
    assert "members" in caught.value.message_dict
    other_partner_staff = make_user(world.partner_b, "helpdesk_agent")
    with pytest.raises(ValidationError):
        security_group_save(actor=world.users["admin_agent"], name="Mixed", members=[other_partner_staff])


def test_group_names_are_unique_per_partner(world, active):
    with pytest.raises(ValidationError) as caught:
        security_group_save(actor=world.users["global_admin"], name="tier 1", members=[])
    assert "name" in caught.value.message_dict


@pytest.mark.parametrize("role", ["sales_agent", "helpdesk_agent"])
def test_sales_and_helpdesk_agents_do_not_manage_groups(world, role):
    with pytest.raises(PermissionDenied):
        security_group_save(actor=world.users[role], name="Mine", members=[])


def _queries_for(client, url_name: str) -> int:
    client.get(reverse(url_name))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(url_name)).status_code == 200
    return len(captured)


def test_the_team_pages_cost_the_same_queries_with_one_row_or_many(world, client_for):
    # Role templates, security groups and "My admin access" with one row each, then with six: the same count.
    agent = world.users["admin_agent"]
    helpdesk = world.users["helpdesk_agent"]
    pages = {
        "adminrelationships:roletemplate_list": agent,
        "adminrelationships:securitygroup_list": agent,
        MINE: helpdesk,
    }

    def add(n: int) -> None:
        template = role_template_create(actor=agent, name=f"Template {n}", roles=[DIRECTORY_READERS, HELPDESK_ADMIN])
        relationship = approve(request_for(world.customer_in, agent, name=f"Rel {n}", roles=[], template=template))
        group = security_group_save(actor=agent, name=f"Group {n}", members=[helpdesk, agent])
        access_assignment_set(actor=agent, relationship=relationship, group=group, roles=[HELPDESK_ADMIN])

    add(0)
    one = {name: _queries_for(client_for(user), name) for name, user in pages.items()}
    for n in range(1, 6):
        add(n)
    many = {name: _queries_for(client_for(user), name) for name, user in pages.items()}
    assert many == one
