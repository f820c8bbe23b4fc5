from datetime import timedelta

from django.apps import AppConfig

# How often the expiry sweep runs: an auto-extending relationship is extended at most this long after its end.
EXPIRY_SWEEP_EVERY = timedelta(minutes=5)


class AdminRelationshipsConfig(AppConfig):
    """Admin relationships (granular delegated admin), their role catalogue and role templates."""

    name = "adminrelationships"
    verbose_name = "Admin relationships"

    def ready(self) -> None:
        from adminrelationships import activity_labels, forms, models, services, views
        from adminrelationships.services.expiry import expiry_sweep
        from adminrelationships.services.invitations import EXTENSION
        from customers.hooks import add_customer_option_register
        from customers.panels import customer_panel_register
        from partnerportal.infrastructure.schedule import schedule_register
        from permissions import policy
        from relationships.hooks import invitation_extension_register

        activity_labels.register()
        schedule_register("admin-relationship-expiry", every=EXPIRY_SWEEP_EVERY, func=expiry_sweep)
        # A customer may be shared by two partners (indirect chain): each sees only its own admin relationships.
        policy.register(models.AdminRelationship, policy.By.PARTNER_AND_CUSTOMER)
        policy.register(models.RoleTemplate, policy.By.PARTNER)
        policy.register(models.SecurityGroup, policy.By.PARTNER)
        policy.register(
            models.AccessAssignment,
            policy.By.PARTNER_AND_CUSTOMER,
            customer_field="relationship__customer",
            partner_fields=("relationship__partner",),
        )
        policy.register(models.InvitationRequest, policy.By.PARTNER, partner_fields=("invitation__partner",))
        # New invitations offer an admin relationship request instead of the legacy DAP flag.
        invitation_extension_register(EXTENSION)
        customer_panel_register(
            template="adminrelationships/_customer_panel.html", context=views.customer_panel_context
        )
        add_customer_option_register(
            name="default_admin_relationship",
            field=forms.default_relationship_field,
            apply=services.default_relationship_apply,
        )
