from django.apps import AppConfig

from permissions import activity_labels


class PermissionsConfig(AppConfig):
    """Roles, the access policy and the services that grant access."""

    name = "permissions"

    def ready(self) -> None:
        activity_labels.register()
        from partnerportal.models import OutboundEmail, User
        from permissions import policy
        from permissions.models import CustomerAssignment, PurchasePermission

        # Staff users belong to their partner (the core app sits below the policy, so it is registered here).
        policy.register(User, policy.By.PARTNER)
        policy.register(OutboundEmail, policy.By.PARTNER)
        policy.register(CustomerAssignment, policy.By.PARTNER_AND_CUSTOMER, partner_fields=("user__partner",))
        policy.register(PurchasePermission, policy.By.PARTNER_AND_CUSTOMER)
