from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    """Business profiles (one per partner and country) and the public find-a-partner directory."""

    name = "profiles"
    verbose_name = _("Business profiles")

    def ready(self) -> None:
        from permissions import policy
        from profiles import activity_labels, models

        activity_labels.register()
        # A profile and its locations belong to one partner: every staff user reads them, a global admin edits.
        policy.register(models.BusinessProfile, policy.By.PARTNER)
        policy.register(models.ProfileLocation, policy.By.PARTNER, partner_fields=("profile__partner",))
