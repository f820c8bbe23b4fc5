"""Session engine (`SESSION_ENGINE`): the database backend on `PortalSession`, which records the user's id."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from partnerportal.accounts.models import PortalSession


class SessionStore(DatabaseSessionStore):
    """Django's database session store, writing the signed-in user's id into its own indexed column."""

    @classmethod
    def get_model_class(cls) -> type[PortalSession]:
        return PortalSession

    def create_model_instance(self, data: dict[str, Any]) -> PortalSession:
        instance = cast(PortalSession, super().create_model_instance(data))
        user_id = data.get(SESSION_KEY)
        try:
            instance.user_id = int(user_id) if user_id is not None else None
        except (TypeError, ValueError):
            instance.user_id = None
        return instance
