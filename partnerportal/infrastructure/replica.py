"""Read-replica routing: the one home of the rule that decides which database a read-only selector reads.

Only with DATABASE_REPLICA_URL set (settings: a "replica" alias, this module's router and middleware). Without it
`read_db()` is "default" after one dictionary lookup, the middleware removes itself at start-up
(`MiddlewareNotUsed`) and no router is installed: nothing runs per request or per query.

With a replica, `read_db()` — called by the read-only selectors (customer list and its count, search, export,
helpdesk lookup), whose querysets add `.using(read_db())` — answers "replica" unless one of these holds, then
"default" (the primary):

1. outside a request (the task worker, management commands): the primary;
2. inside a transaction (`transaction.atomic` on the primary, whatever opened it): the primary;
3. after a write in the same request: the middleware watches every statement on the primary's connection while
   the view runs (`execute_wrapper`), and the first one that is not a read (INSERT, UPDATE, DELETE, …) marks the
   request: every later routed read of it goes to the primary (writes of bookkeeping no routed selector reads —
   rate-limit counts, a token's last use, session and sign-in records — do not count, `BOOKKEEPING_MODELS`);
4. read-your-writes across requests: a request that wrote ends by reading the primary's WAL position
   (`pg_current_wal_insert_lsn()`, one query) into a signed cookie (the pin). A later request carrying a pin asks
   the replica once, at its first routed read, whether it has replayed that far (`pg_last_wal_replay_lsn()`); until
   it has, that request reads the primary; once it has, the response deletes the cookie and reads return to the
   replica. The comparison is exact however long the replica lags; a replica that cannot be asked counts as behind.

Everything else — sessions, sign-in, django-axes, rate limits, the access mixin's object lookups and every
`policy.can` — never calls `read_db()` and reads the primary. The access policy is unchanged: a routed selector's
rows are `policy.restrict(...)` evaluated on the replica (so a revocation reaches other users' lists once the
replica has replayed it, the revoker's own at once through the pin).

The router keeps what a replica-loaded row leads to consistent: writes always go to the primary (a customer read
from the replica and then saved, or assigned to a new row's foreign key, is written to the primary), relations
between the two aliases are allowed, related rows of a replica-loaded row are read where `read_db()` says, and no
migration ever runs on the replica.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import MiddlewareNotUsed
from django.core.signing import BadSignature
from django.db import DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

DEFAULT = "default"
REPLICA = "replica"
PIN_COOKIE = "portal_replica_pin"
PIN_SALT = "partnerportal.replica.pin"
# A pin older than this is ignored: a replica an hour behind is an outage for /readyz, not a routing question.
PIN_MAX_AGE_SECONDS = 3600
W_REPLICA = "partnerportal.W120"

# Statements that do not change data: a request whose primary connection ran only these has not written.
_NOT_WRITES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW", "EXPLAIN")
# Bookkeeping that many reads write on the way (a rate-limit count per API request, a token's last use, the
# session's row, django-axes' sign-in records): rows no routed selector reads, so writing them pins nothing.
# Model labels, resolved to table names once the apps are loaded; a label of an app not installed is skipped.
BOOKKEEPING_MODELS = (
    "partnerportal.RateLimitCounter",
    "accounts.PortalSession",
    "api.ApiToken",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "axes.AccessLog",
)
_WRITE_TARGET = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_PRIMARY_POSITION = "SELECT pg_current_wal_insert_lsn()::text"
# On the replica: has it replayed up to the pin? A server that is not in recovery (the test suite's second alias
# on the same database) is as far as its own WAL position.
_REPLAYED_UP_TO = (
    "SELECT COALESCE(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn()"
    " END >= %s::pg_lsn, false)"
)


@dataclass
class _RequestState:
    pin: str | None = None
    wrote: bool = False
    # Whether the replica has replayed up to the pin: asked at the request's first routed read, then remembered.
    caught_up: bool | None = None


_state: ContextVar[_RequestState | None] = ContextVar("replica_request_state", default=None)


def replica_configured() -> bool:
    """Whether a replica alias is configured (DATABASE_REPLICA_URL)."""
    return REPLICA in settings.DATABASES


def _in_transaction() -> bool:
    connection = connections[DEFAULT]
    # The test suite's own outer transactions (marked by Django's TestCase) are not the application's.
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def read_db() -> str:
    """The alias a read-only selector reads: "replica" or "default" (the primary), by the rule above."""
    if REPLICA not in settings.DATABASES:
        return DEFAULT
    state = _state.get()
    if state is None or state.wrote or _in_transaction():
        return DEFAULT
    if state.pin is not None:
        if state.caught_up is None:
            state.caught_up = replica_has_replayed(state.pin)
        if not state.caught_up:
            return DEFAULT
    return REPLICA


def replica_has_replayed(position: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to `position` (one query on the replica)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_REPLAYED_UP_TO, [position])
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        return False


def primary_position() -> str:
    """The primary's current WAL insert position, as text ("0/3000148")."""
    with connections[DEFAULT].cursor() as cursor:
        cursor.execute(_PRIMARY_POSITION)
        return str(cursor.fetchone()[0])


@cache
def _bookkeeping_tables() -> frozenset[str]:
    tables = set()
    for label in BOOKKEEPING_MODELS:
        try:
            tables.add(apps.get_model(label)._meta.db_table)
        except LookupError:
            continue
    return frozenset(tables)


def is_write(sql: Any) -> bool:
    """Whether a statement run on the primary changes rows a routed selector may read."""
    if not isinstance(sql, str):
        return True
    if sql.lstrip()[:9].upper().startswith(_NOT_WRITES):
        return False
    target = _WRITE_TARGET.match(sql)
    return target is None or target.group(1) not in _bookkeeping_tables()


def _note_writes(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict[str, Any]) -> Any:
    state = _state.get()
    if state is not None and not state.wrote and is_write(sql):
        state.wrote = True
    return execute(sql, params, many, context)


class ReplicaRoutingMiddleware:
    """Per request: read the pin, watch the primary's connection for writes, and set or release the pin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = _RequestState(pin=self._pin(request))
        token = _state.set(state)
        try:
            with connections[DEFAULT].execute_wrapper(_note_writes):
                response = self.get_response(request)
            if state.wrote:
                response.set_signed_cookie(
                    PIN_COOKIE,
                    primary_position(),
                    salt=PIN_SALT,
                    max_age=PIN_MAX_AGE_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            elif state.pin is not None and state.caught_up:
                response.delete_cookie(PIN_COOKIE, samesite="Lax")
            return response
        finally:
            _state.reset(token)

    @staticmethod
    def _pin(request: HttpRequest) -> str | None:
        if PIN_COOKIE not in request.COOKIES:
            return None
        try:
            return request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT, max_age=PIN_MAX_AGE_SECONDS)
        except (BadSignature, KeyError):
            return None


class ReplicaRouter:
    """Writes to the primary always; a replica-loaded row's related reads by `read_db()`; no migrations there."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            return read_db()
        return None

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


def check_replica(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Deployment check (`manage.py check --deploy`): DATABASE_REPLICA_URL names the primary itself, or a server
    that is not a standby. Either works, but every routed read then loads the primary (and the pin never waits):
    most likely a copied URL. Unreachable servers say nothing here (/readyz reports them)."""
    if not replica_configured():
        return []
    ours, theirs = connections[DEFAULT].settings_dict, connections[REPLICA].settings_dict
    same = all(ours.get(key) == theirs.get(key) for key in ("HOST", "PORT", "NAME"))
    hint = "Point DATABASE_REPLICA_URL at a streaming standby of the primary (docs/deploy.md, Read replica)."
    if same:
        return [checks.Warning("DATABASE_REPLICA_URL names the primary's own database.", hint=hint, id=W_REPLICA)]
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            in_recovery = cursor.fetchone()[0]
    except DatabaseError:
        return []
    if not in_recovery:
        return [checks.Warning("DATABASE_REPLICA_URL's server is not a standby.", hint=hint, id=W_REPLICA)]
    return []
