from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed webhooks: a partner's endpoints, the events services emit, the queue that delivers them."""

    name = "partnerportal.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from partnerportal.webhooks import activity_labels, models
        from partnerportal.webhooks.delivery import disabled_recipients_register
        from permissions import policy
        from permissions.roles import Action

        activity_labels.register()
        disabled_recipients_register(
            lambda partner: policy.staff_holding(partner, Action.MANAGE_WEBHOOKS).values_list("email", flat=True)
        )
        # Endpoints and their log belong to one partner; only its global admins manage them (the role table).
        policy.register(models.WebhookEndpoint, policy.By.PARTNER)
        policy.register(models.WebhookDelivery, policy.By.PARTNER, partner_fields=("endpoint__partner",))
