"""Writes of the API app: tokens (create, revoke, authenticate) and the stored answers of idempotent POSTs."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from api.models import ApiToken, IdempotencyRecord
from partnerportal.infrastructure.tokens import token_hash
from partnerportal.models import User
from permissions import policy
from permissions.roles import Action

TOKEN_PREFIX = "ppt_"  # noqa: S105 -- the public marker every token starts with, not a secret
# The last-used time and address are written at most this often per token (one conditional UPDATE).
LAST_USED_EVERY = timedelta(minutes=1)
IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_EXPIRY_DAYS = 3650


@dataclass(frozen=True)
class IssuedToken:
    """A freshly created token: the row and the raw token, which is shown once and never stored."""

    token: ApiToken
    raw: str


def api_token_create(*, actor: User, name: str, expires_days: int | None = None) -> IssuedToken:
    """Create a personal API token for `actor`; the raw token is returned once, only its digest is kept."""
    name = " ".join((name or "").split())
    errors: dict[str, Any] = {}
    if not name:
        errors["name"] = _("Give the token a name, so you can tell it apart later.")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    if expires_days is not None and not (1 <= expires_days <= MAX_EXPIRY_DAYS):
        errors["expires_days"] = _("Between 1 and %(max)s days, or no expiry.") % {"max": MAX_EXPIRY_DAYS}
    if errors:
        raise ValidationError(errors)
    if not policy.has_action(actor, Action.USE_API):
        raise PermissionDenied
    # The visible prefix is part of the token, so a leaked token is recognisable in logs and by secret scanners.
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIX}{secret}"
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken(
            user=actor,
            name=name,
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            token_hash=token_hash(raw),
            created_at=now,
            expires_at=now + timedelta(days=expires_days) if expires_days else None,
        )
        token.full_clean(exclude=["token_hash"])
        token.save()
        activity_record(
            action=Actions.API_TOKEN_CREATE,
            actor=actor,
            after={
                "name": token.name,
                "prefix": token.prefix,
                "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            },
        )
    return IssuedToken(token=token, raw=raw)


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token (its owner's own, or any of the partner's as a global admin); revoking twice is a no-op."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        own = locked.user_id == actor.pk
        if not own and not policy.restrict(ApiToken.objects.filter(pk=locked.pk), actor, Action.MANAGE_STAFF).exists():
            raise PermissionDenied
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        activity_record(
            action=Actions.API_TOKEN_REVOKE,
            actor=actor,
            before={"name": locked.name, "prefix": locked.prefix, "owner": locked.user.email},
        )
    return locked


def api_tokens_revoke_for_deactivated(*, user: User, **kwargs: Any) -> int:
    """Revoke every live token of a user being deactivated (the staff service's signal, in its transaction)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_authenticate(*, raw: str, address: str | None, now: datetime | None = None) -> ApiToken | None:
    """The usable token for a raw bearer token, its user loaded; None for anything else (revoked, expired, an
    inactive user). Stamps the last use at most once a minute, with one conditional UPDATE."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__partner")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None or not token.user.is_active or token.user.partner_id is None:
        return None
    stale = token.last_used_at is None or token.last_used_at <= now - LAST_USED_EVERY
    if stale:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
        ).update(last_used_at=now, last_used_from=address)
    return token


# --- Idempotency-Key --------------------------------------------------------------------------------------------


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """The digest a stored answer is keyed to: the same key with another body (or route) is refused."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


@dataclass(frozen=True)
class IdempotencyClaim:
    """The outcome of claiming a key: a new record to fill, a stored answer to replay, or a conflicting body."""

    record: IdempotencyRecord
    created: bool
    conflict: bool


def idempotency_claim(*, user: User, key: str, method: str, path: str, fingerprint: str) -> IdempotencyClaim:
    """Claim the key inside the caller's transaction (call it in `transaction.atomic`).

    The insert comes first, so a concurrent request with the same key waits on the unique index until this
    transaction ends; then it finds the committed answer (or, when this one rolled back, claims the key itself).
    """
    now = timezone.now()
    IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=now - IDEMPOTENCY_TTL).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=user, key=key, method=method, path=path, request_hash=fingerprint, created_at=now
            )
    except IntegrityError:
        record = IdempotencyRecord.objects.select_for_update().get(user=user, key=key)
        return IdempotencyClaim(record=record, created=False, conflict=record.request_hash != fingerprint)
    return IdempotencyClaim(record=record, created=True, conflict=False)


def idempotency_store(*, record: IdempotencyRecord, status: int, body: Any, headers: dict[str, str]) -> None:
    """Keep the first answer for replay (inside the same transaction as the POST's effect)."""
    record.status = status
    record.body = body
    record.headers = headers
    record.save(update_fields=["status", "body", "headers"])
