"""Template context every page needs: the navigation the user's roles allow."""

from __future__ import annotations

from django.conf import settings

from permissions import policy
from permissions.roles import Action


def portal(request) -> dict:
    """Expose `nav` (a set of action names the user holds) and the deployment's cloud."""
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
            "partnerships": Action.MANAGE_PARTNERSHIPS in actions and settings.PORTAL_CLOUD != "us_gov",
            "activity": Action.VIEW_ACTIVITY in actions,
            "staff": Action.MANAGE_STAFF in actions,
        },
        "actions": actions,
        "portal_cloud": settings.PORTAL_CLOUD,
        "domain_suffix": settings.PORTAL_DOMAIN_SUFFIX,
    }
