"""Admin relationships through the API: the lists and their filters, one relationship, requesting (the page's
rules), terminating (with the confirmation), assigning roles to security groups; role templates and security
groups (read only). The webhook payload is the API's own representation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships.models import NAME_RULE, AccessAssignment, AdminRelationship, SecurityGroup, Status
from adminrelationships.services import admin_relationship_approve
from adminrelationships.services.requests import AUTO_EXTEND_GLOBAL_ADMIN
from api import serializers_admin_relationships, webhook_payloads
from partnerportal.models import OutboundEmail
from partnerportal.webhooks.events import represent
from tests.adminrelationships.dap_targets import role_template_b, role_template_in
from tests.adminrelationships.helpers import DIRECTORY_READERS, GLOBAL_ADMIN, HELPDESK_ADMIN, request_for, token_of
from tests.api.helpers import ApiClient, token_for

pytestmark = pytest.mark.usefixtures("shared_world")

LIST = reverse("api:admin_relationship_list")


def _agent(world, **headers) -> ApiClient:
    return ApiClient(token_for(world.users["admin_agent"]), **headers)


def _request(world, **fields) -> dict:
    return {
        "customer_id": str(world.customer_in.pk),
        "name": "Helpdesk standard",
        "roles": [HELPDESK_ADMIN, DIRECTORY_READERS],
        **fields,
    }


def _active(world, name: str = "Tier 2") -> AdminRelationship:
    relationship = request_for(world.customer_in, world.users["admin_agent"], name=name)
    return admin_relationship_approve(token=token_of(relationship), approver_name="Ana Kim")


def test_a_request_emails_the_approval_link_and_a_replay_requests_nothing_more(world):
    api = _agent(world)
    response = api.post(LIST, _request(world, auto_extend=True), headers={"Idempotency-Key": "gdap-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    relationship = AdminRelationship.objects.get(pk=body["id"])
    assert response["Location"] == reverse("api:admin_relationship_detail", args=[relationship.pk])
    assert body["status"] == Status.APPROVAL_PENDING and body["duration_days"] == 730  # the page's default
    assert body["roles"] == [DIRECTORY_READERS, HELPDESK_ADMIN] and body["auto_extend"] is True
    assert body["assignments"] == [] and body["request_email"] == world.customer_in.contact_email
    email = OutboundEmail.objects.get(topic=f"admin-relationship:{relationship.pk}")
    assert email.secret and email.secret not in response.content.decode()
    again = api.post(LIST, _request(world, auto_extend=True), headers={"Idempotency-Key": "gdap-1"})
    assert again.status_code == 201 and again.json() == body and again["Idempotent-Replayed"] == "true"
    assert api.post(LIST, _request(world), headers={"Idempotency-Key": "gdap-1"}).status_code == 422
    assert AdminRelationship.objects.count() == 1
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_REQUEST).count() == 1


def test_a_template_gives_the_roles(world):
    template = role_template_in(world)["pk"]
    response = _agent(world).post(LIST, _request(world, roles=None, template=template, name="From template"))
    assert response.status_code == 201, response.content
    assert response.json()["roles"] == [HELPDESK_ADMIN]
    # Another partner's template is not one of the choices.
    other = _agent(world).post(LIST, _request(world, roles=None, template=role_template_b(world).pk, name="X"))
    assert other.status_code == 422 and "template" in other.json()["errors"]


def test_the_pages_rules_answer_in_korean(world):
    api = _agent(world, **{"Accept-Language": "ko"})
    bad_name = api.post(LIST, _request(world, name="Bad/name!"))
    assert bad_name.status_code == 422, bad_name.content
    global_admin = api.post(LIST, _request(world, roles=[GLOBAL_ADMIN], auto_extend=True))
    assert global_admin.status_code == 422
    with translation.override("ko"):
        assert str(NAME_RULE) in bad_name.json()["errors"]["name"]
        assert global_admin.json()["errors"]["auto_extend"] == [str(AUTO_EXTEND_GLOBAL_ADMIN)]
        assert str(NAME_RULE) != "Use 1 to 50 letters (A–Z), digits, hyphens, underscores or spaces."
    assert not AdminRelationship.objects.exists()


def test_another_partners_customer_is_none_of_yours(world):
    response = _agent(world).post(LIST, _request(world, customer_id=str(world.customer_out.pk)))
    assert response.status_code == 422
    assert response.json()["errors"]["customer_id"] == ["None of your customers has this ID."]
    assert not AdminRelationship.objects.exists()


def test_terminating_needs_the_confirmation_like_the_page(world):
    relationship = _active(world)
    url = reverse("api:admin_relationship_terminate", args=[relationship.pk])
    api = _agent(world)
    unconfirmed = api.post(url, {"reason": "Contract ended"})
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.json()["errors"]
    assert api.post(url, {"reason": "Contract ended", "confirm": "yes"}).status_code == 400
    done = api.post(url, {"reason": "Contract ended", "confirm": True})
    assert done.status_code == 200 and done.json()["status"] == Status.TERMINATED
    assert done.json()["termination_reason"] == "Contract ended"
    twice = api.post(url, {"reason": "Again", "confirm": True})
    assert twice.status_code == 422 and AdminRelationship.objects.get(pk=relationship.pk).terminated_at


def test_assigning_roles_to_a_security_group(world):
    relationship = _active(world)
    group = SecurityGroup.objects.create(partner=world.partner_a, name="Helpdesk team")
    url = reverse("api:admin_relationship_assign", args=[relationship.pk])
    api = _agent(world)
    response = api.post(url, {"group": str(group.pk), "roles": [HELPDESK_ADMIN]})
    assert response.status_code == 200, response.content
    assert response.json()["assignments"][0]["group_name"] == "Helpdesk team"
    assert AccessAssignment.objects.get(relationship=relationship, group=group).roles == [HELPDESK_ADMIN]
    # Only roles the customer approved; another partner's group is not a choice.
    assert api.post(url, {"group": str(group.pk), "roles": [GLOBAL_ADMIN]}).status_code == 422
    theirs = SecurityGroup.objects.create(partner=world.partner_b, name="Theirs")
    assert api.post(url, {"group": str(theirs.pk), "roles": [HELPDESK_ADMIN]}).status_code == 422
    removed = api.post(url, {"group": str(group.pk), "roles": []})
    assert removed.status_code == 200 and removed.json()["assignments"] == []


def test_the_lists_filter_as_the_page_and_a_customers_list_is_in_scope(world):
    active = _active(world)
    pending = request_for(world.customer_in, world.users["admin_agent"], name="Pending one")
    api = ApiClient(token_for(world.users["helpdesk_agent"]))
    assert [r["id"] for r in api.get(LIST).json()["results"]] == [pending.pk, active.pk]
    assert [r["id"] for r in api.get(LIST, {"status": "active"}).json()["results"]] == [active.pk]
    assert [r["id"] for r in api.get(LIST, {"expiring": 400}).json()["results"]] == [active.pk]
    assert api.get(LIST, {"role": GLOBAL_ADMIN}).json()["results"] == []
    assert api.get(LIST, {"status": "nonsense"}).status_code == 400
    mine = reverse("api:customer_admin_relationships", args=[world.customer_in.pk])
    assert len(api.get(mine).json()["results"]) == 2
    assert api.get(reverse("api:customer_admin_relationships", args=[world.customer_out.pk])).status_code == 404
    detail = api.get(reverse("api:admin_relationship_detail", args=[active.pk]))
    assert detail.status_code == 200 and detail["ETag"] and detail.json()["status"] == Status.ACTIVE


def test_the_webhook_payload_is_the_apis_representation(world):
    assert webhook_payloads.AdminRelationshipSerializer is serializers_admin_relationships.AdminRelationshipSerializer
    relationship = _active(world)
    detail = _agent(world).get(reverse("api:admin_relationship_detail", args=[relationship.pk])).json()
    payload = represent(AdminRelationship.objects.get(pk=relationship.pk), world.partner_a.pk)
    assert payload == {k: v for k, v in detail.items() if k != "assignments"}


def test_role_templates_and_security_groups_are_the_partners(world):
    role_template_in(world)
    role_template_b(world)
    group = SecurityGroup.objects.create(partner=world.partner_a, name="Tier 1 team")
    group.members.add(world.users["helpdesk_agent"])
    SecurityGroup.objects.create(partner=world.partner_b, name="Theirs")
    api = _agent(world)
    templates = api.get(reverse("api:role_template_list")).json()["results"]
    assert [(t["name"], t["roles"]) for t in templates] == [("Tier 1", [HELPDESK_ADMIN])]
    groups = api.get(reverse("api:security_group_list")).json()["results"]
    assert groups == [{"id": group.pk, "name": "Tier 1 team", "members": [world.users["helpdesk_agent"].email]}]


def _queries(api: ApiClient, url: str) -> int:
    api.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url, {"limit": 200}).status_code == 200
    return len([q for q in ctx.captured_queries if not q["sql"].startswith(('UPDATE "api_apitoken"', "DELETE"))])


def test_the_lists_cost_the_same_queries_with_one_row_or_twenty(world):
    agent = world.users["admin_agent"]
    api = _agent(world)
    _active(world, name="First")
    group = SecurityGroup.objects.create(partner=world.partner_a, name="Group 0")
    group.members.add(agent)
    urls = [LIST, reverse("api:security_group_list")]
    one = [_queries(api, url) for url in urls]
    for n in range(1, 20):
        request_for(world.customer_in, agent, name=f"Request {n}")
        more = SecurityGroup.objects.create(partner=world.partner_a, name=f"Group {n}")
        more.members.add(agent, world.users["helpdesk_agent"])
    assert len(api.get(LIST).json()["results"]) == 20
    assert [_queries(api, url) for url in urls] == one
