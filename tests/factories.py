"""Builders for test data. They go through the real services, so access is granted exactly as in production."""

from __future__ import annotations

import itertools
from typing import Any

from customers.models import Customer
from partnerportal.models import Partner, User
from partnerportal.staff.services import partner_create, staff_user_create, staff_user_update
from permissions.roles import AdminRole, AgentRole, Scope
from relationships.models import AcceptanceCode, Invitation
from relationships.services import customer_onboard
from relationships.services.acceptance_codes import acceptance_code_store

_seq = itertools.count(1)

ROLE_FIELDS: dict[str, dict[str, str]] = {
    "global_admin": {"admin_role": AdminRole.GLOBAL_ADMIN},
    "admin_agent": {"agent_role": AgentRole.ADMIN_AGENT},
    "sales_agent": {"agent_role": AgentRole.SALES_AGENT},
    "helpdesk_agent": {"agent_role": AgentRole.HELPDESK_AGENT},
    "no_role": {},
}
PASSWORD = "Correct-Horse-Battery-9"


def make_partner(*, name: str | None = None, type: str = Partner.Type.DIRECT_BILL, domain: str = "") -> Partner:
    n = next(_seq)
    return partner_create(
        name=name or f"Partner {n}",
        partner_id=f"P-{n:05d}",
        type=type,
        market="US",
        email_domain=domain or f"partner{n}.example",
    )


def make_user(partner: Partner, role: str = "global_admin", *, scope: str = Scope.PARTNER, **extra) -> User:
    n = next(_seq)
    return staff_user_create(
        partner=partner,
        email=extra.pop("email", f"{role.replace('_', '.')}.{n}@{partner.email_domain}"),
        scope=scope,
        password=PASSWORD,
        **ROLE_FIELDS[role],
        **extra,
    )


def customer_data(**overrides: Any) -> dict[str, Any]:
    """Valid field values for a US customer."""
    n = next(_seq)
    data = {
        "company_name": f"Customer {n} Inc.",
        "country": "US",
        "address_line1": "1 Microsoft Way",
        "city": "Redmond",
        "state": "WA",
        "postal_code": "98052",
        "contact_first_name": "Ana",
        "contact_last_name": "Kim",
        "contact_email": f"admin{n}@customer{n}.example.net",
    }
    data.update(overrides)
    return data


def make_customer(partner: Partner, *, actor: User | None = None, prefix: str | None = None, **kwargs) -> Customer:
    n = next(_seq)
    actor = actor or User.objects.filter(partner=partner).first()
    data = customer_data(**kwargs.pop("data", {}))
    return customer_onboard(actor=actor, partner=partner, data=data, domain_prefix=prefix or f"cust{n:06d}", **kwargs)


def assign_customers(user: User, customers, *, actor: User) -> User:
    """Give an assigned-scope user their customers, as a global admin does on the staff page."""
    return staff_user_update(
        actor=actor,
        user=user,
        admin_role=user.admin_role,
        agent_role=user.agent_role,
        scope=user.scope,
        customers=list(customers),
    )


def customer_form_data(**overrides: Any) -> dict[str, Any]:
    """A valid add-customer submission for a US customer of partner A (Contoso, contoso.example)."""
    data = {
        "company_name": "Adatum Corporation",
        "domain_prefix": "adatumcorp",
        "country": "US",
        "address_line1": "1 Microsoft Way",
        "address_line2": "",
        "city": "Redmond",
        "state": "US-WA",
        "postal_code": "98052",
        "contact_first_name": "Ana",
        "contact_last_name": "Kim",
        "contact_email": "ana.kim@adatum.example.net",
        "contact_phone": "",
        "registration_id": "",
        "culture": "",
        "agreement_status": "not_provided",
    }
    data.update(overrides)
    return data


KNOWN_CODE = "246810"


def make_acceptance_code(invitation: Invitation, code: str = KNOWN_CODE) -> AcceptanceCode:
    """A code for the invitation as if it had just been emailed: stored by the service, with the same keyed hash and
    replacing any earlier code; the test knows it instead of reading the email."""
    return acceptance_code_store(invitation=invitation, code=code)
