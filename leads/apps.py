from django.apps import AppConfig


class LeadsConfig(AppConfig):
    """Leads: customers who asked a partner, through its business profile, to contact them."""

    name = "leads"

    def ready(self) -> None:
        from leads import models
        from permissions import policy

        policy.register(models.Lead, policy.By.PARTNER)
