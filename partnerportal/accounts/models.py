"""The session table, with the signed-in user's id beside each row so a user's sessions are one indexed lookup."""

from __future__ import annotations

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class PortalSession(AbstractBaseSession):
    """A database session that records whose it is.

    Django's own session table stores the user id only inside the signed, encoded data, so ending every session of
    one user would mean decoding every row. Here the session store writes `user_id` on each save (also after
    `cycle_key`, which copies the data), and an index makes "every session of this user" one DELETE.
    """

    # No foreign key: a session row may outlive its user for a moment, and saving it must never fail for that.
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "session"
        verbose_name_plural = "sessions"
