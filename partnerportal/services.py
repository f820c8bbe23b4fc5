"""Writes of partners and staff users."""

from __future__ import annotations

from django.db import transaction

from partnerportal.models import Partner, User
from permissions.roles import Scope
from permissions.services import role_groups, user_access_sync


@transaction.atomic
def partner_create(*, name: str, partner_id: str, type: str, market: str, email_domain: str = "") -> Partner:
    """Create a partner organisation and its role groups."""
    partner = Partner(name=name, partner_id=partner_id, type=type, market=market.upper(), email_domain=email_domain)
    partner.full_clean()
    partner.save()
    role_groups(partner)
    return partner


@transaction.atomic
def staff_user_create(
    *,
    partner: Partner,
    email: str,
    admin_role: str = "",
    agent_role: str = "",
    scope: str = Scope.PARTNER,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> User:
    """Create a staff user of a partner and give them the access their roles and scope imply."""
    user = User.objects.create_user(
        email=email,
        password=password,
        partner=partner,
        admin_role=admin_role,
        agent_role=agent_role,
        scope=scope,
        first_name=first_name,
        last_name=last_name,
    )
    user_access_sync(user=user)
    return user
