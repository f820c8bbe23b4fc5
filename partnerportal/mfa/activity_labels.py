"""How the activity log labels the details of MFA entries (registered from `MfaConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register


def register() -> None:
    activity_labels_register(
        Actions.MFA_ENROL,
        Actions.MFA_VERIFY,
        Actions.MFA_FAILED,
        Actions.MFA_RECOVERY_CODE_USED,
        Actions.MFA_RECOVERY_CODES_REGENERATE,
        Actions.MFA_RESET,
        model="partnerportal.User",
        labels={
            "replaced_authenticator": _("Replaced an earlier authenticator"),
            "method": _("Method"),
            "purpose": _("Purpose"),
            "codes_left": _("Recovery codes left"),
            "had_authenticator": _("Had an authenticator"),
            "sessions_ended": _("Sessions ended"),
        },
        values={
            "method": {"totp": _("Authenticator app"), "recovery_code": _("Recovery code")},
            "purpose": {"sign_in": _("Sign-in"), "reauth": _("Confirming identity"), "admin": _("Admin sign-in")},
        },
    )
    activity_labels_register(Actions.MFA_REQUIREMENT_CHANGE, model="partnerportal.Partner")
