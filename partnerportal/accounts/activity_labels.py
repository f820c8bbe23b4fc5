"""How the activity log labels the details of sign-in entries (registered from `AccountsConfig.ready`)."""

from __future__ import annotations

from activity.actions import Actions
from activity.labels import activity_labels_register


def register() -> None:
    activity_labels_register(
        Actions.AUTH_SIGN_IN,
        Actions.AUTH_SIGN_IN_FAILED,
        Actions.AUTH_LOCKOUT,
        Actions.AUTH_SIGN_OUT,
        Actions.AUTH_PASSWORD_CHANGE,
        Actions.AUTH_PASSWORD_RESET,
        model="partnerportal.User",
    )
