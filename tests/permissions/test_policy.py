"""The policy engine, for every role and both scopes: what each may do, and on which customers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import get_perms

from customers.models import Customer, CustomerGroupObjectPermission, CustomerUserObjectPermission, Subscription
from partnerportal.models import Partner
from permissions import policy, roles
from permissions.models import CustomerAssignment
from permissions.roles import Action, Role, Scope
from permissions.services import customer_access_grant, customer_access_revoke, partner_group, user_access_sync
from relationships.models import Relationship
from relationships.services import relationship_begin
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


def test_actions_on_a_customer_in_scope_are_those_object_actions_gives_it(world, django_assert_num_queries):
    # The customer page takes them without a query: a customer restrict() returned is reached.
    for role, user in world.users.items():
        in_scope = policy.restrict(Customer.objects.filter(pk=world.customer_in.pk), user, Action.VIEW_CUSTOMER)
        if not in_scope.exists():
            continue
        expected = policy.object_actions(user, [world.customer_in.pk])[world.customer_in.pk]
        with django_assert_num_queries(0):
            assert policy.reached_customer_actions(user) == expected, role


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


def test_guardian_holds_one_reach_row_per_customer_and_partner(world):
    rows = CustomerGroupObjectPermission.objects.filter(content_object=world.customer_in)
    assert list(rows.values_list("group__partner_group__partner", "permission__codename")) == [
        (world.partner_a.pk, "view_customer")
    ]
    # Every whole-partner staff user of the partner is a member of its one staff group, whatever their roles.
    group = partner_group(world.partner_a)
    assert set(group.user_set.values_list("pk", flat=True)) == {u.pk for u in world.users.values() if u.roles}


def test_guardian_answers_view_customer_for_a_reachable_customer(world):
    user = world.users["helpdesk_agent"]
    assert get_perms(user, world.customer_in) == ["view_customer"]
    assert user.has_perm("customers.view_customer", world.customer_in)
    assert not user.has_perm("customers.view_customer", world.customer_out)
    assert get_perms(user, world.customer_out) == []


def _rows_written() -> Counter:
    """Rows inserted, updated and deleted so far in this transaction, per table (PostgreSQL's own count)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables")
        counts: Counter = Counter()
        for table, inserted, updated, deleted in cursor.fetchall():
            counts.update({(table, "insert"): inserted, (table, "update"): updated, (table, "delete"): deleted})
        return counts


@contextmanager
def writes() -> Iterator[dict]:
    """The write statements a block runs and the rows they touch, per (table, insert/update/delete)."""
    found: dict = {}
    before = _rows_written()
    with CaptureQueriesContext(connection) as ctx:
        yield found
    rows = _rows_written()
    rows.subtract(before)
    found["rows"] = {key: n for key, n in rows.items() if n}
    found["statements"] = [
        q["sql"].split(None, 1)[0].upper()
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_granting_and_revoking_one_customers_access_writes_one_row(world):
    customer = make_customer(world.partner_b, actor=world.user_b)
    group_table = CustomerGroupObjectPermission._meta.db_table
    before = CustomerGroupObjectPermission.objects.count()

    with writes() as granted:
        customer_access_grant(partner=world.partner_a, customers=[customer])
    assert granted["statements"] == ["INSERT"]
    assert granted["rows"] == {(group_table, "insert"): 1}, "one row: the partner's staff group reaches the customer"

    with writes() as again:
        customer_access_grant(partner=world.partner_a, customers=[customer])  # idempotent
    assert again["rows"] == {}
    assert CustomerGroupObjectPermission.objects.count() == before + 1
    assert policy.can(world.users["admin_agent"], Action.CHANGE_PURCHASE_PERMISSION, customer)

    with writes() as revoked:
        customer_access_revoke(partner=world.partner_a, customer=customer)
    assert set(revoked["statements"]) == {"DELETE"}
    assert revoked["rows"] == {(group_table, "delete"): 1}
    assert CustomerGroupObjectPermission.objects.count() == before
    assert not policy.can(world.users["helpdesk_agent"], Action.VIEW_CUSTOMER, customer)


def test_revoking_a_customer_with_an_assigned_user_deletes_one_more_row_per_user(world):
    customer = make_customer(world.partner_a, actor=world.users["global_admin"])
    agent = make_user(world.partner_a, "helpdesk_agent", scope=Scope.ASSIGNED)
    CustomerAssignment.objects.create(user=agent, customer=customer)
    user_access_sync(user=agent)

    with writes() as revoked:
        customer_access_revoke(partner=world.partner_a, customer=customer)

    assert revoked["rows"] == {
        (CustomerGroupObjectPermission._meta.db_table, "delete"): 1,
        (CustomerUserObjectPermission._meta.db_table, "delete"): 1,
        (CustomerAssignment._meta.db_table, "delete"): 1,
    }
    assert len(revoked["statements"]) == 3, "one DELETE per table, whatever the number of rows"


def test_an_assigned_customer_is_one_row_per_user(world):
    agent = make_user(world.partner_a, "admin_agent", scope=Scope.ASSIGNED)
    CustomerAssignment.objects.create(user=agent, customer=world.customer_in)
    user_access_sync(user=agent)
    assert list(
        CustomerUserObjectPermission.objects.filter(user=agent).values_list("permission__codename", flat=True)
    ) == ["view_customer"]
    assert not agent.groups.exists()
    # The role table decides the actions on top of the one row.
    assert policy.object_actions(agent, [world.customer_in.pk])[world.customer_in.pk] == {
        Action.VIEW_CUSTOMER, Action.CHANGE_CUSTOMER, Action.MANAGE_TAGS, Action.MANAGE_SUBSCRIPTIONS,
        Action.ATTEST_AGREEMENT, Action.INVITE_CUSTOMER, Action.END_RELATIONSHIP, Action.CHANGE_PURCHASE_PERMISSION,
        Action.VIEW_ADMIN_RELATIONSHIP, Action.MANAGE_ADMIN_RELATIONSHIP,
    }  # fmt: skip
    customer_access_revoke(partner=world.partner_a, customer=world.customer_in)
    assert not CustomerUserObjectPermission.objects.filter(user=agent).exists()


def test_restrict_raises_for_a_model_without_a_declared_scope(world):
    with pytest.raises(ImproperlyConfigured, match="not registered"):
        policy.restrict(Group.objects.all(), world.users["global_admin"], Action.VIEW_CUSTOMER)


def test_rows_two_partners_hold_on_one_customer_are_narrowed_by_partner_and_customer(world):
    shared = make_customer(world.partner_a, actor=world.users["global_admin"])
    relationship_begin(partner=world.partner_b, customer=shared)
    mine = Subscription.objects.create(customer=shared, partner=world.partner_a, offer_name="Azure plan")
    theirs = Subscription.objects.create(customer=shared, partner=world.partner_b, offer_name="Azure plan")
    elsewhere = Subscription.objects.create(customer=world.customer_out, partner=world.partner_b, offer_name="E3")
    user = world.users["sales_agent"]
    visible = set(policy.restrict(Subscription.objects.all(), user, Action.VIEW_CUSTOMER))
    assert mine in visible and theirs not in visible and elsewhere not in visible
    assert set(policy.restrict(Subscription.objects.all(), world.user_b, Action.VIEW_CUSTOMER)) == {theirs, elsewhere}
    relationships = policy.restrict(Relationship.objects.filter(customer=shared), user, Action.VIEW_CUSTOMER)
    assert set(relationships.values_list("partner_id", flat=True)) == {world.partner_a.pk}


def test_rows_scoped_by_partner_ignore_customers(world):
    visible = policy.restrict(get_user_model().objects.all(), world.users["global_admin"], Action.MANAGE_STAFF)
    assert set(visible) == set(world.users.values())
    assert not policy.restrict(get_user_model().objects.all(), world.users["admin_agent"], Action.MANAGE_STAFF).exists()


def _actions(partner_type: str, role: str = "global_admin", **extra) -> frozenset:
    return policy.user_actions(make_user(make_partner(type=partner_type), role, **extra))


CAPABILITIES = {Action.MANAGE_PARTNERSHIPS, Action.REQUEST_PARTNERSHIP, Action.AUTHORIZE_PARTNERSHIP,
                Action.CHOOSE_INDIRECT_RESELLER, Action.CHOOSE_PROVIDER, Action.SELL_THROUGH_RESELLERS,
                Action.DELEGATED_ADMIN_FORCED, Action.ATTEST_AS_PARTNER}  # fmt: skip


@pytest.mark.parametrize(
    ("cloud", "partner_type", "expected"),
    [
        ("commercial", Partner.Type.DIRECT_BILL, {Action.MANAGE_PARTNERSHIPS, Action.ATTEST_AS_PARTNER}),
        ("commercial", Partner.Type.INDIRECT_PROVIDER,
         {Action.MANAGE_PARTNERSHIPS, Action.REQUEST_PARTNERSHIP, Action.CHOOSE_INDIRECT_RESELLER,
          Action.SELL_THROUGH_RESELLERS, Action.ATTEST_AS_PARTNER}),
        ("commercial", Partner.Type.INDIRECT_RESELLER,
         {Action.MANAGE_PARTNERSHIPS, Action.AUTHORIZE_PARTNERSHIP, Action.CHOOSE_PROVIDER}),
        # The US Government cloud has no indirect model: whatever the partner type, none of it, and DAP is forced.
        ("us_gov", Partner.Type.DIRECT_BILL, {Action.DELEGATED_ADMIN_FORCED, Action.ATTEST_AS_PARTNER}),
        ("us_gov", Partner.Type.INDIRECT_PROVIDER, {Action.DELEGATED_ADMIN_FORCED, Action.ATTEST_AS_PARTNER}),
        ("us_gov", Partner.Type.INDIRECT_RESELLER, {Action.DELEGATED_ADMIN_FORCED}),
    ],
)  # fmt: skip
def test_partner_type_and_cloud_fold_into_the_actions(db, settings, cloud, partner_type, expected):
    settings.PORTAL_CLOUD = cloud
    # An admin agent holds every role action the capabilities build on.
    assert _actions(partner_type, "admin_agent") & CAPABILITIES == expected


def test_capabilities_need_the_role_actions_they_build_on(db, settings):
    settings.PORTAL_CLOUD = "commercial"
    helpdesk = _actions(Partner.Type.INDIRECT_PROVIDER, "helpdesk_agent")
    assert Action.REQUEST_PARTNERSHIP not in helpdesk and Action.CHOOSE_INDIRECT_RESELLER not in helpdesk
    assert Action.SELL_THROUGH_RESELLERS in helpdesk
    assert Action.ATTEST_AS_PARTNER not in _actions(Partner.Type.DIRECT_BILL, "global_admin")


def test_only_whole_partner_staff_see_the_whole_partner(world):
    assert policy.has_action(world.users["helpdesk_agent"], Action.SEE_WHOLE_PARTNER)
    agent = make_user(world.partner_a, "helpdesk_agent", scope=Scope.ASSIGNED)
    assert not policy.has_action(agent, Action.SEE_WHOLE_PARTNER)
    assert policy.user_actions(world.users["no_role"]) == frozenset()


def test_action_names_split_into_app_label_and_codename():
    assert (Action.CHANGE_PURCHASE_PERMISSION.app_label, Action.CHANGE_PURCHASE_PERMISSION.codename) == (
        "customers",
        "change_purchase_permission",
    )
    assert Action.VIEW_CUSTOMER == "customers.view_customer"
    assert "customers.view_customer" in {Action.VIEW_CUSTOMER}


def test_a_user_of_another_partner_never_sees_a_shared_name(world):
    other = make_partner()
    make_user(other, "global_admin")
    twin = make_customer(other, data={"company_name": world.customer_in.company_name})
    visible = policy.restrict(Customer.objects.all(), world.users["sales_agent"], Action.VIEW_CUSTOMER)
    assert twin.pk not in set(visible.values_list("pk", flat=True))


def test_every_model_holding_partner_data_declares_its_scope():
    holders = {Partner, Customer}
    gate = set(policy.object_permission_models())
    unregistered = [
        model._meta.label
        for model in apps.get_models()
        if model not in gate
        and model not in policy.registered_models()
        and (
            model in holders
            or any(f.many_to_one and f.related_model in holders for f in model._meta.get_fields() if f.is_relation)
        )
        and model is not Partner
    ]
    assert unregistered == []
    assert policy.scope_rule(Subscription).by is policy.By.PARTNER_AND_CUSTOMER


def test_a_role_table_change_needs_no_data_migration(world, monkeypatch, django_user_model):
    rows = list(CustomerGroupObjectPermission.objects.values_list("pk", flat=True).order_by("pk"))
    helpdesk = django_user_model.objects.get(pk=world.users["helpdesk_agent"].pk)
    assert not policy.can(helpdesk, Action.MANAGE_TAGS, world.customer_in)
    monkeypatch.setitem(
        roles.ROLE_ACTIONS, Role.HELPDESK_AGENT, roles.ROLE_ACTIONS[Role.HELPDESK_AGENT] | {Action.MANAGE_TAGS}
    )
    helpdesk = django_user_model.objects.get(pk=helpdesk.pk)
    assert policy.can(helpdesk, Action.MANAGE_TAGS, world.customer_in)
    assert not policy.can(helpdesk, Action.MANAGE_TAGS, world.customer_out)
    assert list(CustomerGroupObjectPermission.objects.values_list("pk", flat=True).order_by("pk")) == rows
