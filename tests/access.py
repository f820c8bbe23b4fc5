"""The access matrix: the product's access specification, written by hand (never derived from roles.py).

One row per URL name × target × method. Columns are the expected HTTP status for:
  anon  — not signed in          ga — global admin      aa — admin agent
  sa    — sales agent            hd — helpdesk agent    none — signed in, no role
all of partner A. Targets name the object in the URL: `customer_in` belongs to partner A (in scope),
`customer_out` to partner B (out of scope: 404, never 403, so its existence is not revealed).
302 for anon means "sent to the login page" (checked by the test); a 302 for a signed-in user is a success
redirect. Every denied POST must leave the database unchanged (also checked by the test).
PRODUCT.md §2 is the source of these rows.
"""

from __future__ import annotations

from typing import NamedTuple

GET, POST = "GET", "POST"


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
    data: dict | None = None  # POST body (empty by default: enough to reach the permission check)


R = Row
# fmt: off
ROWS: list[Row] = [
    # ---------------------------------------------------- portal shell and sign-in
    #  url name                           target          method anon ga   aa   sa   hd   none
    R("home",                                 None,           GET,  302, 302, 302, 302, 302, 200),
    R("healthz",                              None,           GET,  200, 200, 200, 200, 200, 200),
    R("healthz",                              None,           POST, 405, 405, 405, 405, 405, 405),
    R("set_language",                         None,           POST, 302, 302, 302, 302, 302, 302, {"language": "ko"}),
    R("login",                                None,           GET,  200, 302, 302, 302, 302, 302),
    R("login",                                None,           POST, 200, 302, 302, 302, 302, 302),
    R("logout",                               None,           POST, 302, 302, 302, 302, 302, 302),
    R("password_change",                      None,           GET,  302, 200, 200, 200, 200, 200),
    R("password_change",                      None,           POST, 302, 200, 200, 200, 200, 200),
    R("password_change_done",                 None,           GET,  302, 200, 200, 200, 200, 200),
    R("password_reset",                       None,           GET,  200, 200, 200, 200, 200, 200),
    R("password_reset",                       None,           POST, 200, 200, 200, 200, 200, 200),
    R("password_reset_done",                  None,           GET,  200, 200, 200, 200, 200, 200),
    R("password_reset_confirm",               "reset_token",  GET,  200, 200, 200, 200, 200, 200),
    R("password_reset_complete",              None,           GET,  200, 200, 200, 200, 200, 200),
    # ---------------------------------------------------- customers
    R("customers:customer_list",              None,           GET,  302, 200, 200, 200, 200, 403),
    R("customers:customer_list",              None,           POST, 302, 405, 405, 405, 405, 403),
    R("customers:customer_detail",            "customer_in",  GET,  302, 200, 200, 200, 200, 403),
    R("customers:customer_detail",            "customer_out", GET,  302, 404, 404, 404, 404, 403),
    # ---------------------------------------------------- customers: add, edit, agreement, domain check
    # An empty POST by an allowed role is the form again with its errors (200), and writes nothing.
    R("customers:customer_create",            None,           GET,  302, 200, 200, 200, 403, 403),
    R("customers:customer_create",            None,           POST, 302, 200, 200, 200, 403, 403),
    R("customers:domain_check",               None,           GET,  302, 200, 200, 200, 403, 403),
    R("customers:domain_check",               None,           POST, 302, 405, 405, 405, 403, 403),
    R("customers:customer_update",            "customer_in",  GET,  302, 200, 200, 200, 200, 403),
    R("customers:customer_update",            "customer_in",  POST, 302, 200, 200, 200, 200, 403),
    R("customers:customer_update",            "customer_out", GET,  302, 404, 404, 404, 404, 403),
    R("customers:customer_update",            "customer_out", POST, 302, 404, 404, 404, 404, 403),
    # The customer agreement: admin and sales agents only (Partner Center), so a global admin gets 403.
    R("customers:customer_agreement",         "customer_in",  GET,  302, 403, 200, 200, 403, 403),
    R("customers:customer_agreement",         "customer_in",  POST, 302, 403, 200, 200, 403, 403),
    R("customers:customer_agreement",         "customer_out", GET,  302, 403, 404, 404, 403, 403),
    R("customers:customer_agreement",         "customer_out", POST, 302, 403, 404, 404, 403, 403),
    # ---------------------------------------------------- customers: export, lookup, tags, subscriptions
    R("customers:customer_export",            None,           GET,  302, 200, 200, 200, 200, 403),
    R("customers:customer_export",            None,           POST, 302, 405, 405, 405, 405, 403),
    R("customers:customer_lookup",            None,           GET,  302, 200, 200, 200, 200, 403),
    R("customers:customer_lookup",            None,           POST, 302, 405, 405, 405, 405, 403),
    R("customers:customer_tags",              "customer_in",  GET,  302, 200, 200, 403, 403, 403),
    R("customers:customer_tags",              "customer_in",  POST, 302, 302, 302, 403, 403, 403, {"new_names": "VIP"}),
    R("customers:customer_tags",              "customer_out", GET,  302, 404, 404, 403, 403, 403),
    R("customers:customer_tags",              "customer_out", POST, 302, 404, 404, 403, 403, 403, {"new_names": "VIP"}),
    R("customers:subscription_create",        "customer_in",  GET,  302, 200, 200, 200, 403, 403),
    R("customers:subscription_create",        "customer_in",  POST, 302, 302, 302, 302, 403, 403,
      {"offer_name": "E3", "quantity": "1"}),
    R("customers:subscription_create",        "customer_out", GET,  302, 404, 404, 404, 403, 403),
    R("customers:subscription_create",        "customer_out", POST, 302, 404, 404, 404, 403, 403,
      {"offer_name": "E3", "quantity": "1"}),
    # subscription_in/out: partner A's subscription of customer_in, partner B's of customer_out; mismatch: B's
    # subscription addressed through A's customer. POST-only: a GET is refused (405) before any lookup.
    R("customers:subscription_status",        "subscription_in",  GET,  302, 405, 405, 405, 403, 403),
    R("customers:subscription_status",        "subscription_in",  POST, 302, 302, 302, 302, 403, 403,
      {"action": "suspend"}),
    R("customers:subscription_status",        "subscription_out", GET,  302, 405, 405, 405, 403, 403),
    R("customers:subscription_status",        "subscription_out", POST, 302, 404, 404, 404, 403, 403,
      {"action": "suspend"}),
    R("customers:subscription_status",        "subscription_mismatch", POST, 302, 404, 404, 404, 403, 403,
      {"action": "suspend"}),
    # ---------------------------------------------------- relationships: invitations and acceptance
    R("relationships:invitation_list",        None,           GET,  302, 200, 200, 200, 403, 403),
    R("relationships:invitation_list",        None,           POST, 302, 405, 405, 405, 403, 403),
    R("relationships:invitation_create",      None,           GET,  302, 200, 200, 200, 403, 403),
    R("relationships:invitation_create",      None,           POST, 302, 200, 200, 200, 403, 403),
    R("relationships:invitation_resend",      "invitation_in",  GET,  302, 405, 405, 405, 403, 403),
    R("relationships:invitation_resend",      "invitation_in",  POST, 302, 200, 200, 200, 403, 403),
    R("relationships:invitation_resend",      "invitation_out", GET,  302, 405, 405, 405, 403, 403),
    R("relationships:invitation_resend",      "invitation_out", POST, 302, 404, 404, 404, 403, 403),
    R("relationships:invitation_revoke",      "invitation_in",  GET,  302, 405, 405, 405, 403, 403),
    R("relationships:invitation_revoke",      "invitation_in",  POST, 302, 302, 302, 302, 403, 403),
    R("relationships:invitation_revoke",      "invitation_out", GET,  302, 405, 405, 405, 403, 403),
    R("relationships:invitation_revoke",      "invitation_out", POST, 302, 404, 404, 404, 403, 403),
    # The public acceptance page: anyone with a valid link, signed in or not; an empty POST re-shows the form.
    R("relationships:invitation_accept",      "invite_token",     GET,  200, 200, 200, 200, 200, 200),
    R("relationships:invitation_accept",      "invite_token",     POST, 200, 200, 200, 200, 200, 200),
    R("relationships:invitation_accept",      "invite_token_bad", GET,  404, 404, 404, 404, 404, 404),
    R("relationships:invitation_accept",      "invite_token_bad", POST, 404, 404, 404, 404, 404, 404),
    # ---------------------------------------------------- relationships: end, restore, partnerships, import
    R("customers:relationship_end",           "customer_in",  GET,  302, 200, 200, 403, 403, 403),
    R("customers:relationship_end",           "customer_in",  POST, 302, 200, 200, 403, 403, 403),
    R("customers:relationship_end",           "customer_out", GET,  302, 404, 404, 403, 403, 403),
    R("customers:relationship_end",           "customer_out", POST, 302, 404, 404, 403, 403, 403),
    R("relationships:relationship_ended_list", None,          GET,  302, 200, 200, 403, 403, 403),
    R("relationships:relationship_ended_list", None,          POST, 302, 405, 405, 403, 403, 403),
    R("relationships:relationship_restore",   "ended_in",     GET,  302, 200, 200, 403, 403, 403),
    R("relationships:relationship_restore",   "ended_in",     POST, 302, 200, 200, 403, 403, 403),
    R("relationships:relationship_restore",   "ended_out",    GET,  302, 404, 404, 403, 403, 403),
    R("relationships:relationship_restore",   "ended_out",    POST, 302, 404, 404, 403, 403, 403),
    # partner A is direct-bill: it has no partnerships (the list explains why) and may not request one.
    R("relationships:partnership_list",       None,           GET,  302, 200, 200, 200, 403, 403),
    R("relationships:partnership_list",       None,           POST, 302, 405, 405, 405, 403, 403),
    R("relationships:partnership_create",     None,           GET,  302, 403, 403, 403, 403, 403),
    R("relationships:partnership_create",     None,           POST, 302, 403, 403, 403, 403, 403,
      {"email": "admin@reseller.example", "message": "Hello"}),
    # target "provider": partner A made an indirect provider.
    R("relationships:partnership_create",     "provider",     GET,  302, 200, 200, 200, 403, 403),
    R("relationships:partnership_create",     "provider",     POST, 302, 200, 200, 200, 403, 403,
      {"email": "admin@reseller.example", "message": "Hello"}),
    # target "partnership_token": a provider's link to partner A, made an indirect reseller.
    R("relationships:partnership_authorize",  "partnership_token", GET,  302, 200, 200, 200, 403, 403),
    R("relationships:partnership_authorize",  "partnership_token", POST, 302, 200, 200, 200, 403, 403),
    R("relationships:partnership_remove",     "partnership_in",  GET,  302, 405, 405, 405, 403, 403),
    R("relationships:partnership_remove",     "partnership_in",  POST, 302, 302, 302, 302, 403, 403),
    R("relationships:partnership_remove",     "partnership_out", GET,  302, 405, 405, 405, 403, 403),
    R("relationships:partnership_remove",     "partnership_out", POST, 302, 404, 404, 404, 403, 403),
    R("relationships:customer_import",        None,           GET,  302, 200, 200, 403, 403, 403),
    R("relationships:customer_import",        None,           POST, 302, 200, 200, 403, 403, 403),
    R("relationships:customer_import_template", None,         GET,  302, 200, 200, 403, 403, 403),
    R("relationships:customer_import_template", None,         POST, 302, 405, 405, 403, 403, 403),
    # ---------------------------------------------------- purchase permissions, activity log, staff
    R("customers:purchase_permissions",       "customer_in",  GET,  302, 200, 200, 200, 200, 403),
    R("customers:purchase_permissions",       "customer_out", GET,  302, 404, 404, 404, 404, 403),
    # Only an admin agent changes purchase permissions: a global admin without the agent role gets 403.
    R("customers:purchase_permissions",       "customer_in",  POST, 302, 403, 200, 403, 403, 403),
    R("customers:purchase_permissions",       "customer_out", POST, 302, 403, 404, 403, 403, 403),
    R("activity:activity_list",               None,           GET,  302, 200, 200, 403, 403, 403),
    R("activity:activity_list",               None,           POST, 302, 405, 405, 403, 403, 403),
    R("activity:activity_export",             None,           GET,  302, 200, 200, 403, 403, 403),
    R("activity:activity_export",             None,           POST, 302, 405, 405, 403, 403, 403),
    R("staff:user_list",                      None,           GET,  302, 200, 403, 403, 403, 403),
    R("staff:user_list",                      None,           POST, 302, 405, 403, 403, 403, 403),
    R("staff:user_create",                    None,           GET,  302, 200, 403, 403, 403, 403),
    R("staff:user_create",                    None,           POST, 302, 200, 403, 403, 403, 403),
    R("staff:user_update",                    "staff_user_in",  GET,  302, 200, 403, 403, 403, 403),
    R("staff:user_update",                    "staff_user_in",  POST, 302, 200, 403, 403, 403, 403),
    R("staff:user_update",                    "staff_user_out", GET,  302, 404, 403, 403, 403, 403),
    R("staff:user_update",                    "staff_user_out", POST, 302, 404, 403, 403, 403, 403),
    R("staff:user_deactivate",                "staff_user_in",  GET,  302, 405, 403, 403, 403, 403),
    R("staff:user_deactivate",                "staff_user_in",  POST, 302, 302, 403, 403, 403, 403),
    R("staff:user_deactivate",                "staff_user_out", POST, 302, 404, 403, 403, 403, 403),
    R("staff:user_reactivate",                "staff_user_in",  GET,  302, 405, 403, 403, 403, 403),
    R("staff:user_reactivate",                "staff_user_in",  POST, 302, 302, 403, 403, 403, 403),
    R("staff:user_reactivate",                "staff_user_out", POST, 302, 404, 403, 403, 403, 403),
    R("staff:user_reset_password",            "staff_user_in",  GET,  302, 405, 403, 403, 403, 403),
    R("staff:user_reset_password",            "staff_user_in",  POST, 302, 302, 403, 403, 403, 403),
    R("staff:user_reset_password",            "staff_user_out", POST, 302, 404, 403, 403, 403, 403),
    # The public page behind a set-password link: opening it changes nothing; an empty form is refused.
    R("staff:set_password",                   "set_password_token", GET,  200, 200, 200, 200, 200, 200),
    R("staff:set_password",                   "set_password_token", POST, 200, 200, 200, 200, 200, 200),
]
# fmt: on

# Named routes deliberately outside this table, with the reason.
NOT_IN_MATRIX = {
    "admin": "the Django admin is for platform operators only; tests/partnerportal/test_admin.py keeps staff out",
}
