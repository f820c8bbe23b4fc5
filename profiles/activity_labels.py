"""How the activity log labels the details of business profile entries (from `ProfilesConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register
from customers import countries


def register() -> None:
    activity_labels_register(
        Actions.PROFILE_CREATE,
        Actions.PROFILE_UPDATE,
        Actions.PROFILE_PUBLISH,
        Actions.PROFILE_UNPUBLISH,
        Actions.PROFILE_DELETE,
        model="profiles.BusinessProfile",
        fields={"logo": "logo_png"},
        labels={"locations": _("Locations"), "business_profile": _("Business profile")},
        values={"country": countries.COUNTRY_NAMES},
    )
    activity_labels_register(
        Actions.PROFILE_LOCATION_ADD,
        Actions.PROFILE_LOCATION_DELETE,
        model="profiles.ProfileLocation",
        labels={"location": _("Location"), "business_profile": _("Business profile"), "country": _("Country/region")},
        values={"country": countries.COUNTRY_NAMES},
    )
