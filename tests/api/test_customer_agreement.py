"""The agreement attestation and the domain check through the API: the pages' forms, services and messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from activity.models import ActivityEntry
from activity.services import Actions
from customers.models import Customer
from customers.services.validation import DOMAIN_TAKEN, MESSAGES
from partnerportal.models import Partner
from relationships.models import Partnership
from tests.api.helpers import ApiClient, token_for
from tests.factories import make_customer, make_partner, make_user

pytestmark = pytest.mark.usefixtures("shared_world")
DOMAINS = "/api/v1/domains/availability/"


def in_korean(message) -> str:
    """The message as a Korean reader sees it; it must differ from the English (a translation exists)."""
    with translation.override("ko"):
        korean = str(message)
    with translation.override("en"):
        assert korean != str(message), f"no Korean translation of {message!r}"
    return korean


def agreement_url(customer) -> str:
    return reverse("api:customer_agreement", args=[customer.pk])


def body(**overrides) -> dict:
    values = {
        "agreement_name": "Ana Kim",
        "agreement_email": "ana@customer.example.net",
        "agreement_date": timezone.localdate().isoformat(),
    }
    values.update(overrides)
    return values


def test_an_agent_confirms_the_agreement_and_a_retry_with_the_key_replays_it(world):
    agent = world.users["sales_agent"]
    api = ApiClient(token_for(agent))
    response = api.post(agreement_url(world.customer_in), body(), headers={"Idempotency-Key": "agree-1"})
    assert response.status_code == 200, response.content
    shown = response.json()
    assert shown["agreement_status"] == "attested_by_partner" and shown["agreement_name"] == "Ana Kim"
    assert response["ETag"] == api.get(reverse("api:customer_detail", args=[world.customer_in.pk]))["ETag"]
    again = api.post(agreement_url(world.customer_in), body(), headers={"Idempotency-Key": "agree-1"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true" and again.json() == shown
    entries = ActivityEntry.objects.filter(action=Actions.CUSTOMER_AGREEMENT_ATTEST, customer_id=world.customer_in.pk)
    assert [e.actor_id for e in entries] == [agent.pk]
    other = api.post(
        agreement_url(world.customer_in), body(agreement_name="Bo Lee"), headers={"Idempotency-Key": "agree-1"}
    )
    assert other.status_code == 422


def test_field_errors_are_the_forms_own_in_korean(world):
    api = ApiClient(token_for(world.users["admin_agent"]), **{"Accept-Language": "ko"})
    response = api.post(agreement_url(world.customer_in), {})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"agreement_name", "agreement_email", "agreement_date"}
    assert errors["agreement_name"] == [in_korean(translation.gettext_lazy("This field is required."))]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = api.post(agreement_url(world.customer_in), body(agreement_date=tomorrow))
    assert future.status_code == 422
    assert future.json()["errors"]["agreement_date"] == [in_korean(MESSAGES["agreement_date_future"])]
    assert Customer.objects.get(pk=world.customer_in.pk).agreement_status != "attested_by_partner"


def test_an_indirect_reseller_cannot_confirm_the_agreement_its_provider_does(world):
    provider = make_partner(type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
    Partnership.objects.create(
        provider=provider, reseller=reseller, status=Partnership.Status.ACTIVE, activated_at=timezone.now()
    )
    make_user(provider, "global_admin")
    customer = make_customer(reseller, actor=make_user(reseller, "global_admin"), provider=provider)
    response = ApiClient(token_for(make_user(reseller, "sales_agent"))).post(agreement_url(customer), body())
    assert response.status_code == 422
    assert "Indirect resellers can't confirm the customer agreement" in response.json()["errors"]["non_field_errors"][0]
    assert Customer.objects.get(pk=customer.pk).agreement_status != "attested_by_partner"
    # The provider's agents can.
    provider_api = ApiClient(token_for(make_user(provider, "admin_agent")))
    assert provider_api.post(agreement_url(customer), body()).status_code == 200
    assert Customer.objects.get(pk=customer.pk).agreement_status == "attested_by_partner"


def test_a_global_admin_is_refused_as_on_the_page(world):
    response = ApiClient(token_for(world.users["global_admin"])).post(agreement_url(world.customer_in), body())
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


def test_the_domain_check_answers_free_taken_and_not_a_domain(world):
    api = ApiClient(token_for(world.users["sales_agent"]))
    free = api.get(DOMAINS, {"prefix": "FabrikamNew"})
    assert free.status_code == 200 and free["Cache-Control"] == "no-store"
    assert free.json() == {
        "prefix": "fabrikamnew",
        "domain": "fabrikamnew.onmicrosoft.com",
        "available": True,
        "message": "fabrikamnew.onmicrosoft.com is available.",
    }
    taken_prefix = world.customer_in.primary_domain.split(".")[0]
    taken = api.get(DOMAINS, {"prefix": taken_prefix}).json()
    assert taken["available"] is False and taken["message"] == str(DOMAIN_TAKEN)
    assert taken["domain"] == world.customer_in.primary_domain
    # Another partner's customer takes its domain too: the answer says so, and names nothing else of it.
    other = api.get(DOMAINS, {"prefix": world.customer_out.primary_domain.split(".")[0]})
    assert other.json()["available"] is False and world.customer_out.company_name not in other.text


def test_a_prefix_that_is_no_domain_is_a_problem_with_the_forms_message_in_korean(world):
    api = ApiClient(token_for(world.users["admin_agent"]), **{"Accept-Language": "ko"})
    response = api.get(DOMAINS, {"prefix": "not-a-domain"})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {"prefix": [in_korean(MESSAGES["domain_chars"])]}
    assert api.get(DOMAINS).json()["errors"]["prefix"]  # no prefix: "Enter a domain name."
    assert api.get(DOMAINS, {"prefix": "a", "q": "x"}).status_code == 400


def test_the_domain_check_needs_the_add_customer_action(world):
    assert ApiClient(token_for(world.users["helpdesk_agent"])).get(DOMAINS, {"prefix": "free1"}).status_code == 403
    assert ApiClient().get(DOMAINS, {"prefix": "free1"}).status_code == 401
