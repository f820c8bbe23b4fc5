"""One-time link tokens: the raw token goes into the link once; only its SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored in place of a link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh unguessable token (32 random bytes, URL-safe) and the digest to store for it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)
