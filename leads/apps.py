from datetime import timedelta

from django.apps import AppConfig

# How often the digest job looks for finished days with more than ten leads for one contact.
DIGEST_EVERY = timedelta(minutes=15)


class LeadsConfig(AppConfig):
    """Leads: customers who asked a partner, through its business profile, to contact them."""

    name = "leads"

    def ready(self) -> None:
        from customers.hooks import add_customer_initial_register, add_customer_option_register
        from leads import activity_labels, conversion, models, services
        from leads.selectors import lead_narrow
        from partnerportal.infrastructure.schedule import schedule_register
        from permissions import policy
        from relationships.hooks import invitation_extension_register

        activity_labels.register()
        # Partner-private; staff limited to assigned customers see the leads they are on the team of (or contact).
        policy.register(models.Lead, policy.By.PARTNER, narrow=lead_narrow)
        policy.register(models.LeadFavourite, policy.By.PARTNER, partner_fields=("lead__partner",))
        policy.register(models.LeadNotificationDay, policy.By.PARTNER, partner_fields=("contact__partner",))
        schedule_register("lead-digest", every=DIGEST_EVERY, func=services.lead_digest_send)
        add_customer_option_register(
            name=conversion.KEY, field=conversion.customer_field, apply=conversion.customer_apply
        )
        add_customer_initial_register(name=conversion.KEY, initial=conversion.customer_initial)
        invitation_extension_register(conversion.EXTENSION)
