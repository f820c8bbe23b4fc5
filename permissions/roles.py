"""The role table: which actions each staff role may take. The single source of truth for PRODUCT.md §2."""

from __future__ import annotations

# The four role enums live in the core (the staff model stores them); re-exported for the role table's callers.
from partnerportal.roles import AdminRole, AgentRole, Role, Scope  # noqa: F401 -- re-exported


class Action:
    """Permission names, spelled once. Object actions are granted per customer through guardian."""

    # Per customer (guardian object permissions on customers.Customer).
    VIEW_CUSTOMER = "customers.view_customer"
    CHANGE_CUSTOMER = "customers.change_customer"
    MANAGE_TAGS = "customers.manage_customer_tags"
    MANAGE_SUBSCRIPTIONS = "customers.manage_subscriptions"
    ATTEST_AGREEMENT = "customers.attest_customer_agreement"
    INVITE_CUSTOMER = "customers.invite_customer"
    END_RELATIONSHIP = "customers.end_relationship"
    CHANGE_PURCHASE_PERMISSION = "customers.change_purchase_permission"

    # Partner-wide (no object; the role alone decides).
    ADD_CUSTOMER = "customers.add_customer"
    IMPORT_CUSTOMERS = "customers.import_customers"
    # The list of ended relationships and restore invitations: those customers are out of reach per object.
    RESTORE_RELATIONSHIP = "relationships.restore_relationship"
    MANAGE_PARTNERSHIPS = "relationships.manage_partnership"
    MANAGE_STAFF = "partnerportal.manage_staff"
    VIEW_ACTIVITY = "activity.view_activity"


# Actions checked against a specific customer. Their codenames are declared in Customer.Meta.permissions
# (or are Django's default view/change), so guardian can store them as object permissions.
OBJECT_ACTIONS: frozenset[str] = frozenset(
    {
        Action.VIEW_CUSTOMER,
        Action.CHANGE_CUSTOMER,
        Action.MANAGE_TAGS,
        Action.MANAGE_SUBSCRIPTIONS,
        Action.ATTEST_AGREEMENT,
        Action.INVITE_CUSTOMER,
        Action.END_RELATIONSHIP,
        Action.CHANGE_PURCHASE_PERMISSION,
    }
)

_ALL_READ = {Action.VIEW_CUSTOMER, Action.CHANGE_CUSTOMER}

ROLE_ACTIONS: dict[Role, frozenset[str]] = {
    Role.GLOBAL_ADMIN: frozenset(
        _ALL_READ
        | {
            Action.ADD_CUSTOMER,
            Action.MANAGE_TAGS,
            Action.MANAGE_SUBSCRIPTIONS,
            Action.INVITE_CUSTOMER,
            Action.END_RELATIONSHIP,
            Action.RESTORE_RELATIONSHIP,
            Action.IMPORT_CUSTOMERS,
            Action.MANAGE_PARTNERSHIPS,
            Action.MANAGE_STAFF,
            Action.VIEW_ACTIVITY,
        }
    ),
    Role.ADMIN_AGENT: frozenset(
        _ALL_READ
        | {
            Action.ADD_CUSTOMER,
            Action.MANAGE_TAGS,
            Action.MANAGE_SUBSCRIPTIONS,
            Action.ATTEST_AGREEMENT,
            Action.INVITE_CUSTOMER,
            Action.END_RELATIONSHIP,
            Action.CHANGE_PURCHASE_PERMISSION,
            Action.RESTORE_RELATIONSHIP,
            Action.IMPORT_CUSTOMERS,
            Action.MANAGE_PARTNERSHIPS,
            Action.VIEW_ACTIVITY,
        }
    ),
    Role.SALES_AGENT: frozenset(
        _ALL_READ
        | {
            Action.ADD_CUSTOMER,
            Action.MANAGE_SUBSCRIPTIONS,
            Action.ATTEST_AGREEMENT,
            Action.INVITE_CUSTOMER,
            Action.MANAGE_PARTNERSHIPS,
        }
    ),
    Role.HELPDESK_AGENT: frozenset(_ALL_READ),
}


def actions_for_roles(roles: list[Role] | tuple[Role, ...]) -> frozenset[str]:
    """Return the union of actions granted by the given roles."""
    result: set[str] = set()
    for role in roles:
        result |= ROLE_ACTIONS[Role(role)]
    return frozenset(result)


def object_codenames(role: Role) -> list[str]:
    """Return the bare codenames ("view_customer") of the per-customer actions a role holds."""
    return sorted(action.split(".", 1)[1] for action in ROLE_ACTIONS[role] & OBJECT_ACTIONS)
