from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    """Relationships with customers, invitations and provider↔reseller partnerships."""

    name = "relationships"

    def ready(self) -> None:
        from permissions import policy
        from relationships import models
        from relationships.selectors import invitation_narrow

        policy.register(models.Relationship, policy.By.PARTNER_AND_CUSTOMER)
        policy.register(models.Invitation, policy.By.PARTNER, narrow=invitation_narrow)
        policy.register(models.Partnership, policy.By.PARTNER, partner_fields=("provider", "reseller"))
