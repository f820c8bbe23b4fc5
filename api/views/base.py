"""The base of every API view: bearer tokens only, JSON only, and every decision through `permissions.policy`.

Like the portal's `PortalPermissionMixin`: 401 without a valid token, 403 when the token's user holds the action
nowhere, and object lookups narrowed by `policy.restrict`, so anything outside the user's scope is a 404.
"""

from __future__ import annotations

import hashlib
import json
import string
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import services
from api.access import PolicyPermission
from api.problems import BadRequest, PayloadTooLarge, Unprocessable

IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_.:")


class ApiView(APIView):
    """An API endpoint: set `permissions` (method → action); the GET action answers any other method (then 405)."""

    permission_classes = [PolicyPermission]
    permissions: dict[str, str] = {}

    def get_permission_required(self, method: str) -> str:
        return self.permissions.get(method) or self.permissions["GET"]

    # --- request bodies -----------------------------------------------------------------------------------------

    def json_object(self, request: Request, allowed: set[str] | frozenset[str] | tuple[str, ...]) -> dict[str, Any]:
        """The body as a JSON object of known fields with plain values (strings, whole numbers, null); 400 else."""
        try:
            data = request.data
        except RequestDataTooBig:
            raise PayloadTooLarge() from None
        if not isinstance(data, dict):
            raise BadRequest(_("The body must be a JSON object."))
        unknown = sorted(set(data) - set(allowed))
        errors: dict[str, list[str]] = {field: [str(_("Unknown or read-only field."))] for field in unknown}
        for field, value in data.items():
            if field in errors:
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, type(None))):
                errors[field] = [str(_("Must be a string."))]
            elif isinstance(value, int) and abs(value) > 2**31 - 1:
                errors[field] = [str(_("The number is too large."))]
        if errors:
            raise BadRequest(errors=errors)
        return {field: "" if value is None else str(value) for field, value in data.items()}

    # --- Idempotency-Key ---------------------------------------------------------------------------------------

    def idempotent(self, request: Request, handler: Any) -> Response:
        """Run `handler()` once per key: the same key and body replay the first answer, another body is a 422."""
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return handler()
        if not (1 <= len(key) <= 255) or not set(key) <= _KEY_CHARACTERS:
            raise BadRequest(errors={IDEMPOTENCY_HEADER: [str(_("1–255 letters, digits or - _ . : characters."))]})
        try:
            body = request.body
        except RequestDataTooBig:
            raise PayloadTooLarge() from None
        fingerprint = services.request_fingerprint(method=request.method or "POST", path=request.path, body=body)
        with transaction.atomic():
            claim = services.idempotency_claim(
                user=request.user, key=key, method=request.method or "POST", path=request.path, fingerprint=fingerprint
            )
            if claim.conflict:
                raise Unprocessable(_("This Idempotency-Key was used with another request."))
            if not claim.created:
                replay = Response(claim.record.body, status=claim.record.status, headers=claim.record.headers)
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = handler()
            headers = {name: response[name] for name in ("Location", "ETag") if response.has_header(name)}
            services.idempotency_store(
                record=claim.record, status=response.status_code, body=response.data, headers=headers
            )
        return response


UNKNOWN_PARAMETER = _("Unknown parameter.")


def query_params(request: Request, serializer_class: type) -> dict[str, Any]:
    """The query string through its serializer: an unknown parameter or a bad value is a 400 with the message.

    A plain dict, not the QueryDict, is validated: an empty `sort=` or `limit=` is then an error, not the default.
    """
    query = serializer_class(data=dict(request.query_params.items()))
    unknown = {name: [str(UNKNOWN_PARAMETER)] for name in request.query_params if name not in query.fields}
    if unknown:
        raise BadRequest(errors=unknown)
    if not query.is_valid():
        raise BadRequest(errors={field: [str(m) for m in messages] for field, messages in query.errors.items()})
    return dict(query.validated_data)


def etag_of(data: Any) -> str:
    """A strong ETag over the object's representation: any change to what the API shows changes it."""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
