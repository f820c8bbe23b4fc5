from django.apps import AppConfig


class ActivityConfig(AppConfig):
    """The append-only activity log."""

    name = "activity"

    def ready(self) -> None:
        from activity.models import ActivityEntry
        from permissions import policy

        policy.register(ActivityEntry, policy.By.PARTNER)
