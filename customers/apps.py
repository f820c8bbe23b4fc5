from django.apps import AppConfig

from customers import activity_labels


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self) -> None:
        activity_labels.register()
