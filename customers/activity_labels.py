"""How the activity log labels the details of customer entries (registered from `CustomersConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from activity.actions import Actions
from activity.labels import activity_labels_register
from customers import countries


def register() -> None:
    activity_labels_register(
        Actions.CUSTOMER_CREATE,
        Actions.CUSTOMER_IMPORT,
        Actions.CUSTOMER_UPDATE,
        Actions.CUSTOMER_AGREEMENT_ATTEST,
        model="customers.Customer",
        labels={"indirect_partner": _("Indirect partner")},
        values={"country": countries.COUNTRY_NAMES},
    )
    activity_labels_register(
        Actions.SUBSCRIPTION_CREATE,
        Actions.SUBSCRIPTION_STATUS,
        model="customers.Subscription",
        labels={"subscription": _("Subscription")},
    )
    activity_labels_register(Actions.TAGS_UPDATE, labels={"tags": _("Tags")})
