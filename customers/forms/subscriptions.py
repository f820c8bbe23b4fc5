"""Forms for subscriptions: add one, and the suspend / reactivate / cancel buttons."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Subscription
from customers.services.subscriptions import TRANSITIONS

QUANTITY_MAX = 1_000_000


class SubscriptionForm(forms.Form):
    """Offer name, quantity (at least 1) and whether it is an Azure plan."""

    offer_name = forms.CharField(
        label=_("Offer"), max_length=Subscription._meta.get_field("offer_name").max_length, strip=True
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=QUANTITY_MAX, initial=1)
    is_azure_plan = forms.BooleanField(
        label=_("Azure plan"),
        required=False,
        help_text=_("Customers with an active Azure plan can be allowed to buy reservations and savings plans."),
    )


class SubscriptionStatusForm(forms.Form):
    """The button a user pressed on a subscription row."""

    action = forms.ChoiceField(choices=[(name, name) for name in TRANSITIONS])
