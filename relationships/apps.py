from datetime import timedelta

from django.apps import AppConfig

from relationships import activity_labels

# How often the invitation expiry sweep runs: `invitation.expired` goes out at most this long after the expiry.
INVITATION_EXPIRY_SWEEP_EVERY = timedelta(minutes=5)


class RelationshipsConfig(AppConfig):
    """Relationships with customers, invitations and provider↔reseller partnerships."""

    name = "relationships"

    def ready(self) -> None:
        activity_labels.register()
        from partnerportal.infrastructure.schedule import schedule_register
        from permissions import policy
        from permissions.roles import Action
        from relationships import models
        from relationships.selectors import invitation_narrow
        from relationships.services.expiry import invitation_expiry_sweep

        schedule_register("invitation-expiry", every=INVITATION_EXPIRY_SWEEP_EVERY, func=invitation_expiry_sweep)

        # Restoring works on ended relationships, whose customers are no longer reachable: partner-wide.
        policy.register(
            models.Relationship,
            policy.By.PARTNER_AND_CUSTOMER,
            partner_wide_actions=frozenset({Action.RESTORE_RELATIONSHIP}),
        )
        policy.register(models.Invitation, policy.By.PARTNER, narrow=invitation_narrow)
        policy.register(models.Partnership, policy.By.PARTNER, partner_fields=("provider", "reseller"))
