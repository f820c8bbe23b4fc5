"""Role templates: edit (name, roles, default) and delete with confirmation, by admin agents; bad input changes
nothing; deleting never changes relationships requested from a template."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships.models import RoleTemplate
from adminrelationships.services import role_template_create
from tests.adminrelationships.helpers import DIRECTORY_READERS, GLOBAL_ADMIN, HELPDESK_ADMIN, request_for
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("shared_world")


def _template(world, name="Helpdesk standard", roles=(DIRECTORY_READERS, HELPDESK_ADMIN), **kwargs) -> RoleTemplate:
    return role_template_create(actor=world.users["admin_agent"], name=name, roles=list(roles), **kwargs)


def test_an_admin_agent_renames_a_template_and_changes_its_roles(world, client_for):
    template = _template(world)
    client = client_for(world.users["admin_agent"])
    url = reverse("adminrelationships:roletemplate_update", kwargs={"pk": template.pk})
    page = client.get(url).content.decode()
    assert 'value="Helpdesk standard"' in page
    response = client.post(url, {"name": "Helpdesk  tier 2", "roles": [DIRECTORY_READERS]})
    assert response.status_code == 302 and response["Location"] == reverse("adminrelationships:roletemplate_list")
    template.refresh_from_db()
    assert (template.name, template.roles) == ("Helpdesk tier 2", [DIRECTORY_READERS])
    entry = ActivityEntry.objects.get(action=Actions.ROLE_TEMPLATE_UPDATE)
    assert entry.details["before"]["name"] == "Helpdesk standard"
    assert entry.details["after"]["role_names"] == ["Directory Readers"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "roles": [DIRECTORY_READERS]}, "name"),
        ({"name": "Fine", "roles": []}, "roles"),
        ({"name": "Fine", "roles": ["not-a-role"]}, "roles"),
        ({"name": "x" * 101, "roles": [DIRECTORY_READERS]}, "name"),
        ({"name": "tier one", "roles": [DIRECTORY_READERS]}, "name"),  # another template's name, any case
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_changes_nothing(world, client_for, body, field):
    template = _template(world)
    _template(world, name="Tier One", roles=[GLOBAL_ADMIN])
    client = client_for(world.users["admin_agent"])
    response = client.post(reverse("adminrelationships:roletemplate_update", kwargs={"pk": template.pk}), body)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    template.refresh_from_db()
    assert (template.name, template.roles) == ("Helpdesk standard", [DIRECTORY_READERS, HELPDESK_ADMIN])
    assert not ActivityEntry.objects.filter(action=Actions.ROLE_TEMPLATE_UPDATE).exists()


def test_the_default_template_is_one_per_partner_and_shown_on_the_list(world, client_for):
    first = _template(world, is_default=True)
    second = _template(world, name="Security", roles=[DIRECTORY_READERS])
    client = client_for(world.users["admin_agent"])
    client.post(
        reverse("adminrelationships:roletemplate_update", kwargs={"pk": second.pk}),
        {"name": "Security", "roles": [DIRECTORY_READERS], "is_default": "on"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    page = client.get(reverse("adminrelationships:roletemplate_list")).content.decode()
    assert page.count("role-template-default") == 1
    # Another partner's default is its own business.
    other = role_template_create(
        actor=make_user(world.partner_b, "admin_agent"), name="Security", roles=[HELPDESK_ADMIN], is_default=True
    )
    second.refresh_from_db()
    assert other.is_default and second.is_default


def test_delete_asks_for_confirmation_and_leaves_requested_relationships_alone(world, client_for):
    template = _template(world, is_default=True)
    relationship = request_for(world.customer_in, world.users["admin_agent"], template=template)
    client = client_for(world.users["admin_agent"])
    url = reverse("adminrelationships:roletemplate_delete", kwargs={"pk": template.pk})
    assert "Helpdesk standard" in client.get(url).content.decode()
    response = client.post(url, {})
    assert response.status_code == 200 and response.context["form"].errors.get("confirm")
    assert RoleTemplate.objects.filter(pk=template.pk).exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert not RoleTemplate.objects.filter(pk=template.pk).exists()
    relationship.refresh_from_db()
    assert relationship.roles == [DIRECTORY_READERS, HELPDESK_ADMIN]
    entry = ActivityEntry.objects.get(action=Actions.ROLE_TEMPLATE_DELETE)
    assert entry.details["before"]["name"] == "Helpdesk standard"


@pytest.mark.parametrize("role", ["global_admin", "sales_agent", "helpdesk_agent"])
def test_only_admin_agents_edit_or_delete(world, client_for, role):
    template = _template(world)
    client = client_for(world.users[role])
    for name in ("roletemplate_update", "roletemplate_delete"):
        url = reverse(f"adminrelationships:{name}", kwargs={"pk": template.pk})
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "X", "roles": [DIRECTORY_READERS], "confirm": "on"}).status_code == 403
    template.refresh_from_db()
    assert template.name == "Helpdesk standard"


def test_another_partners_template_is_not_found(world, client_for):
    other = role_template_create(actor=make_user(world.partner_b, "admin_agent"), name="B", roles=[HELPDESK_ADMIN])
    client = client_for(world.users["admin_agent"])
    for name in ("roletemplate_update", "roletemplate_delete"):
        url = reverse(f"adminrelationships:{name}", kwargs={"pk": other.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "X", "roles": [DIRECTORY_READERS], "confirm": "on"}).status_code == 404
    assert RoleTemplate.objects.get(pk=other.pk).name == "B"
