"""`Authorization: Bearer <token>`: the only way into the API (sessions do not authenticate it, so no CSRF surface)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from api.services import api_token_authenticate
from partnerportal.infrastructure.middleware import request_client_address
from partnerportal.infrastructure.ratelimit import rate_limit_hit


class BearerTokenAuthentication(BaseAuthentication):
    """A personal API token: it acts with exactly its user's roles and scope, and is counted per minute."""

    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _sep, raw = header.partition(" ")
        raw = raw.strip()
        if scheme.lower() != self.keyword or not raw:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        token = api_token_authenticate(raw=raw, address=request_client_address(request._request))
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid: unknown, revoked or expired."))
        limit = settings.PORTAL_API_REQUESTS_PER_MINUTE
        outcome = rate_limit_hit(key=f"api-token:{token.pk}", limit=limit, seconds=60)
        if not outcome.allowed:
            raise exceptions.Throttled(wait=outcome.retry_after, detail=str(_("Too many requests with this token.")))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
