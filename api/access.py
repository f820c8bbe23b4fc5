"""The API's one permission class: every request decided by `permissions.policy`, as the portal's mixin does."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from permissions import policy


class PolicyPermission(BasePermission):
    """404 where the cloud has no such feature; 401 without a valid token; 403 when the action is held nowhere.

    The cloud comes first, as on the pages (`PortalPermissionMixin.dispatch`): an endpoint of a feature this
    deployment does not have answers the same not-found problem to everyone, with or without a token.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        action = view.get_permission_required(request.method or "GET")
        if not policy.cloud_offers(action):
            raise exceptions.NotFound()
        user = request.user
        if user is None or not user.is_authenticated:
            raise exceptions.NotAuthenticated(_("Send a valid API token: “Authorization: Bearer <token>”."))
        return policy.has_action(user, action)
