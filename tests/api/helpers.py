"""An API client that sends a bearer token, and tokens issued through the real service."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from api.models import ApiToken
from api.services import TOKEN_PREFIX, api_token_create
from partnerportal.infrastructure.tokens import token_hash
from permissions import policy


def token_for(user, name: str = "tests") -> str:
    """A token of the user, issued by the service; for a user without roles (who may not create one) the row of a
    token issued while they still had a role."""
    if policy.user_actions(user):
        return api_token_create(actor=user, name=name).raw
    raw = f"{TOKEN_PREFIX}no-role-{user.pk}-0123456789abcdef"
    ApiToken.objects.create(user=user, name=name, prefix=raw[:10], token_hash=token_hash(raw))
    return raw


class ApiClient:
    """Django's test client speaking JSON with `Authorization: Bearer …` (no session, no cookies)."""

    def __init__(self, token: str | None = None, **headers: str) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.headers.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})

    def _h(self, headers: dict[str, str] | None) -> dict[str, str]:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
        return {**self.headers, **extra}

    def get(self, url: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(url, params or {}, **self._h(headers))

    def _send(
        self,
        method: str,
        url: str,
        body: Any = None,
        headers: dict | None = None,
        raw: bytes | str | None = None,
        content_type: str = "application/json",
    ):
        """A request with a body: `body` as JSON, or `raw` bytes as they are."""
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.generic(method, url, data, content_type=content_type, **self._h(headers))

    def post(self, url: str, body: Any = None, headers: dict | None = None, **options: Any):
        return self._send("POST", url, body, headers, **options)

    def patch(self, url: str, body: Any = None, headers: dict | None = None, **options: Any):
        return self._send("PATCH", url, body, headers, **options)

    def request(self, method: str, url: str, body: Any = None, headers: dict | None = None):
        if method == "GET":
            return self.get(url, headers=headers)
        return self._send(method, url, body, headers)
