from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API (`/api/v1/`): personal tokens, problem details, keyset pages, on the apps' services and policy."""

    name = "api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from api import activity_labels, models, schema, webhook_payloads  # noqa: F401 -- schema registers its extension
        from api.services import api_tokens_revoke_for_deactivated
        from partnerportal.staff.signals import staff_user_deactivated
        from permissions import policy

        # A deactivated user's tokens are revoked with the deactivation: a reactivation brings none back.
        staff_user_deactivated.connect(api_tokens_revoke_for_deactivated, dispatch_uid="api-tokens-revoke")

        activity_labels.register()
        # Webhook events carry resources as the API represents them.
        webhook_payloads.register()
        # A token belongs to its user's partner: a global admin sees and revokes those of the partner's staff.
        policy.register(models.ApiToken, policy.By.PARTNER, partner_fields=("user__partner",))
        policy.register(models.IdempotencyRecord, policy.By.PARTNER, partner_fields=("user__partner",))
