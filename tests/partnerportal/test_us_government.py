"""The US Government cloud (PORTAL_CLOUD=us_gov, reference §15) beyond the access matrix: the indirect model's
options gone from the pages that stay, the API's 404 for a withheld feature, delegated admin on every invitation
(page, API, email, acceptance) and the primary-domain suffix of the deployment."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from api.views.base import ApiView
from partnerportal.models import OutboundEmail
from permissions.roles import Action
from relationships.models import Invitation, Partnership
from relationships.services import invitation_create
from relationships.services.lifecycle import relationship_end, restore_invitation_send
from tests.api.helpers import ApiClient, token_for
from tests.factories import customer_form_data, make_partner, make_user
from tests.relationships.invite_helpers import accept_url

pytestmark = pytest.mark.usefixtures("shared_world")


class LeadsProbe(ApiView):
    """An endpoint of a feature the US Government cloud withholds (the leads apps add the real ones)."""

    permissions = {"GET": Action.WORK_LEADS}

    def get(self, request, *args, **kwargs):
        return Response({"ok": True})


def _probe(token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = LeadsProbe.as_view()(APIRequestFactory().get("/api/v1/probe/", **headers))
    response.render()
    return response


def test_an_api_endpoint_of_a_withheld_feature_is_a_404_problem_for_everyone(world, settings):
    sales = token_for(world.users["sales_agent"])
    assert _probe().status_code == 401
    assert _probe(sales).status_code == 200
    settings.PORTAL_CLOUD = "us_gov"
    for token in (None, sales, token_for(world.users["helpdesk_agent"])):
        response = _probe(token)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.data["status"] == 404


@pytest.fixture
def provider_world(world):
    """Partner A as an indirect provider with an active reseller, and that reseller's sales agent."""
    world.partner_a.type = "indirect_provider"
    world.partner_a.save(update_fields=["type"])
    reseller = make_partner(type="indirect_reseller", name="Fabrikam Resellers")
    Partnership.objects.create(provider=world.partner_a, reseller=reseller, email="x@fabrikam.example", status="active")
    return world, make_user(reseller, "sales_agent")


def test_the_pages_that_stay_offer_no_indirect_option(provider_world, client_for, settings):
    world, reseller_agent = provider_world
    provider = client_for(world.users["global_admin"])
    # Commercial: the provider picks a reseller for a new customer and lists show resellers; the reseller a provider.
    assert "reseller" in provider.get(reverse("customers:customer_create")).context["form"].fields
    assert (
        "provider" in client_for(reseller_agent).get(reverse("relationships:invitation_create")).context["form"].fields
    )
    settings.PORTAL_CLOUD = "us_gov"
    provider = client_for(world.users["global_admin"])
    add = provider.get(reverse("customers:customer_create"))
    assert add.status_code == 200 and "reseller" not in add.context["form"].fields
    listing = provider.get(reverse("customers:customer_list")).content.decode()
    assert reverse("relationships:partnership_list") not in listing
    invite = client_for(reseller_agent).get(reverse("relationships:invitation_create"))
    assert invite.status_code == 200 and "provider" not in invite.context["form"].fields
    # The reseller's invitation is a direct one there, with delegated admin.
    client_for(reseller_agent).post(
        reverse("relationships:invitation_create"), {"email": "a@b.example.net", "message": "Hi"}
    )
    invitation = Invitation.objects.get()
    assert invitation.provider is None and invitation.dap is True


def test_every_invitation_asks_for_delegated_admin_and_the_email_and_acceptance_say_so(world, client_for, settings):
    settings.PORTAL_CLOUD = "us_gov"
    page = client_for(world.users["admin_agent"])
    form = page.get(reverse("relationships:invitation_create")).context["form"]
    assert form.fields["dap"].disabled and "admin_template" not in form.fields
    page.post(reverse("relationships:invitation_create"), {"email": "page@adatum.example.net", "message": "Hi"})
    api = ApiClient(token_for(world.users["admin_agent"]))
    assert api.post("/api/v1/invitations/", {"email": "api@adatum.example.net"}).status_code == 201
    # The admin-relationship extension is not offered there, through the API either.
    refused = api.post("/api/v1/invitations/", {"email": "x@adatum.example.net", "admin_template": "1"})
    assert refused.status_code == 400 and "admin_template" in refused.json()["errors"]
    invitations = list(Invitation.objects.order_by("pk"))
    assert [i.dap for i in invitations] == [True, True]
    for invitation in invitations:
        body = OutboundEmail.objects.get(topic=f"invitation:{invitation.pk}").body
        assert "Delegated admin privileges requested: yes" in body
        assert "also ask for an admin relationship" not in body
    _invitation, token = invitation_create(
        actor=world.users["sales_agent"], email="svc@adatum.example.net", message="Hi", dap=False
    )
    html = Client().get(accept_url(token)).content.decode()
    assert 'id="dap-explanation">' in html and "Requested." in html.split('id="dap-explanation">')[1][:40]


def test_a_restore_invitation_asks_for_delegated_admin_even_where_the_relationship_had_none(world, settings):
    relationship = relationship_end(actor=world.users["global_admin"], customer=world.customer_in, reason="other",
                                    details="Test")  # fmt: skip
    relationship.snapshot = {**(relationship.snapshot or {}), "dap": False}
    relationship.save(update_fields=["snapshot"])
    settings.PORTAL_CLOUD = "us_gov"
    invitation, _link = restore_invitation_send(
        actor=world.users["global_admin"], relationship=relationship, email="it@adatum.example.net", message="Hi"
    )
    assert invitation.dap is True


def test_the_pages_show_and_use_the_deployments_domain_suffix(world, client_for, settings):
    settings.PORTAL_DOMAIN_SUFFIX = ".onmicrosoft.us"
    client = client_for(world.users["sales_agent"])
    page = client.get(reverse("customers:customer_create")).content.decode()
    assert ".onmicrosoft.us" in page and ".onmicrosoft.com" not in page
    check = client.get(reverse("customers:domain_check"), {"prefix": "fabrikamgov"}).json()
    assert check["message"] == "fabrikamgov.onmicrosoft.us is available."
    client.post(reverse("customers:customer_create"), customer_form_data(domain_prefix="FabrikamGov"))
    assert world.partner_a.relationships.get(customer__primary_domain="fabrikamgov.onmicrosoft.us")
    imports = client_for(world.users["global_admin"]).get(reverse("relationships:customer_import")).content.decode()
    assert "this prefix + .onmicrosoft.us" in imports and "prefix + .onmicrosoft.us." in imports
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").content.decode()
    assert "this prefix + .onmicrosoft.us" in schema


def test_webhook_endpoints_are_not_offered_partnership_events(world, client_for, settings):
    url = reverse("webhooks:endpoint_list")
    assert "partnership.authorized" in client_for(world.users["global_admin"]).get(url).content.decode()
    settings.PORTAL_CLOUD = "us_gov"
    page = client_for(world.users["global_admin"]).get(url).content.decode()
    assert "partnership.authorized" not in page and "partnership.removed" not in page
    assert "customer.created" in page
