"""The role table: which actions each staff role may take. The single source of truth for PRODUCT.md §2."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The four role enums live in the core (the staff model stores them); re-exported for the role table's callers.
from partnerportal.roles import AdminRole, AgentRole, Role, Scope  # noqa: F401 -- re-exported


class Action(StrEnum):
    """Every action a user may hold, spelled once (Saleor's permission enums).

    A member is its permission name ("customers.view_customer"), so it compares equal to the string and templates
    can keep testing `"customers.x" in can`. Per-customer actions are decided on reachable customers (see
    `policy`); capabilities (the second block) name what the partner type and the cloud allow on top of the roles.
    """

    # Per customer: the role decides the action, the customer must be reachable (guardian's view_customer).
    VIEW_CUSTOMER = "customers.view_customer"
    CHANGE_CUSTOMER = "customers.change_customer"
    MANAGE_TAGS = "customers.manage_customer_tags"
    MANAGE_SUBSCRIPTIONS = "customers.manage_subscriptions"
    ATTEST_AGREEMENT = "customers.attest_customer_agreement"
    INVITE_CUSTOMER = "customers.invite_customer"
    END_RELATIONSHIP = "customers.end_relationship"
    CHANGE_PURCHASE_PERMISSION = "customers.change_purchase_permission"
    # Admin relationships (granular delegated admin) on a customer: everyone with customer access reads them; only
    # an admin agent requests and terminates them (like purchase permissions: a global admin alone does not).
    VIEW_ADMIN_RELATIONSHIP = "adminrelationships.view_adminrelationship"
    MANAGE_ADMIN_RELATIONSHIP = "adminrelationships.manage_adminrelationship"

    # Partner-wide (no object; the role alone decides).
    ADD_CUSTOMER = "customers.add_customer"
    IMPORT_CUSTOMERS = "customers.import_customers"
    # The list of ended relationships and restore invitations: those customers are out of reach per object.
    RESTORE_RELATIONSHIP = "relationships.restore_relationship"
    MANAGE_PARTNERSHIPS = "relationships.manage_partnership"
    MANAGE_STAFF = "partnerportal.manage_staff"
    # The partner's own settings (require MFA for all staff).
    CHANGE_PARTNER_SETTINGS = "partnerportal.change_partner_settings"
    VIEW_ACTIVITY = "activity.view_activity"
    # One's own API tokens (the API itself then decides every request by the token's user's other actions).
    USE_API = "api.use_api"
    # The partner's security groups of staff, to which admin relationships' roles are assigned.
    MANAGE_SECURITY_GROUPS = "adminrelationships.manage_securitygroup"
    # The partner's webhook endpoints and their delivery logs (a global admin's alone).
    MANAGE_WEBHOOKS = "webhooks.manage_webhookendpoint"
    # The partner's business profile (every staff user reads it; a global admin edits, publishes and deletes it).
    VIEW_BUSINESS_PROFILE = "profiles.view_businessprofile"
    MANAGE_BUSINESS_PROFILE = "profiles.manage_businessprofile"
    # Leads sent through the find-a-partner directory: view, accept, decline, win, lose, convert.
    WORK_LEADS = "leads.work_lead"

    # Capabilities: folded in from the user's scope, the partner type and the cloud (see CONTEXT_RULES).
    SEE_WHOLE_PARTNER = "permissions.see_whole_partner"
    ATTEST_AS_PARTNER = "customers.attest_as_partner"
    REQUEST_PARTNERSHIP = "relationships.request_partnership"
    AUTHORIZE_PARTNERSHIP = "relationships.authorize_partnership"
    CHOOSE_INDIRECT_RESELLER = "customers.choose_indirect_reseller"
    CHOOSE_PROVIDER = "relationships.choose_provider"
    SELL_THROUGH_RESELLERS = "customers.sell_through_resellers"
    DELEGATED_ADMIN_FORCED = "relationships.delegated_admin_forced"

    @property
    def app_label(self) -> str:
        """The app part of the permission name ("customers")."""
        return self.value.partition(".")[0]

    @property
    def codename(self) -> str:
        """The codename part of the permission name ("view_customer")."""
        return self.value.partition(".")[2]


# The one object permission guardian stores: "this partner's staff (or this assigned user) may reach this customer".
REACH = Action.VIEW_CUSTOMER

# Actions checked against a specific customer: held on every reachable customer when the user's roles grant them.
OBJECT_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.VIEW_CUSTOMER,
        Action.CHANGE_CUSTOMER,
        Action.MANAGE_TAGS,
        Action.MANAGE_SUBSCRIPTIONS,
        Action.ATTEST_AGREEMENT,
        Action.INVITE_CUSTOMER,
        Action.END_RELATIONSHIP,
        Action.CHANGE_PURCHASE_PERMISSION,
        Action.VIEW_ADMIN_RELATIONSHIP,
        Action.MANAGE_ADMIN_RELATIONSHIP,
    }
)

_ALL_READ = {
    Action.VIEW_CUSTOMER,
    Action.CHANGE_CUSTOMER,
    Action.VIEW_ADMIN_RELATIONSHIP,
    Action.USE_API,
    Action.VIEW_BUSINESS_PROFILE,
}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
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
            Action.CHANGE_PARTNER_SETTINGS,
            Action.VIEW_ACTIVITY,
            Action.MANAGE_SECURITY_GROUPS,
            Action.MANAGE_WEBHOOKS,
            Action.MANAGE_BUSINESS_PROFILE,
            Action.WORK_LEADS,
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
            Action.MANAGE_ADMIN_RELATIONSHIP,
            Action.RESTORE_RELATIONSHIP,
            Action.IMPORT_CUSTOMERS,
            Action.MANAGE_PARTNERSHIPS,
            Action.VIEW_ACTIVITY,
            Action.MANAGE_SECURITY_GROUPS,
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
            Action.WORK_LEADS,
        }
    ),
    Role.HELPDESK_AGENT: frozenset(_ALL_READ),
}


# Partner types and clouds, as stored in Partner.type and settings.PORTAL_CLOUD.
DIRECT_BILL, INDIRECT_PROVIDER, INDIRECT_RESELLER = "direct_bill", "indirect_provider", "indirect_reseller"
COMMERCIAL, US_GOV = "commercial", "us_gov"
ANY_PARTNER = frozenset({DIRECT_BILL, INDIRECT_PROVIDER, INDIRECT_RESELLER})
ANY_CLOUD = frozenset({COMMERCIAL, US_GOV})


@dataclass(frozen=True)
class ContextRule:
    """A capability held by users whose roles grant `needs`, at a partner of one of `partner_types`, in `clouds`."""

    action: Action
    needs: Action
    partner_types: frozenset[str] = ANY_PARTNER
    clouds: frozenset[str] = ANY_CLOUD


# How the partner type and the cloud narrow and extend the role table (PRODUCT.md §2, §5, §7).
CONTEXT_RULES: tuple[ContextRule, ...] = (
    # An indirect reseller never attests the agreement itself (its provider does): the page explains, nothing offers it.
    ContextRule(
        Action.ATTEST_AS_PARTNER,
        needs=Action.ATTEST_AGREEMENT,
        partner_types=frozenset({DIRECT_BILL, INDIRECT_PROVIDER}),
    ),
    # The partner type decides the side of a partnership (the pages themselves need MANAGE_PARTNERSHIPS).
    ContextRule(
        Action.REQUEST_PARTNERSHIP, needs=Action.MANAGE_PARTNERSHIPS, partner_types=frozenset({INDIRECT_PROVIDER})
    ),
    ContextRule(
        Action.AUTHORIZE_PARTNERSHIP, needs=Action.MANAGE_PARTNERSHIPS, partner_types=frozenset({INDIRECT_RESELLER})
    ),
    # A provider's customers may be sold through one of its resellers: lists show the reseller.
    ContextRule(
        Action.SELL_THROUGH_RESELLERS, needs=Action.VIEW_CUSTOMER, partner_types=frozenset({INDIRECT_PROVIDER})
    ),
    ContextRule(
        Action.CHOOSE_INDIRECT_RESELLER, needs=Action.ADD_CUSTOMER, partner_types=frozenset({INDIRECT_PROVIDER})
    ),
    # A reseller names the indirect provider it sells a new customer through.
    ContextRule(Action.CHOOSE_PROVIDER, needs=Action.VIEW_CUSTOMER, partner_types=frozenset({INDIRECT_RESELLER})),
    # US Government: every relationship asks for delegated admin privileges.
    ContextRule(Action.DELEGATED_ADMIN_FORCED, needs=Action.VIEW_CUSTOMER, clouds=frozenset({US_GOV})),
)


# Features a cloud does not have at all (reference §15): the one place the cloud takes something away. Their pages
# (and API endpoints) answer 404 there to everyone, anonymous visitors included, not 403; their actions are never
# held there, so navigation, buttons and form options that test the actions disappear with them.
US_GOV_WITHHELD: frozenset[Action] = frozenset(
    {
        # Business profile, the find-a-partner directory and leads (referrals).
        Action.VIEW_BUSINESS_PROFILE,
        Action.MANAGE_BUSINESS_PROFILE,
        Action.WORK_LEADS,
        # The indirect provider/reseller model and its settings: the partnership pages (MANAGE_PARTNERSHIPS is
        # their permission), either side of a partnership, and every indirect option on other pages (the reseller
        # a provider adds a customer for, the provider a reseller invites through, the reseller column and filter).
        Action.MANAGE_PARTNERSHIPS,
        Action.REQUEST_PARTNERSHIP,
        Action.AUTHORIZE_PARTNERSHIP,
        Action.CHOOSE_INDIRECT_RESELLER,
        Action.CHOOSE_PROVIDER,
        Action.SELL_THROUGH_RESELLERS,
    }
)
CLOUD_FEATURES: dict[str, frozenset[Action]] = {COMMERCIAL: frozenset(), US_GOV: US_GOV_WITHHELD}


def cloud_withholds(action: str, *, cloud: str) -> bool:
    """True when the cloud has no such feature at all (the action is never held there, whatever the role)."""
    return action in CLOUD_FEATURES[cloud]


def context_actions(actions: frozenset[Action], *, partner_type: str, cloud: str) -> frozenset[Action]:
    """The role actions extended with the capabilities the partner type and the cloud allow (CONTEXT_RULES).

    What the cloud withholds is taken away before the rules (so no capability builds on it) and after them (so no
    capability it names is added back).
    """
    withheld = CLOUD_FEATURES[cloud]
    actions = actions - withheld
    extra = {
        rule.action
        for rule in CONTEXT_RULES
        if rule.needs in actions and partner_type in rule.partner_types and cloud in rule.clouds
    }
    return (actions | extra) - withheld


def actions_for_roles(roles: list[Role] | tuple[Role, ...]) -> frozenset[Action]:
    """Return the union of actions granted by the given roles."""
    result: set[Action] = set()
    for role in roles:
        result |= ROLE_ACTIONS[Role(role)]
    return frozenset(result)
