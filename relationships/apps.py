from django.apps import AppConfig

from relationships import activity_labels


class RelationshipsConfig(AppConfig):
    name = "relationships"

    def ready(self) -> None:
        activity_labels.register()
