"""The shapes of a customer's agreement attestation and of the add-customer page's domain check (OpenAPI)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.services.validation import DOMAIN_PREFIX_MAX_LENGTH


class AgreementAttestSerializer(serializers.Serializer):
    """Who accepted the customer agreement, their address and the date (the "Confirm customer agreement" form)."""

    agreement_name = serializers.CharField(max_length=81)
    agreement_email = serializers.CharField(max_length=254)
    agreement_date = serializers.DateField(help_text=_("Can't be in the future."))


class DomainAvailabilityQuerySerializer(serializers.Serializer):
    prefix = serializers.CharField(
        max_length=DOMAIN_PREFIX_MAX_LENGTH, help_text=_("Letters and digits; it can't change later.")
    )


class DomainAvailabilitySerializer(serializers.Serializer):
    """Whether a primary domain is free, with the message the add-customer page shows under the field."""

    prefix = serializers.CharField()
    domain = serializers.CharField(help_text=_("The full primary domain the prefix gives."))
    available = serializers.BooleanField()
    message = serializers.CharField()
