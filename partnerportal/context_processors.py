"""Template context every page needs: the navigation the user's roles allow."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from permissions import policy
from permissions.roles import Action


def portal(request: HttpRequest) -> dict:
    """Expose `nav` (which menu entries the user's actions allow) and `actions` (every action the user holds)."""
    user = getattr(request, "user", None)
    actions = policy.user_actions(user) if user is not None else frozenset()
    return {
        "nav": {
            "customers": Action.VIEW_CUSTOMER in actions,
            "lookup": Action.VIEW_CUSTOMER in actions,
            "add_customer": Action.ADD_CUSTOMER in actions,
            "invitations": Action.INVITE_CUSTOMER in actions,
            "ended": Action.RESTORE_RELATIONSHIP in actions,
            "import": Action.IMPORT_CUSTOMERS in actions,
            "partnerships": Action.MANAGE_PARTNERSHIPS in actions,
            "admin_relationships": Action.VIEW_ADMIN_RELATIONSHIP in actions,
            "activity": Action.VIEW_ACTIVITY in actions,
            "staff": Action.MANAGE_STAFF in actions,
            "business_profile": Action.VIEW_BUSINESS_PROFILE in actions,
            "api_tokens": Action.USE_API in actions,
            "leads": Action.WORK_LEADS in actions,
        },
        "actions": actions,
        "domain_suffix": settings.PORTAL_DOMAIN_SUFFIX,
    }
