"""Reads of the API app: a user's own tokens, the partner's tokens for its global admins."""

from __future__ import annotations

from django.db.models import QuerySet

from api.models import ApiToken
from partnerportal.models import User
from permissions import policy
from permissions.roles import Action


def api_tokens_own(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (revoked and expired ones too, marked on the page)."""
    return policy.restrict(ApiToken.objects.filter(user=user), user, Action.USE_API).order_by("-created_at", "-pk")


def api_tokens_of_partner(*, user: User) -> QuerySet[ApiToken]:
    """Every token of the partner's staff, for a global admin (staff management)."""
    return (
        policy.restrict(ApiToken.objects.all(), user, Action.MANAGE_STAFF)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )


def api_tokens_revocable(*, user: User) -> QuerySet[ApiToken]:
    """The tokens the user may revoke: their own, and every one of the partner's when they manage staff."""
    if policy.has_action(user, Action.MANAGE_STAFF):
        return api_tokens_of_partner(user=user)
    return api_tokens_own(user=user)
