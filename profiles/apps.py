from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    """Business profiles (one per partner and country) and the public find-a-partner directory."""

    name = "profiles"
    verbose_name = _("Business profiles")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from partnerportal.models import Partner
        from permissions import policy
        from profiles import activity_labels, models
        from profiles.services import business_profiles_reindex

        def partner_saved(sender: type, instance: Partner, created: bool, update_fields=None, **kwargs) -> None:
            # The directory searches the company name, which is the partner's: a rename (the operator's admin, a
            # command) reaches the search at once, as a profile's own edit does.
            if not created and (update_fields is None or "name" in update_fields):
                business_profiles_reindex(partner=instance)

        post_save.connect(partner_saved, sender=Partner, weak=False, dispatch_uid="profiles-partner-renamed")

        activity_labels.register()
        # A profile and its locations belong to one partner: every staff user reads them, a global admin edits.
        policy.register(models.BusinessProfile, policy.By.PARTNER)
        policy.register(models.ProfileLocation, policy.By.PARTNER, partner_fields=("profile__partner",))
