"""The API's and the token pages' targets, bodies and effects for the access matrix (tests/access.py)."""

from __future__ import annotations

from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_create
from customers.models import Customer, CustomerTag
from tests.factories import customer_form_data


def _token_of_sales_agent(world) -> dict:
    return {"pk": api_token_create(actor=world.users["sales_agent"], name="CRM sync").token.pk}


def _token_out(world) -> dict:
    return {"pk": api_token_create(actor=world.user_b, name="Partner B's sync").token.pk}


TARGETS = {"api_token_sa": _token_of_sales_agent, "api_token_out": _token_out}


def _api_customer(ctx) -> dict:
    body = customer_form_data()
    body["state"] = "WA"
    return body


BODIES = {
    "api: valid customer": _api_customer,
    "api: empty": lambda ctx: {},
    "api: city changed": lambda ctx: {"city": "Bellevue"},
    "token name": lambda ctx: {"name": "CRM sync", "expires_days": "30"},
    "api: tags VIP": lambda ctx: {"tags": ["VIP"]},
}


def _api_customer_created(ctx) -> None:
    customer = Customer.objects.get(primary_domain__startswith="adatumcorp.")
    assert customer.relationships.filter(partner=ctx.world.partner_a, status="active").exists()
    assert ctx.response.json()["id"] == str(customer.pk)
    assert ctx.response["Location"] == reverse("api:customer_detail", args=[customer.pk])


def _api_customer_changed(ctx) -> None:
    assert Customer.objects.get(pk=ctx.kwargs["pk"]).city == "Bellevue"
    assert ctx.response.json()["city"] == "Bellevue"


def _api_tagged(ctx) -> None:
    names = CustomerTag.objects.filter(customer_id=ctx.kwargs["pk"], tag__partner=ctx.world.partner_a)
    assert list(names.values_list("tag__name", flat=True)) == ["VIP"]
    assert ctx.response.json() == {"tags": ["VIP"]}


def _token_created(ctx) -> None:
    token = ApiToken.objects.get(user=ctx.user, name="CRM sync")
    assert token.expires_at is not None and token.revoked_at is None
    html = ctx.response.content.decode()
    assert 'id="api-token-issued"' in html and token.prefix in html


def _token_revoked(ctx) -> None:
    assert ApiToken.objects.get(pk=ctx.kwargs["pk"]).revoked_at is not None


EFFECTS = {
    "api customer created": _api_customer_created,
    "api customer changed": _api_customer_changed,
    "api token created": _token_created,
    "api tagged VIP": _api_tagged,
    "api token revoked": _token_revoked,
}
