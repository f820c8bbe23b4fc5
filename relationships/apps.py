from django.apps import AppConfig

from relationships import activity_labels


class RelationshipsConfig(AppConfig):
    """Relationships with customers, invitations and provider↔reseller partnerships."""

    name = "relationships"

    def ready(self) -> None:
        activity_labels.register()
        from permissions import policy
        from permissions.roles import Action
        from relationships import models
        from relationships.selectors import invitation_narrow

        # Restoring works on ended relationships, whose customers are no longer reachable: partner-wide.
        policy.register(
            models.Relationship,
            policy.By.PARTNER_AND_CUSTOMER,
            partner_wide_actions=frozenset({Action.RESTORE_RELATIONSHIP}),
        )
        policy.register(models.Invitation, policy.By.PARTNER, narrow=invitation_narrow)
        policy.register(models.Partnership, policy.By.PARTNER, partner_fields=("provider", "reseller"))
