"""A customer's tags through the API: the partner's own only, through the tag service (limits, reuse by name)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.models import Tag
from customers.services.tags import customer_tags_set
from tests.api.helpers import ApiClient, token_for

pytestmark = pytest.mark.usefixtures("shared_world")


def tags_url(customer) -> str:
    return reverse("api:customer_tags", args=[customer.pk])


def test_put_replaces_post_adds_and_names_are_reused_in_any_case(world):
    api = ApiClient(token_for(world.users["admin_agent"]))
    url = tags_url(world.customer_in)
    assert api.get(url).json() == {"tags": []}
    assert api.request("PUT", url, {"tags": ["VIP", "EMEA"]}).json() == {"tags": ["EMEA", "VIP"]}
    assert api.post(url, {"tags": ["vip", "Renewal"]}).json() == {"tags": ["EMEA", "Renewal", "VIP"]}
    assert Tag.objects.filter(partner=world.partner_a).count() == 3
    assert api.request("PUT", url, {"tags": ["VIP"]}).json() == {"tags": ["VIP"]}
    assert api.get(url).json() == {"tags": ["VIP"]}


def test_another_partners_tags_stay_invisible_and_untouched(world):
    customer_tags_set(actor=world.user_b, customer=world.customer_out, tag_ids=[], new_names=["B only"])
    api = ApiClient(token_for(world.users["global_admin"]))
    assert api.get(tags_url(world.customer_out)).status_code == 404
    assert api.request("PUT", tags_url(world.customer_out), {"tags": []}).status_code == 404
    assert Tag.objects.filter(partner=world.partner_b, name="B only").exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"tags": "VIP"}, 400),
        ({"tags": [1]}, 400),
        ({"tags": ["x" * 51]}, 400),
        ({"tags": ["VIP"], "extra": 1}, 400),
        ([], 400),
        (5, 400),
        ("text", 400),
        ({"tags": [f"t{n}" for n in range(151)]}, 400),
    ],
)
def test_bad_tag_bodies_are_problems(world, body, status):
    api = ApiClient(token_for(world.users["global_admin"]))
    response = api.request("PUT", tags_url(world.customer_in), body)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_the_per_customer_limit_is_the_services(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    url = tags_url(world.customer_in)
    assert api.request("PUT", url, {"tags": [f"t{n}" for n in range(150)]}).status_code == 200
    response = api.post(url, {"tags": ["one more"]})
    assert response.status_code == 422 and "150" in response.json()["errors"]["tags"][0]
