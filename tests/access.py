"""The access matrix: the product's access specification, written by hand (never derived from roles.py).

One row per URL name × target × method (and, where a route is worth showing both, × body). Columns are the
expected HTTP status for:
  anon  — not signed in          ga — global admin      aa — admin agent
  sa    — sales agent            hd — helpdesk agent    none — signed in, no role
  asg   — an admin agent whose scope is "assigned customers only", assigned `customer_in` only
all of partner A. Targets name the object in the URL: `customer_in` belongs to partner A (in scope),
`customer_out` to partner B (out of scope: 404, never 403, so its existence is not revealed), and
`customer_unassigned` is partner A's customer that is not assigned to the `asg` user (in scope for every
whole-partner role; 404 for `asg`). The assigned-scope column is an admin agent because that role holds every
per-customer action (view, edit, tags, agreement, invite, end and restore, purchase permissions), so each of
those routes shows the assignment deciding, not the role.

302 for anon means "sent to the login page" (checked by the test), except on the public routes listed in
PUBLIC_ROUTES; a 302 for a signed-in user is a success redirect. Every denied POST must leave the database unchanged
(checked by the test). An allowed POST sends a valid `body` (named in tests/access_effects.py BODIES) and proves
its `effect`: the named check (tests/access_effects.py EFFECTS) holds afterwards, and exactly the listed activity
entries were written, by the signed-in user unless `by_user` is False. A row with body "empty" shows the invalid
case: the form comes back and nothing is written.
PRODUCT.md §1–§2 is the source of these rows.
"""

from __future__ import annotations

from typing import NamedTuple

from activity.services import Actions

GET, POST, PATCH, PUT = "GET", "POST", "PATCH", "PUT"


class Effect(NamedTuple):
    check: str  # what must be true after an allowed request (a name in tests/access_effects.py EFFECTS)
    actions: tuple[str, ...] = ()  # the activity entries the request writes, no more and no fewer
    by_user: bool = True  # whether those entries name the signed-in user as the actor
    anon_actions: tuple[str, ...] | None = None  # the entries when not signed in, where they differ from `actions`


class Row(NamedTuple):
    url_name: str
    target: str | None
    method: str
    anon: int
    ga: int
    aa: int
    sa: int
    hd: int
    none: int
    asg: int
    body: str | None = None  # POST body: a name in tests/access_effects.py BODIES (None: empty)
    effect: Effect | None = None  # what an allowed POST must have done (required for every allowed write)


# Routes open to anonymous visitors: a 302 there is the page working, not a refusal.
PUBLIC_ROUTES = {
    "set_language",
    "login",
    "logout",
    "healthz",
    "password_reset",
    "relationships:invitation_accept",
    "staff:set_password",
    "adminrelationships:adminrelationship_approve",
    # the API's schema and reference page describe the API; they hold no data
    "api:schema",
    "api:docs",
}

R, E = Row, Effect
NOTHING = E("nothing written")
# fmt: off
ROWS: list[Row] = [
    # ---------------------------------------------------- portal shell and sign-in
    #  url name                           target          method anon ga   aa   sa   hd   none asg
    R("home",                                 None,           GET,  302, 302, 302, 302, 302, 200, 302),
    R("healthz",                              None,           GET,  200, 200, 200, 200, 200, 200, 200),
    R("healthz",                              None,           POST, 405, 405, 405, 405, 405, 405, 405),
    R("set_language",                         None,           POST, 302, 302, 302, 302, 302, 302, 302,
      "language ko", E("language chosen")),
    R("login",                                None,           GET,  200, 302, 302, 302, 302, 302, 302),
    # Signed-in users are sent on (already signed in); an anonymous visitor with valid credentials signs in.
    R("login",                                None,           POST, 302, 302, 302, 302, 302, 302, 302,
      "sales agent's credentials",
      # Only the anonymous visitor signs in (and it is logged); signed-in users are just sent on.
      E("signed in", (), by_user=False, anon_actions=(Actions.AUTH_SIGN_IN,))),
    R("login",                                None,           POST, 200, 302, 302, 302, 302, 302, 302,
      "empty", NOTHING),
    R("logout",                               None,           POST, 302, 302, 302, 302, 302, 302, 302,
      None, E("signed out", (Actions.AUTH_SIGN_OUT,), anon_actions=())),
    R("password_change",                      None,           GET,  302, 200, 200, 200, 200, 200, 200),
    R("password_change",                      None,           POST, 302, 302, 302, 302, 302, 302, 302,
      "old and new password", E("password changed", (Actions.AUTH_PASSWORD_CHANGE,))),
    R("password_change",                      None,           POST, 302, 200, 200, 200, 200, 200, 200,
      "empty", NOTHING),
    R("password_change_done",                 None,           GET,  302, 200, 200, 200, 200, 200, 200),
    R("password_reset",                       None,           GET,  200, 200, 200, 200, 200, 200, 200),
    R("password_reset",                       None,           POST, 302, 302, 302, 302, 302, 302, 302,
      "sales agent's email", E("reset email queued")),
    R("password_reset",                       None,           POST, 200, 200, 200, 200, 200, 200, 200,
      "empty", NOTHING),
    R("password_reset_done",                  None,           GET,  200, 200, 200, 200, 200, 200, 200),
    R("password_reset_confirm",               "reset_token",  GET,  200, 200, 200, 200, 200, 200, 200),
    R("password_reset_complete",              None,           GET,  200, 200, 200, 200, 200, 200, 200),
    # ---------------------------------------------------- customers
    R("customers:customer_list",              None,           GET,  302, 200, 200, 200, 200, 403, 200),
    R("customers:customer_list",              None,           POST, 302, 405, 405, 405, 405, 403, 405),
    R("customers:customer_detail",            "customer_in",  GET,  302, 200, 200, 200, 200, 403, 200),
    R("customers:customer_detail",            "customer_out", GET,  302, 404, 404, 404, 404, 403, 404),
    R("customers:customer_detail",            "customer_unassigned", GET, 302, 200, 200, 200, 200, 403, 404),
    # ---------------------------------------------------- customers: add, edit, agreement, domain check
    # The assigned-scope agent may add a customer; it is not assigned to them, so they land on the list.
    R("customers:customer_create",            None,           GET,  302, 200, 200, 200, 403, 403, 200),
    R("customers:customer_create",            None,           POST, 302, 302, 302, 302, 403, 403, 302,
      "valid customer", E("customer created", (Actions.CUSTOMER_CREATE,))),
    R("customers:customer_create",            None,           POST, 302, 200, 200, 200, 403, 403, 200,
      "empty", NOTHING),
    R("customers:domain_check",               None,           GET,  302, 200, 200, 200, 403, 403, 200),
    R("customers:domain_check",               None,           POST, 302, 405, 405, 405, 403, 403, 405),
    R("customers:customer_update",            "customer_in",  GET,  302, 200, 200, 200, 200, 403, 200),
    R("customers:customer_update",            "customer_in",  POST, 302, 302, 302, 302, 302, 403, 302,
      "customer, city changed", E("customer changed", (Actions.CUSTOMER_UPDATE,))),
    R("customers:customer_update",            "customer_in",  POST, 302, 200, 200, 200, 200, 403, 200,
      "empty", NOTHING),
    R("customers:customer_update",            "customer_out", GET,  302, 404, 404, 404, 404, 403, 404),
    R("customers:customer_update",            "customer_out", POST, 302, 404, 404, 404, 404, 403, 404,
      "customer, city changed"),
    R("customers:customer_update",            "customer_unassigned", GET,  302, 200, 200, 200, 200, 403, 404),
    R("customers:customer_update",            "customer_unassigned", POST, 302, 302, 302, 302, 302, 403, 404,
      "customer, city changed", E("customer changed", (Actions.CUSTOMER_UPDATE,))),
    # The customer agreement: admin and sales agents only (Partner Center), so a global admin gets 403.
    R("customers:customer_agreement",         "customer_in",  GET,  302, 403, 200, 200, 403, 403, 200),
    R("customers:customer_agreement",         "customer_in",  POST, 302, 403, 302, 302, 403, 403, 302,
      "agreement attested", E("agreement attested", (Actions.CUSTOMER_AGREEMENT_ATTEST,))),
    R("customers:customer_agreement",         "customer_out", GET,  302, 403, 404, 404, 403, 403, 404),
    R("customers:customer_agreement",         "customer_out", POST, 302, 403, 404, 404, 403, 403, 404,
      "agreement attested"),
    R("customers:customer_agreement",         "customer_unassigned", GET,  302, 403, 200, 200, 403, 403, 404),
    R("customers:customer_agreement",         "customer_unassigned", POST, 302, 403, 302, 302, 403, 403, 404,
      "agreement attested", E("agreement attested", (Actions.CUSTOMER_AGREEMENT_ATTEST,))),
    # ---------------------------------------------------- customers: export, lookup, tags, subscriptions
    R("customers:customer_export",            None,           GET,  302, 200, 200, 200, 200, 403, 200),
    R("customers:customer_export",            None,           POST, 302, 405, 405, 405, 405, 403, 405),
    R("customers:customer_lookup",            None,           GET,  302, 200, 200, 200, 200, 403, 200),
    R("customers:customer_lookup",            None,           POST, 302, 405, 405, 405, 405, 403, 405),
    R("customers:customer_tags",              "customer_in",  GET,  302, 200, 200, 403, 403, 403, 200),
    R("customers:customer_tags",              "customer_in",  POST, 302, 302, 302, 403, 403, 403, 302,
      "new tag VIP", E("tagged VIP", (Actions.TAGS_UPDATE,))),
    R("customers:customer_tags",              "customer_out", GET,  302, 404, 404, 403, 403, 403, 404),
    R("customers:customer_tags",              "customer_out", POST, 302, 404, 404, 403, 403, 403, 404, "new tag VIP"),
    R("customers:customer_tags",              "customer_unassigned", GET,  302, 200, 200, 403, 403, 403, 404),
    R("customers:customer_tags",              "customer_unassigned", POST, 302, 302, 302, 403, 403, 403, 404,
      "new tag VIP", E("tagged VIP", (Actions.TAGS_UPDATE,))),
    R("customers:subscription_create",        "customer_in",  GET,  302, 200, 200, 200, 403, 403, 200),
    R("customers:subscription_create",        "customer_in",  POST, 302, 302, 302, 302, 403, 403, 302,
      "subscription E3", E("subscription added", (Actions.SUBSCRIPTION_CREATE,))),
    R("customers:subscription_create",        "customer_out", GET,  302, 404, 404, 404, 403, 403, 404),
    R("customers:subscription_create",        "customer_out", POST, 302, 404, 404, 404, 403, 403, 404,
      "subscription E3"),
    R("customers:subscription_create",        "customer_unassigned", GET,  302, 200, 200, 200, 403, 403, 404),
    R("customers:subscription_create",        "customer_unassigned", POST, 302, 302, 302, 302, 403, 403, 404,
      "subscription E3", E("subscription added", (Actions.SUBSCRIPTION_CREATE,))),
    # subscription_in/out: partner A's subscription of customer_in, partner B's of customer_out; mismatch: B's
    # subscription addressed through A's customer; unassigned: A's subscription of customer_unassigned.
    # POST-only: a GET is refused (405) before any lookup.
    R("customers:subscription_status",        "subscription_in",  GET,  302, 405, 405, 405, 403, 403, 405),
    R("customers:subscription_status",        "subscription_in",  POST, 302, 302, 302, 302, 403, 403, 302,
      "suspend", E("subscription suspended", (Actions.SUBSCRIPTION_STATUS,))),
    R("customers:subscription_status",        "subscription_out", GET,  302, 405, 405, 405, 403, 403, 405),
    R("customers:subscription_status",        "subscription_out", POST, 302, 404, 404, 404, 403, 403, 404, "suspend"),
    R("customers:subscription_status",        "subscription_mismatch", POST, 302, 404, 404, 404, 403, 403, 404,
      "suspend"),
    R("customers:subscription_status",        "subscription_unassigned", POST, 302, 302, 302, 302, 403, 403, 404,
      "suspend", E("subscription suspended", (Actions.SUBSCRIPTION_STATUS,))),
    # ---------------------------------------------------- relationships: invitations and acceptance
    # An assigned-scope user reaches the invitations they sent and those for customers assigned to them:
    # invitation_in was sent by the global admin to a new customer (404 for asg), invitation_by_assigned by asg.
    R("relationships:invitation_list",        None,           GET,  302, 200, 200, 200, 403, 403, 200),
    R("relationships:invitation_list",        None,           POST, 302, 405, 405, 405, 403, 403, 405),
    R("relationships:invitation_create",      None,           GET,  302, 200, 200, 200, 403, 403, 200),
    # The raw link exists only in this response, so it is shown (200) rather than redirected to.
    R("relationships:invitation_create",      None,           POST, 302, 200, 200, 200, 403, 403, 200,
      "invitation", E("invitation sent", (Actions.INVITATION_CREATE,))),
    R("relationships:invitation_create",      None,           POST, 302, 200, 200, 200, 403, 403, 200,
      "empty", NOTHING),
    R("relationships:invitation_resend",      "invitation_in",  GET,  302, 405, 405, 405, 403, 403, 405),
    R("relationships:invitation_resend",      "invitation_in",  POST, 302, 200, 200, 200, 403, 403, 404,
      None, E("invitation resent", (Actions.INVITATION_RESEND,))),
    R("relationships:invitation_resend",      "invitation_by_assigned", POST, 302, 200, 200, 200, 403, 403, 200,
      None, E("invitation resent", (Actions.INVITATION_RESEND,))),
    R("relationships:invitation_resend",      "invitation_out", GET,  302, 405, 405, 405, 403, 403, 405),
    R("relationships:invitation_resend",      "invitation_out", POST, 302, 404, 404, 404, 403, 403, 404),
    R("relationships:invitation_revoke",      "invitation_in",  GET,  302, 405, 405, 405, 403, 403, 405),
    R("relationships:invitation_revoke",      "invitation_in",  POST, 302, 302, 302, 302, 403, 403, 404,
      None, E("invitation revoked", (Actions.INVITATION_REVOKE,))),
    R("relationships:invitation_revoke",      "invitation_by_assigned", POST, 302, 302, 302, 302, 403, 403, 302,
      None, E("invitation revoked", (Actions.INVITATION_REVOKE,))),
    R("relationships:invitation_revoke",      "invitation_out", GET,  302, 405, 405, 405, 403, 403, 405),
    R("relationships:invitation_revoke",      "invitation_out", POST, 302, 404, 404, 404, 403, 403, 404),
    # The public acceptance page: anyone with a valid link, signed in or not; an empty POST re-shows the form.
    R("relationships:invitation_accept",      "invite_token",     GET,  200, 200, 200, 200, 200, 200, 200),
    R("relationships:invitation_accept",      "invite_token",     POST, 200, 200, 200, 200, 200, 200, 200,
      "acceptance, new customer",
      E("invitation accepted", (Actions.INVITATION_ACCEPT,), by_user=False)),
    R("relationships:invitation_accept",      "invite_token",     POST, 200, 200, 200, 200, 200, 200, 200,
      "empty", NOTHING),
    R("relationships:invitation_accept",      "invite_token_bad", GET,  404, 404, 404, 404, 404, 404, 404),
    R("relationships:invitation_accept",      "invite_token_bad", POST, 404, 404, 404, 404, 404, 404, 404,
      "acceptance, new customer"),
    # ---------------------------------------------------- relationships: end, restore, partnerships, import
    R("customers:relationship_end",           "customer_in",  GET,  302, 200, 200, 403, 403, 403, 200),
    R("customers:relationship_end",           "customer_in",  POST, 302, 302, 302, 403, 403, 403, 302,
      "end: reason and statement", E("relationship ended", (Actions.RELATIONSHIP_END,))),
    R("customers:relationship_end",           "customer_in",  POST, 302, 200, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("customers:relationship_end",           "customer_out", GET,  302, 404, 404, 403, 403, 403, 404),
    R("customers:relationship_end",           "customer_out", POST, 302, 404, 404, 403, 403, 403, 404,
      "end: reason and statement"),
    R("customers:relationship_end",           "customer_unassigned", GET,  302, 200, 200, 403, 403, 403, 404),
    R("customers:relationship_end",           "customer_unassigned", POST, 302, 302, 302, 403, 403, 403, 404,
      "end: reason and statement", E("relationship ended", (Actions.RELATIONSHIP_END,))),
    # Ended relationships: ending took every assignment to the customer, so the assigned agent no longer
    # reaches it (404); the list itself is theirs to open (it shows none of them).
    R("relationships:relationship_ended_list", None,          GET,  302, 200, 200, 403, 403, 403, 200),
    R("relationships:relationship_ended_list", None,          POST, 302, 405, 405, 403, 403, 403, 405),
    R("relationships:relationship_restore",   "ended_in",     GET,  302, 200, 200, 403, 403, 403, 404),
    R("relationships:relationship_restore",   "ended_in",     POST, 302, 200, 200, 403, 403, 403, 404,
      "restore invitation", E("restore invitation sent", (Actions.INVITATION_CREATE,))),
    R("relationships:relationship_restore",   "ended_out",    GET,  302, 404, 404, 403, 403, 403, 404),
    R("relationships:relationship_restore",   "ended_out",    POST, 302, 404, 404, 403, 403, 403, 404,
      "restore invitation"),
    # partner A is direct-bill: it has no partnerships (the list explains why) and may not request one.
    R("relationships:partnership_list",       None,           GET,  302, 200, 200, 200, 403, 403, 200),
    R("relationships:partnership_list",       None,           POST, 302, 405, 405, 405, 403, 403, 405),
    R("relationships:partnership_create",     None,           GET,  302, 403, 403, 403, 403, 403, 403),
    R("relationships:partnership_create",     None,           POST, 302, 403, 403, 403, 403, 403, 403,
      "partnership request"),
    # target "provider": partner A made an indirect provider. The raw link is shown in the response (200).
    R("relationships:partnership_create",     "provider",     GET,  302, 200, 200, 200, 403, 403, 200),
    R("relationships:partnership_create",     "provider",     POST, 302, 200, 200, 200, 403, 403, 200,
      "partnership request", E("partnership requested", (Actions.PARTNERSHIP_REQUEST,))),
    # target "partnership_token": a provider's link to partner A, made an indirect reseller.
    R("relationships:partnership_authorize",  "partnership_token", GET,  302, 200, 200, 200, 403, 403, 200),
    R("relationships:partnership_authorize",  "partnership_token", POST, 302, 302, 302, 302, 403, 403, 302,
      "confirm", E("partnership authorized", (Actions.PARTNERSHIP_AUTHORIZE, Actions.PARTNERSHIP_AUTHORIZE))),
    R("relationships:partnership_authorize",  "partnership_token", POST, 302, 200, 200, 200, 403, 403, 200,
      "empty", NOTHING),
    R("relationships:partnership_remove",     "partnership_in",  GET,  302, 405, 405, 405, 403, 403, 405),
    R("relationships:partnership_remove",     "partnership_in",  POST, 302, 302, 302, 302, 403, 403, 302,
      None, E("partnership removed", (Actions.PARTNERSHIP_REMOVE,))),
    R("relationships:partnership_remove",     "partnership_out", GET,  302, 405, 405, 405, 403, 403, 405),
    R("relationships:partnership_remove",     "partnership_out", POST, 302, 404, 404, 404, 403, 403, 404),
    # Import: the preview (a file) writes nothing; applying the signed preview imports its valid rows.
    R("relationships:customer_import",        None,           GET,  302, 200, 200, 403, 403, 403, 200),
    R("relationships:customer_import",        None,           POST, 302, 200, 200, 403, 403, 403, 200,
      "import file", E("import previewed, nothing written")),
    R("relationships:customer_import",        None,           POST, 302, 302, 302, 403, 403, 403, 302,
      "import payload", E("customer imported", (Actions.CUSTOMER_IMPORT,))),
    R("relationships:customer_import",        None,           POST, 302, 200, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("relationships:customer_import_template", None,         GET,  302, 200, 200, 403, 403, 403, 200),
    R("relationships:customer_import_template", None,         POST, 302, 405, 405, 403, 403, 403, 405),
    # ---------------------------------------------------- purchase permissions, activity log, staff
    R("customers:purchase_permissions",       "customer_in",  GET,  302, 200, 200, 200, 200, 403, 200),
    R("customers:purchase_permissions",       "customer_out", GET,  302, 404, 404, 404, 404, 403, 404),
    R("customers:purchase_permissions",       "customer_unassigned", GET, 302, 200, 200, 200, 200, 403, 404),
    # Only an admin agent changes purchase permissions: a global admin without the agent role gets 403.
    # azure_in / azure_unassigned: customer_in / customer_unassigned with an active Azure-plan subscription.
    R("customers:purchase_permissions",       "azure_in",     POST, 302, 403, 302, 403, 403, 403, 302,
      "reservations allowed", E("reservations allowed", (Actions.PURCHASE_PERMISSION_CREATE,))),
    R("customers:purchase_permissions",       "customer_out", POST, 302, 403, 404, 403, 403, 403, 404,
      "reservations allowed"),
    R("customers:purchase_permissions",       "azure_unassigned", POST, 302, 403, 302, 403, 403, 403, 404,
      "reservations allowed", E("reservations allowed", (Actions.PURCHASE_PERMISSION_CREATE,))),
    R("activity:activity_list",               None,           GET,  302, 200, 200, 403, 403, 403, 200),
    R("activity:activity_list",               None,           POST, 302, 405, 405, 403, 403, 403, 405),
    R("activity:activity_export",             None,           GET,  302, 200, 200, 403, 403, 403, 200),
    R("activity:activity_export",             None,           POST, 302, 405, 405, 403, 403, 403, 405),
    R("staff:user_list",                      None,           GET,  302, 200, 403, 403, 403, 403, 403),
    R("staff:user_list",                      None,           POST, 302, 405, 403, 403, 403, 403, 403),
    R("staff:user_create",                    None,           GET,  302, 200, 403, 403, 403, 403, 403),
    R("staff:user_create",                    None,           POST, 302, 302, 403, 403, 403, 403, 403,
      "new staff user", E("staff user added", (Actions.STAFF_CREATE,))),
    R("staff:user_create",                    None,           POST, 302, 200, 403, 403, 403, 403, 403,
      "empty", NOTHING),
    R("staff:user_update",                    "staff_user_in",  GET,  302, 200, 403, 403, 403, 403, 403),
    R("staff:user_update",                    "staff_user_in",  POST, 302, 302, 403, 403, 403, 403, 403,
      "staff user, role changed", E("staff user changed", (Actions.STAFF_UPDATE,))),
    R("staff:user_update",                    "staff_user_out", GET,  302, 404, 403, 403, 403, 403, 403),
    R("staff:user_update",                    "staff_user_out", POST, 302, 404, 403, 403, 403, 403, 403,
      "staff user, role changed"),
    R("staff:user_deactivate",                "staff_user_in",  GET,  302, 405, 403, 403, 403, 403, 403),
    R("staff:user_deactivate",                "staff_user_in",  POST, 302, 302, 403, 403, 403, 403, 403,
      None, E("staff user deactivated", (Actions.STAFF_DEACTIVATE,))),
    R("staff:user_deactivate",                "staff_user_out", POST, 302, 404, 403, 403, 403, 403, 403),
    R("staff:user_reactivate",                "staff_user_inactive", GET,  302, 405, 403, 403, 403, 403, 403),
    R("staff:user_reactivate",                "staff_user_inactive", POST, 302, 302, 403, 403, 403, 403, 403,
      None, E("staff user reactivated", (Actions.STAFF_REACTIVATE,))),
    R("staff:user_reactivate",                "staff_user_out", POST, 302, 404, 403, 403, 403, 403, 403),
    R("staff:user_reset_password",            "staff_user_in",  GET,  302, 405, 403, 403, 403, 403, 403),
    R("staff:user_reset_password",            "staff_user_in",  POST, 302, 302, 403, 403, 403, 403, 403,
      None, E("reset link sent", (Actions.STAFF_PASSWORD_RESET,))),
    R("staff:user_reset_password",            "staff_user_out", POST, 302, 404, 403, 403, 403, 403, 403),
    # The public page behind a set-password link: opening it changes nothing; the new password is the
    # invited user's own act (they are the actor, whoever else is signed in in that browser).
    R("staff:set_password",                   "set_password_token", GET,  200, 200, 200, 200, 200, 200, 200),
    R("staff:set_password",                   "set_password_token", POST, 302, 302, 302, 302, 302, 302, 302,
      "new password twice", E("password set", (Actions.STAFF_PASSWORD_SET,), by_user=False)),
    R("staff:set_password",                   "set_password_token", POST, 200, 200, 200, 200, 200, 200, 200,
      "empty", NOTHING),
    # ---------------------------------------------------- the acceptance page's mailbox code (issue 11 item 5)
    # The link alone accepts nothing, for anyone signed in or not (staff see the link): without a confirmed
    # address the code step comes back. Sending a code mails it to the invited address only; the right code
    # confirms the address in that browser session (by no user: the customer's act).
    R("relationships:invitation_accept",      "invite_token",     POST, 200, 200, 200, 200, 200, 200, 200,
      "acceptance, address not confirmed", NOTHING),
    R("relationships:invitation_accept",      "invite_token",     POST, 200, 200, 200, 200, 200, 200, 200,
      "send code", E("acceptance code sent", (Actions.INVITATION_CODE_SEND,), by_user=False)),
    R("relationships:invitation_accept",      "invite_token",     POST, 200, 200, 200, 200, 200, 200, 200,
      "right code", E("address confirmed", (Actions.INVITATION_CODE_VERIFY,), by_user=False)),
    R("relationships:invitation_accept",      "invite_token_bad", POST, 404, 404, 404, 404, 404, 404, 404,
      "send code"),
    # ---------------------------------------------------- multi-factor sign-in (own pages: every signed-in user)
    # The code step and re-authentication; the world's users have no authenticator, so the code page sends them on.
    R("mfa:verify",                           None,           GET,  302, 302, 302, 302, 302, 302, 302),
    R("mfa:verify",                           None,           POST, 302, 302, 302, 302, 302, 302, 302,
      "empty", NOTHING),
    R("mfa:reauth",                           None,           GET,  302, 200, 200, 200, 200, 200, 200),
    R("mfa:reauth",                           None,           POST, 302, 302, 302, 302, 302, 302, 302,
      "own password after a while", E("re-authenticated")),
    R("mfa:reauth",                           None,           POST, 302, 200, 200, 200, 200, 200, 200,
      "empty", NOTHING),
    R("mfa:overview",                         None,           GET,  302, 200, 200, 200, 200, 200, 200),
    R("mfa:overview",                         None,           POST, 302, 405, 405, 405, 405, 405, 405),
    R("mfa:setup",                            None,           GET,  302, 405, 405, 405, 405, 405, 405),
    R("mfa:setup",                            None,           POST, 302, 302, 302, 302, 302, 302, 302,
      None, E("authenticator set-up started")),
    # Without a set-up in progress the confirmation page sends the user back to the overview.
    R("mfa:confirm",                          None,           GET,  302, 302, 302, 302, 302, 302, 302),
    R("mfa:confirm",                          None,           POST, 302, 200, 200, 200, 200, 200, 200,
      "code from the pending authenticator", E("authenticator confirmed", (Actions.MFA_ENROL,))),
    R("mfa:recovery_codes",                   None,           GET,  302, 405, 405, 405, 405, 405, 405),
    R("mfa:recovery_codes",                   None,           POST, 302, 200, 200, 200, 200, 200, 200,
      "enrolled first", E("recovery codes regenerated", (Actions.MFA_RECOVERY_CODES_REGENERATE,))),
    # ---------------------------------------------------- partner security settings, MFA reset (global admins)
    R("staff:partner_security",               None,           GET,  302, 200, 403, 403, 403, 403, 403),
    R("staff:partner_security",               None,           POST, 302, 302, 403, 403, 403, 403, 403,
      "require MFA", E("MFA required", (Actions.MFA_REQUIREMENT_CHANGE,))),
    R("staff:user_mfa_reset",                 "staff_user_in",  GET,  302, 200, 403, 403, 403, 403, 403),
    R("staff:user_mfa_reset",                 "staff_user_in",  POST, 302, 302, 403, 403, 403, 403, 403,
      "target enrolled, confirmed", E("MFA reset", (Actions.MFA_RESET,))),
    R("staff:user_mfa_reset",                 "staff_user_in",  POST, 302, 200, 403, 403, 403, 403, 403,
      "empty", NOTHING),
    R("staff:user_mfa_reset",                 "staff_user_out", GET,  302, 404, 403, 403, 403, 403, 403),
    R("staff:user_mfa_reset",                 "staff_user_out", POST, 302, 404, 403, 403, 403, 403, 403,
      "confirm"),
    # ---------------------------------------------------- admin relationships (granular delegated admin), issue 12
    # Everyone with customer access reads them; only an admin agent requests and terminates (a global admin alone
    # does not, as with purchase permissions).
    # gdap_in: partner A's active one on customer_in (assigned to asg); gdap_unassigned: on A's other customer;
    # gdap_out: partner B's; gdap_token: the emailed link of A's pending request.
    #  url name                                          target             method anon ga   aa   sa   hd   none asg
    R("adminrelationships:adminrelationship_list",       None,              GET,  302, 200, 200, 200, 200, 403, 200),
    R("adminrelationships:adminrelationship_list",       None,              POST, 302, 405, 405, 405, 405, 403, 405),
    R("adminrelationships:adminrelationship_export",     None,              GET,  302, 200, 200, 200, 200, 403, 200),
    R("adminrelationships:adminrelationship_export",     None,              POST, 302, 405, 405, 405, 405, 403, 405),
    R("adminrelationships:adminrelationship_create",     None,              GET,  302, 403, 200, 403, 403, 403, 200),
    R("adminrelationships:adminrelationship_create",     None,              POST, 302, 403, 302, 403, 403, 403, 302,
      "admin relationship request", E("admin relationship requested", (Actions.ADMIN_RELATIONSHIP_REQUEST,))),
    R("adminrelationships:adminrelationship_create",     None,              POST, 302, 403, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("adminrelationships:adminrelationship_detail",     "gdap_in",         GET,  302, 200, 200, 200, 200, 403, 200),
    R("adminrelationships:adminrelationship_detail",     "gdap_in",         POST, 302, 405, 405, 405, 405, 403, 405),
    R("adminrelationships:adminrelationship_detail",     "gdap_unassigned", GET,  302, 200, 200, 200, 200, 403, 404),
    R("adminrelationships:adminrelationship_detail",     "gdap_out",        GET,  302, 404, 404, 404, 404, 403, 404),
    R("adminrelationships:adminrelationship_terminate",  "gdap_in",         GET,  302, 403, 200, 403, 403, 403, 200),
    R("adminrelationships:adminrelationship_terminate",  "gdap_in",         POST, 302, 403, 302, 403, 403, 403, 302,
      "terminate: reason and confirmation",
      E("admin relationship terminated", (Actions.ADMIN_RELATIONSHIP_TERMINATE,))),
    R("adminrelationships:adminrelationship_terminate",  "gdap_in",         POST, 302, 403, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("adminrelationships:adminrelationship_terminate",  "gdap_unassigned", GET,  302, 403, 200, 403, 403, 403, 404),
    R("adminrelationships:adminrelationship_terminate",  "gdap_unassigned", POST, 302, 403, 302, 403, 403, 403, 404,
      "terminate: reason and confirmation",
      E("admin relationship terminated", (Actions.ADMIN_RELATIONSHIP_TERMINATE,))),
    R("adminrelationships:adminrelationship_terminate",  "gdap_out",        GET,  302, 403, 404, 403, 403, 403, 404),
    R("adminrelationships:adminrelationship_terminate",  "gdap_out",        POST, 302, 403, 404, 403, 403, 403, 404,
      "terminate: reason and confirmation"),
    R("adminrelationships:adminrelationship_assign",     "gdap_in",         GET,  302, 403, 200, 403, 403, 403, 200),
    R("adminrelationships:adminrelationship_assign",     "gdap_in",         POST, 302, 403, 302, 403, 403, 403, 302,
      "assign group", E("roles assigned", (Actions.ADMIN_RELATIONSHIP_ASSIGN,))),
    R("adminrelationships:adminrelationship_assign",     "gdap_in",         POST, 302, 403, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("adminrelationships:adminrelationship_assign",     "gdap_unassigned", GET,  302, 403, 200, 403, 403, 403, 404),
    R("adminrelationships:adminrelationship_assign",     "gdap_out",        GET,  302, 403, 404, 403, 403, 403, 404),
    R("adminrelationships:adminrelationship_assign",     "gdap_out",        POST, 302, 403, 404, 403, 403, 403, 404,
      "assign group"),
    # "My admin access": every staff role sees the roles they hold through their groups.
    R("adminrelationships:my_admin_access",              None,              GET,  302, 200, 200, 200, 200, 403, 200),
    R("adminrelationships:my_admin_access",              None,              POST, 302, 405, 405, 405, 405, 403, 405),
    # Role templates (admin agents); security groups of staff (global admins and admin agents, PRODUCT.md §2).
    R("adminrelationships:roletemplate_list",            None,              GET,  302, 403, 200, 403, 403, 403, 200),
    R("adminrelationships:roletemplate_list",            None,              POST, 302, 403, 302, 403, 403, 403, 302,
      "role template", E("role template saved", (Actions.ROLE_TEMPLATE_CREATE,))),
    R("adminrelationships:roletemplate_list",            None,              POST, 302, 403, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("adminrelationships:securitygroup_list",           None,              GET,  302, 200, 200, 403, 403, 403, 200),
    R("adminrelationships:securitygroup_list",           None,              POST, 302, 302, 302, 403, 403, 403, 302,
      "security group", E("security group saved", (Actions.SECURITY_GROUP_CREATE,))),
    R("adminrelationships:securitygroup_list",           None,              POST, 302, 200, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("adminrelationships:securitygroup_update",         "group_in",        GET,  302, 200, 200, 403, 403, 403, 200),
    R("adminrelationships:securitygroup_update",         "group_in",        POST, 302, 302, 302, 403, 403, 403, 302,
      "security group", E("security group saved", (Actions.SECURITY_GROUP_UPDATE,))),
    R("adminrelationships:securitygroup_update",         "group_in",        POST, 302, 200, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("adminrelationships:securitygroup_update",         "group_out",       GET,  302, 404, 404, 403, 403, 403, 404),
    R("adminrelationships:securitygroup_update",         "group_out",       POST, 302, 404, 404, 403, 403, 403, 404,
      "security group"),
    # The customer's public approval page: anyone holding the emailed link (staff never see it); approving works.
    R("adminrelationships:adminrelationship_approve",    "gdap_token",      GET,  200, 200, 200, 200, 200, 200, 200),
    R("adminrelationships:adminrelationship_approve",    "gdap_token",      POST, 200, 200, 200, 200, 200, 200, 200,
      "approve all", E("admin relationship approved", (Actions.ADMIN_RELATIONSHIP_APPROVE,), by_user=False)),
    R("adminrelationships:adminrelationship_approve",    "gdap_token_bad",  GET,  404, 404, 404, 404, 404, 404, 404),
    R("adminrelationships:adminrelationship_approve",    "gdap_token_bad",  POST, 404, 404, 404, 404, 404, 404, 404),
    # ---------------------------------------------------- role templates edit/delete; DAP to admin relationships
    # template_in: a role template of partner A; template_out: partner B's. customer_in carries DAP (the legacy
    # flag every added customer gets); "dap request" sends partner A's template; "dap remove" first gives the
    # customer an active admin relationship, which removing DAP needs.
    #  url name                                          target             method anon ga   aa   sa   hd   none asg
    R("adminrelationships:roletemplate_update",          "template_in",     GET,  302, 403, 200, 403, 403, 403, 200),
    R("adminrelationships:roletemplate_update",          "template_in",     POST, 302, 403, 302, 403, 403, 403, 302,
      "role template edit", E("role template updated", (Actions.ROLE_TEMPLATE_UPDATE,))),
    R("adminrelationships:roletemplate_update",          "template_in",     POST, 302, 403, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("adminrelationships:roletemplate_update",          "template_out",    GET,  302, 403, 404, 403, 403, 403, 404),
    R("adminrelationships:roletemplate_update",          "template_out",    POST, 302, 403, 404, 403, 403, 403, 404,
      "role template edit"),
    R("adminrelationships:roletemplate_delete",          "template_in",     GET,  302, 403, 200, 403, 403, 403, 200),
    R("adminrelationships:roletemplate_delete",          "template_in",     POST, 302, 403, 302, 403, 403, 403, 302,
      "confirm", E("role template deleted", (Actions.ROLE_TEMPLATE_DELETE,))),
    R("adminrelationships:roletemplate_delete",          "template_in",     POST, 302, 403, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("adminrelationships:roletemplate_delete",          "template_out",    GET,  302, 403, 404, 403, 403, 403, 404),
    R("adminrelationships:roletemplate_delete",          "template_out",    POST, 302, 403, 404, 403, 403, 403, 404,
      "confirm"),
    R("adminrelationships:dap_list",                     None,              GET,  302, 200, 200, 200, 200, 403, 200),
    R("adminrelationships:dap_list",                     None,              POST, 302, 405, 405, 405, 405, 403, 405),
    # One-click request: POST only (the page's button); a refused click comes back to the list with a message.
    R("adminrelationships:dap_request",                  "customer_in",     GET,  302, 403, 405, 403, 403, 403, 405),
    R("adminrelationships:dap_request",                  "customer_in",     POST, 302, 403, 302, 403, 403, 403, 302,
      "dap request", E("dap admin relationship requested", (Actions.ADMIN_RELATIONSHIP_REQUEST,))),
    R("adminrelationships:dap_request",                  "customer_in",     POST, 302, 403, 302, 403, 403, 403, 302,
      "empty", NOTHING),
    R("adminrelationships:dap_request",                  "customer_unassigned", POST, 302, 403, 302, 403, 403, 403, 404,
      "dap request", E("dap admin relationship requested", (Actions.ADMIN_RELATIONSHIP_REQUEST,))),
    R("adminrelationships:dap_request",                  "customer_out",    POST, 302, 403, 404, 403, 403, 403, 404,
      "dap request"),
    R("adminrelationships:dap_remove",                   "customer_in",     GET,  302, 403, 200, 403, 403, 403, 200),
    R("adminrelationships:dap_remove",                   "customer_in",     POST, 302, 403, 302, 403, 403, 403, 302,
      "dap remove", E("dap removed", (Actions.RELATIONSHIP_DAP_REMOVE,))),
    R("adminrelationships:dap_remove",                   "customer_in",     POST, 302, 403, 200, 403, 403, 403, 200,
      "empty", NOTHING),
    R("adminrelationships:dap_remove",                   "customer_unassigned", GET, 302, 403, 200, 403, 403, 403, 404),
    R("adminrelationships:dap_remove",                   "customer_unassigned", POST, 302, 403, 302, 403, 403, 403, 404,
      "dap remove", E("dap removed", (Actions.RELATIONSHIP_DAP_REMOVE,))),
    R("adminrelationships:dap_remove",                   "customer_out",    GET,  302, 403, 404, 403, 403, 403, 404),
    R("adminrelationships:dap_remove",                   "customer_out",    POST, 302, 403, 404, 403, 403, 403, 404,
      "dap remove"),
    # ==================================================== the JSON API (issue 13) ====================================
    # API rows are sent with a bearer token of the column's user (none for anon: 401, never a sign-in redirect);
    # sessions do not authenticate the API. Bodies are JSON; a PATCH carries the ETag its user just read.
    #  url name                           target          method anon ga   aa   sa   hd   none asg
    R("api:customer_list",                    None,           GET,  401, 200, 200, 200, 200, 403, 200),
    R("api:customer_list",                    None,           POST, 401, 201, 201, 201, 403, 403, 201,
      "api: valid customer", E("api customer created", (Actions.CUSTOMER_CREATE,))),
    R("api:customer_list",                    None,           POST, 401, 422, 422, 422, 403, 403, 422,
      "api: empty", NOTHING),
    R("api:customer_list",                    None,           PATCH, 401, 405, 405, 405, 405, 403, 405,
      "api: city changed"),
    R("api:customer_detail",                  "customer_in",  GET,  401, 200, 200, 200, 200, 403, 200),
    R("api:customer_detail",                  "customer_out", GET,  401, 404, 404, 404, 404, 403, 404),
    R("api:customer_detail",                  "customer_unassigned", GET, 401, 200, 200, 200, 200, 403, 404),
    R("api:customer_detail",                  "customer_in",  PATCH, 401, 200, 200, 200, 200, 403, 200,
      "api: city changed", E("api customer changed", (Actions.CUSTOMER_UPDATE,))),
    R("api:customer_detail",                  "customer_in",  POST, 401, 405, 405, 405, 405, 403, 405,
      "api: city changed"),
    R("api:customer_detail",                  "customer_out", PATCH, 401, 404, 404, 404, 404, 403, 404,
      "api: city changed"),
    R("api:customer_detail",                  "customer_unassigned", PATCH, 401, 200, 200, 200, 200, 403, 404,
      "api: city changed", E("api customer changed", (Actions.CUSTOMER_UPDATE,))),
    # A customer's tags: everyone who sees the customer reads them; global admins and admin agents change them.
    R("api:customer_tags",                    "customer_in",  GET,  401, 200, 200, 200, 200, 403, 200),
    R("api:customer_tags",                    "customer_out", GET,  401, 404, 404, 404, 404, 403, 404),
    R("api:customer_tags",                    "customer_unassigned", GET, 401, 200, 200, 200, 200, 403, 404),
    R("api:customer_tags",                    "customer_in",  PUT,  401, 200, 200, 403, 403, 403, 200,
      "api: tags VIP", E("api tagged VIP", (Actions.TAGS_UPDATE,))),
    R("api:customer_tags",                    "customer_in",  POST, 401, 200, 200, 403, 403, 403, 200,
      "api: tags VIP", E("api tagged VIP", (Actions.TAGS_UPDATE,))),
    R("api:customer_tags",                    "customer_in",  PATCH, 401, 405, 405, 405, 405, 403, 405,
      "api: tags VIP"),
    R("api:customer_tags",                    "customer_out", PUT,  401, 404, 404, 403, 403, 403, 404,
      "api: tags VIP"),
    R("api:customer_tags",                    "customer_out", POST, 401, 404, 404, 403, 403, 403, 404,
      "api: tags VIP"),
    R("api:customer_tags",                    "customer_unassigned", PUT, 401, 200, 200, 403, 403, 403, 404,
      "api: tags VIP", E("api tagged VIP", (Actions.TAGS_UPDATE,))),
    R("api:schema",                           None,           GET,  200, 200, 200, 200, 200, 200, 200),
    R("api:docs",                             None,           GET,  200, 200, 200, 200, 200, 200, 200),
    # The token pages: one's own tokens (every staff role), every token of the partner (global admins).
    R("apitokens:token_list",                 None,           GET,  302, 200, 200, 200, 200, 403, 200),
    R("apitokens:token_list",                 None,           POST, 302, 200, 200, 200, 200, 403, 200,
      "token name", E("api token created", (Actions.API_TOKEN_CREATE,))),
    R("apitokens:token_list",                 None,           POST, 302, 200, 200, 200, 200, 403, 200,
      "empty", NOTHING),
    # The sales agent's own token: they and their global admin revoke it; to everyone else it does not exist.
    R("apitokens:token_revoke",               "api_token_sa", POST, 302, 302, 404, 302, 404, 403, 404,
      None, E("api token revoked", (Actions.API_TOKEN_REVOKE,))),
    R("apitokens:token_revoke",               "api_token_sa", GET,  302, 405, 405, 405, 405, 403, 405),
    R("apitokens:token_revoke",               "api_token_out", POST, 302, 404, 404, 404, 404, 403, 404),
    R("apitokens:partner_token_list",         None,           GET,  302, 200, 403, 403, 403, 403, 403),
    R("apitokens:partner_token_list",         None,           POST, 302, 405, 403, 403, 403, 403, 403),
    # ---------------------------------------------------- webhooks (issue 13): global admins only
    #  url name                           target          method anon ga   aa   sa   hd   none asg
    R("webhooks:endpoint_list",               None,           GET,  302, 200, 403, 403, 403, 403, 403),
    R("webhooks:endpoint_list",               None,           POST, 302, 200, 403, 403, 403, 403, 403,
      "webhook endpoint", E("webhook endpoint created", (Actions.WEBHOOK_ENDPOINT_CREATE,))),
    R("webhooks:endpoint_list",               None,           POST, 302, 200, 403, 403, 403, 403, 403,
      "empty", NOTHING),
    R("webhooks:endpoint_detail",             "webhook_in",   GET,  302, 200, 403, 403, 403, 403, 403),
    R("webhooks:endpoint_detail",             "webhook_out",  GET,  302, 404, 403, 403, 403, 403, 403),
    R("webhooks:endpoint_rotate",             "webhook_in",   POST, 302, 200, 403, 403, 403, 403, 403,
      None, E("webhook secret rotated", (Actions.WEBHOOK_SECRET_ROTATE,))),
    R("webhooks:endpoint_rotate",             "webhook_in",   GET,  302, 405, 403, 403, 403, 403, 403),
    R("webhooks:endpoint_rotate",             "webhook_out",  POST, 302, 404, 403, 403, 403, 403, 403),
    R("webhooks:endpoint_pause",              "webhook_in",   POST, 302, 302, 403, 403, 403, 403, 403,
      None, E("webhook endpoint paused", (Actions.WEBHOOK_ENDPOINT_UPDATE,))),
    R("webhooks:endpoint_pause",              "webhook_out",  POST, 302, 404, 403, 403, 403, 403, 403),
    R("webhooks:endpoint_delete",             "webhook_in",   GET,  302, 200, 403, 403, 403, 403, 403),
    R("webhooks:endpoint_delete",             "webhook_in",   POST, 302, 302, 403, 403, 403, 403, 403,
      None, E("webhook endpoint deleted", (Actions.WEBHOOK_ENDPOINT_DELETE,))),
    R("webhooks:endpoint_delete",             "webhook_out",  GET,  302, 404, 403, 403, 403, 403, 403),
    R("webhooks:endpoint_delete",             "webhook_out",  POST, 302, 404, 403, 403, 403, 403, 403),
    R("webhooks:delivery_redeliver",          "delivery_in",  POST, 302, 302, 403, 403, 403, 403, 403,
      None, E("webhook redelivered", (Actions.WEBHOOK_REDELIVER,))),
    R("webhooks:delivery_redeliver",          "delivery_in",  GET,  302, 405, 403, 403, 403, 403, 403),
    R("webhooks:delivery_redeliver",          "delivery_out", POST, 302, 404, 403, 403, 403, 403, 403),
    # ---------------------------------------------------- API: relationships (issue 13, resources)
    #  url name                           target          method anon ga   aa   sa   hd   none asg
    # A customer's relationships: everyone who sees the customer.
    R("api:customer_relationships",           "customer_in",  GET,  401, 200, 200, 200, 200, 403, 200),
    R("api:customer_relationships",           "customer_out", GET,  401, 404, 404, 404, 404, 403, 404),
    R("api:customer_relationships",           "customer_unassigned", GET, 401, 200, 200, 200, 200, 403, 404),
    R("api:customer_relationships",           "customer_in",  POST, 401, 405, 405, 405, 405, 403, 405,
      "api: end"),
    # Ending: global admins and admin agents (as the page); the preflight is a read of the same rule.
    R("api:relationship_end_preflight",       "customer_in",  GET,  401, 200, 200, 403, 403, 403, 200),
    R("api:relationship_end_preflight",       "customer_out", GET,  401, 404, 404, 403, 403, 403, 404),
    R("api:relationship_end_preflight",       "customer_unassigned", GET, 401, 200, 200, 403, 403, 403, 404),
    R("api:relationship_end_preflight",       "customer_in",  POST, 401, 405, 405, 403, 403, 403, 405,
      "api: end"),
    R("api:relationship_end",                 "customer_in",  POST, 401, 200, 200, 403, 403, 403, 200,
      "api: end", E("api relationship ended", (Actions.RELATIONSHIP_END,))),
    R("api:relationship_end",                 "customer_in",  POST, 401, 422, 422, 403, 403, 403, 422,
      "api: empty", NOTHING),
    R("api:relationship_end",                 "customer_in",  GET,  401, 405, 405, 403, 403, 403, 405),
    R("api:relationship_end",                 "customer_out", POST, 401, 404, 404, 403, 403, 403, 404,
      "api: end"),
    R("api:relationship_end",                 "customer_unassigned", POST, 401, 200, 200, 403, 403, 403, 404,
      "api: end", E("api relationship ended", (Actions.RELATIONSHIP_END,))),
    # Ended relationships and restoring one: partner-wide (ending took the assigned agent's assignment: 404).
    R("api:relationship_ended_list",          None,           GET,  401, 200, 200, 403, 403, 403, 200),
    R("api:relationship_ended_list",          None,           POST, 401, 405, 405, 403, 403, 403, 405,
      "api: restore"),
    R("api:relationship_restore",             "ended_in",     POST, 401, 201, 201, 403, 403, 403, 404,
      "api: restore", E("api restore invitation sent", (Actions.INVITATION_CREATE,))),
    R("api:relationship_restore",             "ended_in",     POST, 401, 422, 422, 403, 403, 403, 404,
      "api: empty", NOTHING),
    R("api:relationship_restore",             "ended_in",     GET,  401, 405, 405, 403, 403, 403, 405),
    R("api:relationship_restore",             "ended_out",    POST, 401, 404, 404, 403, 403, 403, 404,
      "api: restore"),
    # Invitations: everyone who may invite (helpdesk agents may not); the assigned-scope agent reaches the ones
    # they sent (invitation_by_assigned) and not the global admin's to a new customer (invitation_in: 404).
    R("api:invitation_list",                  None,           GET,  401, 200, 200, 200, 403, 403, 200),
    R("api:invitation_list",                  None,           POST, 401, 201, 201, 201, 403, 403, 201,
      "api: invitation", E("api invitation sent", (Actions.INVITATION_CREATE,))),
    R("api:invitation_list",                  None,           POST, 401, 422, 422, 422, 403, 403, 422,
      "api: empty", NOTHING),
    R("api:invitation_list",                  None,           PATCH, 401, 405, 405, 405, 403, 403, 405,
      "api: invitation"),
    R("api:invitation_resend",                "invitation_in",  POST, 401, 200, 200, 200, 403, 403, 404,
      None, E("api invitation resent", (Actions.INVITATION_RESEND,))),
    R("api:invitation_resend",                "invitation_by_assigned", POST, 401, 200, 200, 200, 403, 403, 200,
      None, E("api invitation resent", (Actions.INVITATION_RESEND,))),
    R("api:invitation_resend",                "invitation_in",  GET,  401, 405, 405, 405, 403, 403, 405),
    R("api:invitation_resend",                "invitation_out", POST, 401, 404, 404, 404, 403, 403, 404),
    R("api:invitation_revoke",                "invitation_in",  POST, 401, 200, 200, 200, 403, 403, 404,
      None, E("api invitation revoked", (Actions.INVITATION_REVOKE,))),
    R("api:invitation_revoke",                "invitation_by_assigned", POST, 401, 200, 200, 200, 403, 403, 200,
      None, E("api invitation revoked", (Actions.INVITATION_REVOKE,))),
    R("api:invitation_revoke",                "invitation_in",  GET,  401, 405, 405, 405, 403, 403, 405),
    R("api:invitation_revoke",                "invitation_out", POST, 401, 404, 404, 404, 403, 403, 404),
    # The activity log: global admins and admin agents (the assigned-scope agent sees their customers' entries).
    R("api:activity_list",                    None,           GET,  401, 200, 200, 403, 403, 403, 200),
    R("api:activity_list",                    None,           POST, 401, 405, 405, 403, 403, 403, 405,
      "api: empty"),
    # ---------------------------------------------------- leads (issue 14): global admins and sales agents
    #  url name                           target          method anon ga   aa   sa   hd   none asg
    # Partner-private (another partner's lead: 404). The assigned-scope column is an admin agent, a role without
    # leads (403); assigned-scope sales agents (team members and the lead contact only) are tests/leads/test_scope.py.
    R("leads:lead_list",                      None,           GET,  302, 200, 403, 200, 403, 403, 403),
    R("leads:lead_list",                      None,           POST, 302, 405, 403, 405, 403, 403, 403),
    R("leads:lead_export",                    None,           GET,  302, 200, 403, 200, 403, 403, 403),
    R("leads:lead_export",                    None,           POST, 302, 405, 403, 405, 403, 403, 403),
    R("leads:lead_detail",                    "lead_in",      GET,  302, 200, 403, 200, 403, 403, 403),
    R("leads:lead_detail",                    "lead_out",     GET,  302, 404, 403, 404, 403, 403, 403),
    R("leads:lead_detail",                    "lead_in",      POST, 302, 405, 403, 405, 403, 403, 403),
    R("leads:lead_accept",                    "lead_in",      GET,  302, 200, 403, 200, 403, 403, 403),
    R("leads:lead_accept",                    "lead_in",      POST, 302, 302, 403, 302, 403, 403, 403,
      "lead deal", E("lead accepted", (Actions.LEAD_ACCEPT,))),
    R("leads:lead_accept",                    "lead_in",      POST, 302, 200, 403, 200, 403, 403, 403,
      "empty", NOTHING),
    R("leads:lead_accept",                    "lead_out",     GET,  302, 404, 403, 404, 403, 403, 403),
    R("leads:lead_accept",                    "lead_out",     POST, 302, 404, 403, 404, 403, 403, 403,
      "lead deal"),
    R("leads:lead_update",                    "lead_accepted_in", GET, 302, 200, 403, 200, 403, 403, 403),
    R("leads:lead_update",                    "lead_accepted_in", POST, 302, 302, 403, 302, 403, 403, 403,
      "lead deal", E("lead deal saved", (Actions.LEAD_UPDATE,))),
    R("leads:lead_update",                    "lead_accepted_in", POST, 302, 200, 403, 200, 403, 403, 403,
      "empty", NOTHING),
    R("leads:lead_update",                    "lead_out",     POST, 302, 404, 403, 404, 403, 403, 403,
      "lead deal"),
    R("leads:lead_decline",                   "lead_in",      GET,  302, 200, 403, 200, 403, 403, 403),
    R("leads:lead_decline",                   "lead_in",      POST, 302, 302, 403, 302, 403, 403, 403,
      "lead decline", E("lead declined", (Actions.LEAD_DECLINE,))),
    R("leads:lead_decline",                   "lead_in",      POST, 302, 200, 403, 200, 403, 403, 403,
      "empty", NOTHING),
    R("leads:lead_decline",                   "lead_out",     POST, 302, 404, 403, 404, 403, 403, 403,
      "lead decline"),
    R("leads:lead_win",                       "lead_accepted_in", POST, 302, 302, 403, 302, 403, 403, 403,
      None, E("lead won", (Actions.LEAD_WIN,))),
    R("leads:lead_win",                       "lead_accepted_in", GET, 302, 405, 403, 405, 403, 403, 403),
    R("leads:lead_win",                       "lead_out",     POST, 302, 404, 403, 404, 403, 403, 403),
    R("leads:lead_lose",                      "lead_accepted_in", POST, 302, 302, 403, 302, 403, 403, 403,
      None, E("lead lost", (Actions.LEAD_LOSE,))),
    R("leads:lead_lose",                      "lead_out",     POST, 302, 404, 403, 404, 403, 403, 403),
    R("leads:lead_close",                     "lead_in",      POST, 302, 302, 403, 302, 403, 403, 403,
      None, E("lead closed as error", (Actions.LEAD_CLOSE_ERROR,))),
    R("leads:lead_close",                     "lead_out",     POST, 302, 404, 403, 404, 403, 403, 403),
    # A favourite is the user's own bookmark, not a change to the lead: no activity entry.
    R("leads:lead_favourite",                 "lead_in",      POST, 302, 302, 403, 302, 403, 403, 403,
      "lead favourite", E("lead favourite marked")),
    R("leads:lead_favourite",                 "lead_in",      GET,  302, 405, 403, 405, 403, 403, 403),
    R("leads:lead_favourite",                 "lead_out",     POST, 302, 404, 403, 404, 403, 403, 403),
]
# fmt: on

# Cases where the app today disagrees with PRODUCT.md: the row keeps the product's answer and the case is an
# expected failure (strict: it fails the suite once the app is fixed, so the entry is removed then).
KNOWN_DISAGREEMENTS: dict[tuple[str, str, str], str] = {}

# Named routes deliberately outside this table, with the reason.
NOT_IN_MATRIX = {
    "admin": "the Django admin is for platform operators only; tests/partnerportal/test_admin.py keeps staff out",
}
