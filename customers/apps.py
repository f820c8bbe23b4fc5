from django.apps import AppConfig

from customers import activity_labels


class CustomersConfig(AppConfig):
    """Customers, their tags and subscriptions."""

    name = "customers"

    def ready(self) -> None:
        activity_labels.register()
        from customers import models
        from permissions import policy

        policy.register(models.Customer, policy.By.CUSTOMER, customer_field="pk")
        # Two partners may each hold subscriptions and tags on one shared customer: both filters apply.
        policy.register(models.Subscription, policy.By.PARTNER_AND_CUSTOMER)
        policy.register(models.CustomerTag, policy.By.PARTNER_AND_CUSTOMER, partner_fields=("tag__partner",))
        policy.register(models.Tag, policy.By.PARTNER)
        policy.register_object_permission_models(
            user_model=models.CustomerUserObjectPermission, group_model=models.CustomerGroupObjectPermission
        )
