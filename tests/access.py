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
    # ---------------------------------------------------- customers: export, lookup, tags, subscriptions
    # ---------------------------------------------------- relationships: invitations and acceptance
    # ---------------------------------------------------- relationships: end, restore, partnerships, import
    # ---------------------------------------------------- purchase permissions, activity log, staff
]
# fmt: on

# Named routes deliberately outside this table, with the reason.
NOT_IN_MATRIX = {
    "admin": "the Django admin is for platform operators only; tests/partnerportal/test_admin.py keeps staff out",
}
