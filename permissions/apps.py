from django.apps import AppConfig

from permissions import activity_labels


class PermissionsConfig(AppConfig):
    name = "permissions"

    def ready(self) -> None:
        activity_labels.register()
