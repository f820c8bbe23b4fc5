"""DAP to admin relationships: the partner's customers still on the legacy DAP flag, the one-click least-privilege
request from a template (one request however often it is clicked), and removing DAP once one is active."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships.models import AdminRelationship, Status
from adminrelationships.services import role_template_create
from relationships.models import Relationship
from tests.adminrelationships.helpers import DIRECTORY_READERS, HELPDESK_ADMIN, request_for, token_of
from tests.factories import make_customer, make_user

DAP_LIST = "adminrelationships:dap_list"
# Session, user, the partner's templates, the page of customers, their live admin relationships (prefetched); no
# count query: the list fits on its first page, whose rows are the count.
QUERIES = 5


def _template(world, **kwargs):
    kwargs.setdefault("is_default", True)
    return role_template_create(
        actor=world.users["admin_agent"], name="Helpdesk standard", roles=[DIRECTORY_READERS, HELPDESK_ADMIN], **kwargs
    )


def _approve(relationship: AdminRelationship) -> None:
    url = reverse("adminrelationships:adminrelationship_approve", kwargs={"token": token_of(relationship)})
    Client().post(url, {"decision": "approve", "name": "Ana Kim", "confirm": "on"})


def _dap(customer, partner) -> bool:
    return Relationship.objects.get(customer=customer, partner=partner, status="active").dap


def _listed(response) -> set:
    return {customer.pk for customer in response.context["customers"]}


def test_the_page_lists_only_the_partners_customers_that_still_carry_dap(world, client_for):
    no_dap = make_customer(world.partner_a, actor=world.users["global_admin"], dap=False)
    client = client_for(world.users["helpdesk_agent"])
    response = client.get(reverse(DAP_LIST))
    assert response.status_code == 200
    assert _listed(response) == {world.customer_in.pk}
    assert no_dap.pk not in _listed(response) and world.customer_out.pk not in _listed(response)
    page = response.content.decode()
    assert "Request least-privilege admin relationship" not in page, "read-only for other roles"


def test_the_admin_relationships_list_links_the_page(world, client_for):
    page = client_for(world.users["sales_agent"]).get(reverse("adminrelationships:adminrelationship_list"))
    assert reverse(DAP_LIST) in page.content.decode()


def test_one_click_requests_from_the_default_template_once(world, client_for):
    template = _template(world)
    client = client_for(world.users["admin_agent"])
    page = client.get(reverse(DAP_LIST)).content.decode()
    assert f'<option value="{template.pk}" selected>' in page, "the default template is preselected"
    url = reverse("adminrelationships:dap_request", kwargs={"pk": world.customer_in.pk})
    assert client.get(url).status_code == 405
    response = client.post(url, {"template": template.pk})
    assert response.status_code == 302 and response["Location"] == reverse(DAP_LIST)
    relationship = AdminRelationship.objects.get(customer=world.customer_in)
    assert relationship.status == Status.APPROVAL_PENDING
    assert relationship.roles == [DIRECTORY_READERS, HELPDESK_ADMIN]
    assert relationship.name.startswith("Helpdesk standard ") and len(relationship.name) <= 50
    assert relationship.request_email == world.customer_in.contact_email
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_REQUEST).count() == 1
    # A second click (or a reload of the POST) makes no second request.
    client.post(url, {"template": template.pk})
    assert AdminRelationship.objects.filter(customer=world.customer_in).count() == 1
    page = client.get(reverse(DAP_LIST)).content.decode()
    assert "Waiting for the customer" in page


def test_generated_names_stay_unique_per_partner(world, client_for):
    template = _template(world)
    prefix = world.customer_in.primary_domain.split(".")[0]
    request_for(world.customer_out, make_user(world.partner_b, "admin_agent"), name=f"Helpdesk standard {prefix}")
    request_for(make_customer(world.partner_a), world.users["admin_agent"], name=f"Helpdesk standard {prefix}")
    client = client_for(world.users["admin_agent"])
    client.post(reverse("adminrelationships:dap_request", kwargs={"pk": world.customer_in.pk}),
                {"template": template.pk})  # fmt: skip
    assert AdminRelationship.objects.get(customer=world.customer_in).name == f"Helpdesk standard {prefix}-2"


def test_concurrent_clicks_make_one_request(transactional_db, world):
    template = _template(world)
    agent = world.users["admin_agent"]
    url = reverse("adminrelationships:dap_request", kwargs={"pk": world.customer_in.pk})
    barrier = threading.Barrier(2)
    statuses = []

    def click():
        client = Client()
        client.force_login(agent)
        barrier.wait()
        statuses.append(client.post(url, {"template": template.pk}).status_code)
        connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert AdminRelationship.objects.filter(customer=world.customer_in).count() == 1


def test_bad_template_or_no_dap_changes_nothing(world, client_for):
    other = role_template_create(actor=make_user(world.partner_b, "admin_agent"), name="B", roles=[HELPDESK_ADMIN])
    no_dap = make_customer(world.partner_a, actor=world.users["global_admin"], dap=False)
    template = _template(world)
    client = client_for(world.users["admin_agent"])
    url = reverse("adminrelationships:dap_request", kwargs={"pk": world.customer_in.pk})
    client.post(url, {"template": other.pk})
    client.post(url, {"template": "x"})
    client.post(reverse("adminrelationships:dap_request", kwargs={"pk": no_dap.pk}), {"template": template.pk})
    assert not AdminRelationship.objects.exists()


def test_remove_dap_once_an_admin_relationship_is_active(world, client_for):
    template = _template(world)
    client = client_for(world.users["admin_agent"])
    remove = reverse("adminrelationships:dap_remove", kwargs={"pk": world.customer_in.pk})
    # Not yet: nothing active.
    response = client.post(remove, {"confirm": "on"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert _dap(world.customer_in, world.partner_a)
    client.post(reverse("adminrelationships:dap_request", kwargs={"pk": world.customer_in.pk}),
                {"template": template.pk})  # fmt: skip
    _approve(AdminRelationship.objects.get(customer=world.customer_in))
    page = client.get(reverse(DAP_LIST)).content.decode()
    assert remove in page
    assert client.get(remove).status_code == 200
    response = client.post(remove, {})
    assert response.status_code == 200 and response.context["form"].errors.get("confirm")
    assert _dap(world.customer_in, world.partner_a)
    response = client.post(remove, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse(DAP_LIST)
    assert not _dap(world.customer_in, world.partner_a)
    entry = ActivityEntry.objects.get(action=Actions.RELATIONSHIP_DAP_REMOVE)
    assert entry.actor_id == world.users["admin_agent"].pk and entry.customer_id == world.customer_in.pk
    assert world.customer_in.pk not in _listed(client.get(reverse(DAP_LIST)))


@pytest.mark.parametrize("count", [1, 8])
def test_the_page_costs_the_same_queries_at_one_and_many_rows(world, client_for, django_assert_num_queries, count):
    _template(world)
    agent = world.users["admin_agent"]
    for i in range(count - 1):
        customer = make_customer(world.partner_a, actor=world.users["global_admin"])
        relationship = request_for(customer, agent, name=f"Rel {i}")
        if i % 2:
            _approve(relationship)
    client = client_for(agent)
    client.get(reverse(DAP_LIST))  # warm the session and permission caches
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse(DAP_LIST))
    assert len(response.context["customers"]) == min(count, settings.PORTAL_PAGE_SIZE)


def test_another_partner_gets_404_on_the_customer_routes(world, client_for):
    _template(world)
    client = client_for(make_user(world.partner_b, "admin_agent"))
    for name in ("dap_request", "dap_remove"):
        url = reverse(f"adminrelationships:{name}", kwargs={"pk": world.customer_in.pk})
        assert client.post(url, {"confirm": "on", "template": "1"}).status_code == 404
    assert client.get(reverse("adminrelationships:dap_remove", kwargs={"pk": world.customer_in.pk})).status_code == 404
    assert not AdminRelationship.objects.exists() and _dap(world.customer_in, world.partner_a)
