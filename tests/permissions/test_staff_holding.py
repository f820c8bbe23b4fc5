"""Who gets a partner's notices: `policy.staff_holding` answers for the whole staff what `has_action` answers user by
user, and the admin-relationship and webhook emails ask it."""

from __future__ import annotations

import pytest

from adminrelationships.emails import partner_recipients
from partnerportal.models import OutboundEmail, Partner, User
from partnerportal.webhooks.delivery import _endpoint_disable
from partnerportal.webhooks.services import webhook_endpoint_create
from permissions import policy
from permissions.roles import Action, AgentRole
from tests.adminrelationships.helpers import request_for
from tests.factories import make_customer, make_partner, make_user


@pytest.fixture
def staff(db):
    """A partner's staff of every kind (both roles at once, assigned scope, inactive) and another partner's."""
    partner = make_partner()
    people = {
        "global_admin": make_user(partner, "global_admin"),
        "admin_and_agent": make_user(partner, "global_admin", agent_role=AgentRole.ADMIN_AGENT),
        "admin_agent": make_user(partner, "admin_agent"),
        "assigned_agent": make_user(partner, "admin_agent", scope="assigned"),
        "sales_agent": make_user(partner, "sales_agent"),
        "helpdesk_agent": make_user(partner, "helpdesk_agent"),
        "no_role": make_user(partner, "no_role"),
        "inactive_admin": make_user(partner, "global_admin"),
    }
    User.objects.filter(pk=people["inactive_admin"].pk).update(is_active=False)
    make_user(make_partner(), "global_admin")  # another partner's: never among the holders
    return partner, people


def _holding(partner: Partner, action: Action) -> set[str]:
    return set(policy.staff_holding(partner, action).values_list("email", flat=True))


def _emails(people: dict[str, User], *names: str) -> set[str]:
    return {people[name].email for name in names}


def test_webhooks_are_the_active_global_admins(staff):
    partner, people = staff
    assert _holding(partner, Action.MANAGE_WEBHOOKS) == _emails(people, "global_admin", "admin_and_agent")


def test_admin_relationships_are_the_admin_agents_whatever_their_scope(staff):
    partner, people = staff
    expected = _emails(people, "admin_and_agent", "admin_agent", "assigned_agent")
    assert _holding(partner, Action.MANAGE_ADMIN_RELATIONSHIP) == expected


def test_the_cloud_and_the_partner_type_fold_in(staff, settings):
    partner, people = staff
    assert _holding(partner, Action.WORK_LEADS) == _emails(people, "global_admin", "admin_and_agent", "sales_agent")
    settings.PORTAL_CLOUD = "us_gov"
    assert _holding(partner, Action.WORK_LEADS) == set(), "the US Government cloud has no leads"
    settings.PORTAL_CLOUD = "commercial"
    # Only an indirect provider's staff request partnerships.
    assert _holding(partner, Action.REQUEST_PARTNERSHIP) == set()
    Partner.objects.filter(pk=partner.pk).update(type=Partner.Type.INDIRECT_PROVIDER)
    partner.refresh_from_db()
    assert _holding(partner, Action.REQUEST_PARTNERSHIP) == _emails(
        people, "global_admin", "admin_and_agent", "admin_agent", "assigned_agent", "sales_agent"
    )


def test_it_agrees_with_each_users_own_actions_for_every_action(staff):
    partner, _people = staff
    users = list(User.objects.filter(partner=partner))
    for action in Action:
        if action == Action.SEE_WHOLE_PARTNER:
            continue  # the scope's capability, not a role's: no notice goes by it
        assert _holding(partner, action) == {u.email for u in users if policy.has_action(u, action)}, action


def test_admin_relationship_notices_go_to_the_requester_then_the_admin_agents_then_the_global_admins(staff):
    partner, people = staff
    customer = make_customer(partner, actor=people["global_admin"])
    relationship = request_for(customer, people["admin_agent"])
    assert partner_recipients(relationship) == [people["admin_agent"].email]

    User.objects.filter(pk=people["admin_agent"].pk).update(is_active=False)
    relationship.refresh_from_db()
    assert partner_recipients(relationship) == sorted(_emails(people, "admin_and_agent", "assigned_agent"))

    User.objects.filter(pk__in=[people["admin_and_agent"].pk, people["assigned_agent"].pk]).update(
        agent_role=AgentRole.SALES_AGENT
    )
    assert partner_recipients(relationship) == sorted(_emails(people, "global_admin", "admin_and_agent"))


def test_a_disabled_endpoint_is_reported_to_the_partners_active_global_admins(staff):
    _partner, people = staff
    endpoint = webhook_endpoint_create(
        actor=people["global_admin"], url="http://127.0.0.1:9/hooks", event_types=["customer.updated"]
    )
    _endpoint_disable(endpoint)
    recipients = set(OutboundEmail.objects.filter(topic="webhooks").values_list("to", flat=True))
    assert recipients == _emails(people, "global_admin", "admin_and_agent")
