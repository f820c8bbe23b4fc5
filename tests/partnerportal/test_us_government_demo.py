"""Demo data in a US Government deployment: no indirect model, delegated admin on every invitation, its suffix."""

from __future__ import annotations

import os

from django.core.management import call_command

from customers.models import Customer
from relationships.models import Invitation, Partnership, Relationship


def test_seed_demo_in_the_us_government_cloud_makes_direct_relationships_with_its_suffix(db, settings):
    settings.PORTAL_CLOUD = "us_gov"
    settings.PORTAL_DOMAIN_SUFFIX = ".onmicrosoft.us"
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 -- discard the printed logins
    assert not Partnership.objects.exists()
    assert not Relationship.objects.filter(kind=Relationship.Kind.INDIRECT).exists()
    assert not Invitation.objects.filter(provider__isnull=False).exists()
    assert Invitation.objects.exists() and not Invitation.objects.filter(dap=False).exists()
    domains = list(Customer.objects.values_list("primary_domain", flat=True))
    assert domains and all(domain.endswith(".onmicrosoft.us") for domain in domains)
