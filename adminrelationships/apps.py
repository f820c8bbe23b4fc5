from django.apps import AppConfig


class AdminRelationshipsConfig(AppConfig):
    """Admin relationships (granular delegated admin), their role catalogue and role templates."""

    name = "adminrelationships"
    verbose_name = "Admin relationships"

    def ready(self) -> None:
        from adminrelationships import activity_labels, forms, models, services, views
        from customers.hooks import add_customer_option_register
        from customers.panels import customer_panel_register
        from permissions import policy

        activity_labels.register()
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
        customer_panel_register(
            template="adminrelationships/_customer_panel.html", context=views.customer_panel_context
        )
        add_customer_option_register(
            name="default_admin_relationship",
            field=forms.default_relationship_field,
            apply=services.default_relationship_apply,
        )
