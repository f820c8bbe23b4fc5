"""The policy engine, for every role and both scopes: what each may do, and on which customers."""

from __future__ import annotations

import pytest

from customers.models import Customer, CustomerGroupObjectPermission
from permissions import policy
from permissions.models import CustomerAssignment
from permissions.roles import Action, Scope
from permissions.services import customer_access_revoke, user_access_sync
from tests.factories import make_customer, make_partner, make_user

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

# What PRODUCT.md §2 says each role may do, written out by hand (not read from roles.py).
EXPECTED = {
    "global_admin": {
        Action.VIEW_CUSTOMER,
        Action.CHANGE_CUSTOMER,
        Action.ADD_CUSTOMER,
        Action.MANAGE_TAGS,
        Action.INVITE_CUSTOMER,
        Action.END_RELATIONSHIP,
        Action.MANAGE_PARTNERSHIPS,
        Action.MANAGE_STAFF,
        Action.VIEW_ACTIVITY,
    },
    "admin_agent": {
        Action.VIEW_CUSTOMER,
        Action.CHANGE_CUSTOMER,
        Action.ADD_CUSTOMER,
        Action.MANAGE_TAGS,
        Action.INVITE_CUSTOMER,
        Action.END_RELATIONSHIP,
        Action.CHANGE_PURCHASE_PERMISSION,
        Action.MANAGE_PARTNERSHIPS,
        Action.VIEW_ACTIVITY,
    },
    "sales_agent": {
        Action.VIEW_CUSTOMER,
        Action.CHANGE_CUSTOMER,
        Action.ADD_CUSTOMER,
        Action.INVITE_CUSTOMER,
        Action.MANAGE_PARTNERSHIPS,
    },
    "helpdesk_agent": {Action.VIEW_CUSTOMER, Action.CHANGE_CUSTOMER},
    "no_role": set(),
}
DENIED = {
    "global_admin": {Action.CHANGE_PURCHASE_PERMISSION},
    "admin_agent": {Action.MANAGE_STAFF},
    "sales_agent": {Action.MANAGE_TAGS, Action.END_RELATIONSHIP, Action.CHANGE_PURCHASE_PERMISSION,
                    Action.MANAGE_STAFF, Action.VIEW_ACTIVITY},
    "helpdesk_agent": {Action.ADD_CUSTOMER, Action.MANAGE_TAGS, Action.INVITE_CUSTOMER, Action.END_RELATIONSHIP,
                       Action.CHANGE_PURCHASE_PERMISSION, Action.MANAGE_PARTNERSHIPS, Action.MANAGE_STAFF,
                       Action.VIEW_ACTIVITY},
    "no_role": {Action.VIEW_CUSTOMER},
}  # fmt: skip


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_holds_exactly_the_matrix_actions(world, role):
    user = world.users[role]
    for action in EXPECTED[role]:
        assert policy.has_action(user, action), f"{role} should be allowed {action}"
    for action in DENIED[role]:
        assert not policy.has_action(user, action), f"{role} must not be allowed {action}"


@pytest.mark.parametrize("role", ["global_admin", "admin_agent", "sales_agent", "helpdesk_agent"])
def test_partner_scope_sees_own_customers_only(world, role, django_assert_max_num_queries):
    user = world.users[role]
    policy.restrict(Customer.objects.all(), user, Action.VIEW_CUSTOMER)  # warm the per-process permission-id cache
    with django_assert_max_num_queries(1):
        visible = set(policy.restrict(Customer.objects.all(), user, Action.VIEW_CUSTOMER).values_list("pk", flat=True))
    assert visible == {world.customer_in.pk}
    assert policy.can(user, Action.VIEW_CUSTOMER, world.customer_in)
    assert not policy.can(user, Action.VIEW_CUSTOMER, world.customer_out)


def test_object_actions_follow_the_role(world, django_assert_max_num_queries):
    customer = world.customer_in
    policy.object_actions(world.users["sales_agent"], [customer.pk])  # warm the cache (in production: once per process)
    with django_assert_max_num_queries(1):
        sales = policy.object_actions(world.users["sales_agent"], [customer.pk])[customer.pk]
    assert Action.INVITE_CUSTOMER in sales
    assert Action.MANAGE_TAGS not in sales
    admin_agent = policy.object_actions(world.users["admin_agent"], [customer.pk])[customer.pk]
    assert Action.CHANGE_PURCHASE_PERMISSION in admin_agent
    global_admin = policy.object_actions(world.users["global_admin"], [customer.pk])[customer.pk]
    assert Action.CHANGE_PURCHASE_PERMISSION not in global_admin
    assert policy.object_actions(world.users["sales_agent"], [world.customer_out.pk]) == {}


def test_global_admin_who_is_also_admin_agent_may_change_purchase_permissions(world):
    user = make_user(world.partner_a, "global_admin", agent_role="admin_agent")
    assert policy.can(user, Action.CHANGE_PURCHASE_PERMISSION, world.customer_in)
    assert not policy.can(user, Action.CHANGE_PURCHASE_PERMISSION, world.customer_out)


def test_assigned_scope_sees_only_assigned_customers(world, django_assert_max_num_queries):
    second = make_customer(world.partner_a, actor=world.users["global_admin"])
    agent = make_user(world.partner_a, "helpdesk_agent", scope=Scope.ASSIGNED)
    assert not policy.restrict(Customer.objects.all(), agent, Action.VIEW_CUSTOMER).exists()

    CustomerAssignment.objects.create(user=agent, customer=second)
    user_access_sync(user=agent)
    policy.restrict(Customer.objects.all(), agent, Action.VIEW_CUSTOMER)  # warm the permission-id cache
    with django_assert_max_num_queries(1):
        visible = list(
            policy.restrict(Customer.objects.all(), agent, Action.VIEW_CUSTOMER).values_list("pk", flat=True)
        )
    assert visible == [second.pk]
    assert policy.can(agent, Action.CHANGE_CUSTOMER, second)
    assert not policy.can(agent, Action.CHANGE_CUSTOMER, world.customer_in)


def test_assignment_to_another_partners_customer_grants_nothing(world):
    agent = make_user(world.partner_a, "helpdesk_agent", scope=Scope.ASSIGNED)
    CustomerAssignment.objects.create(user=agent, customer=world.customer_out)
    user_access_sync(user=agent)
    assert not policy.restrict(Customer.objects.all(), agent, Action.VIEW_CUSTOMER).exists()


def test_revoking_a_partners_access_takes_effect_at_once(world, client_for):
    client = client_for(world.users["helpdesk_agent"])
    url = world.customer_in.get_absolute_url()
    assert client.get(url).status_code == 200
    customer_access_revoke(partner=world.partner_a, customer=world.customer_in)
    assert client.get(url).status_code == 404
    assert world.customer_in.company_name not in client.get("/customers/").content.decode()


def test_inactive_user_and_operator_hold_no_actions(world, django_user_model):
    user = world.users["global_admin"]
    user.is_active = False
    assert not policy.has_action(user, Action.VIEW_CUSTOMER)
    operator = django_user_model.objects.create_superuser(email="ops@example.org", password="x-Operator-2026")
    assert policy.user_actions(operator) == frozenset()
    assert not policy.restrict(Customer.objects.all(), operator, Action.VIEW_CUSTOMER).exists()


def test_role_groups_hold_per_customer_rows_only_for_their_actions(world):
    rows = CustomerGroupObjectPermission.objects.filter(content_object=world.customer_in)
    codenames_by_role = {}
    for row in rows.select_related("permission", "group__partner_role"):
        codenames_by_role.setdefault(row.group.partner_role.role, set()).add(row.permission.codename)
    assert codenames_by_role["helpdesk_agent"] == {"view_customer", "change_customer"}
    assert "change_purchase_permission" in codenames_by_role["admin_agent"]
    assert "change_purchase_permission" not in codenames_by_role["global_admin"]
    assert not CustomerGroupObjectPermission.objects.filter(
        content_object=world.customer_in, group__partner_role__partner=world.partner_b
    ).exists()


def test_a_user_of_another_partner_never_sees_a_shared_name(world):
    other = make_partner()
    make_user(other, "global_admin")
    twin = make_customer(other, data={"company_name": world.customer_in.company_name})
    visible = policy.restrict(Customer.objects.all(), world.users["sales_agent"], Action.VIEW_CUSTOMER)
    assert twin.pk not in set(visible.values_list("pk", flat=True))
