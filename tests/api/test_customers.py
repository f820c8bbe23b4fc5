"""The customer endpoints: list (search, filters, sort, keyset pages), get, create, update."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activity.models import ActivityEntry
from customers.models import Customer
from tests.api.helpers import ApiClient, token_for
from tests.factories import make_customer

pytestmark = pytest.mark.usefixtures("shared_world")
WORLD_WITH_ASSIGNED_SCOPE = True
LIST = "/api/v1/customers/"


def detail(customer) -> str:
    return reverse("api:customer_detail", args=[customer.pk])


def new_customer_body(**overrides):
    body = {
        "company_name": "Adatum Corporation",
        "domain_prefix": "adatumapi",
        "country": "US",
        "address_line1": "1 Microsoft Way",
        "city": "Redmond",
        "state": "WA",
        "postal_code": "98052",
        "contact_first_name": "Ana",
        "contact_last_name": "Kim",
        "contact_email": "ana.kim@adatum.example.net",
    }
    body.update(overrides)
    return body


def test_list_shows_the_partners_customers_only(world):
    api = ApiClient(token_for(world.users["helpdesk_agent"]))
    response = api.get(LIST)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert str(world.customer_in.pk) in ids and str(world.customer_unassigned.pk) in ids
    assert str(world.customer_out.pk) not in ids
    assert response.json()["next"] is None


def test_list_searches_like_the_list_page(world):
    api = ApiClient(token_for(world.users["sales_agent"]))
    needle = world.customer_in.primary_domain.split(".")[0]
    rows = api.get(LIST, {"q": needle.upper()}).json()["results"]
    assert [row["id"] for row in rows] == [str(world.customer_in.pk)]


def test_keyset_pages_walk_every_customer_once_in_order(world):
    admin = world.users["global_admin"]
    for _ in range(5):
        make_customer(world.partner_a, actor=admin)
    api = ApiClient(token_for(admin))
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "sort": "-created"}
        if cursor:
            params["cursor"] = cursor
        body = api.get(LIST, params).json()
        assert len(body["results"]) <= 2
        seen += [row["id"] for row in body["results"]]
        cursor = body["next"]
        if not cursor:
            break
    expected = list(
        Customer.objects.filter(relationships__partner=world.partner_a, relationships__status="active")
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    assert seen == [str(pk) for pk in expected]


def test_a_tampered_cursor_or_a_bad_limit_is_a_400_problem(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    for params in (
        {"cursor": "not-a-cursor"},
        {"limit": "0"},
        {"limit": "201"},
        {"limit": "x"},
        {"kind": "nope"},
        {"tag": "0"},
        {"q": "x" * 201},
    ):
        response = api.get(LIST, params)
        assert response.status_code == 400, params
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 400 and response.json()["errors"]


def test_get_answers_the_customer_with_an_etag_and_404_out_of_scope(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    response = api.get(detail(world.customer_in))
    assert response.status_code == 200
    assert response.json()["company_name"] == world.customer_in.company_name
    assert response["ETag"].startswith('"')
    missing = api.get(detail(world.customer_out))
    assert missing.status_code == 404 and missing.json()["type"] == "urn:partnerportal:problem:not_found"
    assigned = ApiClient(token_for(world.users["assigned"]))
    assert assigned.get(detail(world.customer_unassigned)).status_code == 404
    assert assigned.get(detail(world.customer_in)).status_code == 200


def test_no_token_is_401_with_www_authenticate_and_a_session_does_not_count(world, client):
    response = ApiClient().get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"] == "application/problem+json"
    client.force_login(world.users["global_admin"])
    assert client.get(LIST).status_code == 401
    assert ApiClient("ppt_wrong").get(LIST).status_code == 401
    assert ApiClient(token_for(world.users["no_role"])).get(LIST).status_code == 403


def test_create_goes_through_the_add_customer_service(world):
    api = ApiClient(token_for(world.users["sales_agent"]))
    response = api.post(LIST, new_customer_body())
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert customer.primary_domain == "adatumapi.onmicrosoft.com"
    assert response["Location"] == detail(customer)
    assert ActivityEntry.objects.filter(customer=customer, action="customer.create").count() == 1


def test_create_answers_the_forms_messages_per_field(world):
    api = ApiClient(token_for(world.users["sales_agent"]))
    response = api.post(LIST, new_customer_body(company_name="LLC", domain_prefix="bad-prefix!", contact_email="x"))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"company_name", "domain_prefix", "contact_email"} <= set(errors)
    korean = api.post(LIST, new_customer_body(company_name="LLC"), headers={"Accept-Language": "ko"})
    assert korean.json()["errors"]["company_name"] != errors["company_name"]


@pytest.mark.parametrize(
    "raw",
    [
        '{"company_name": ',
        "[]",
        '"text"',
        '{"company_name": ["a"]}',
        '{"unknown": "x"}',
        '{"city": 1e999}',
        '{"company_name": true}',
        '{"reseller": 99999999999999999999999}',
    ],
)
def test_malformed_bodies_are_400_problems_never_500(world, raw):
    api = ApiClient(token_for(world.users["global_admin"]))
    response = api.post(LIST, raw=raw)
    assert response.status_code == 400, (raw, response.content)
    assert response["Content-Type"] == "application/problem+json"


def test_wrong_content_type_is_415_and_wrong_method_405(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    response = api.post(LIST, raw="company_name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["status"] == 415
    response = api.request("DELETE", detail(world.customer_in))
    assert response.status_code == 405 and response["Content-Type"] == "application/problem+json"
    for method in ("GET", "POST", "PATCH", "DELETE"):
        response = api.request(method, "/api/v1/customers/not-a-uuid/")
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json", method


def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(world):
    api = ApiClient(token_for(world.users["global_admin"]))
    key = {"Idempotency-Key": "create-adatum-1"}
    first = api.post(LIST, new_customer_body(), headers=key)
    again = api.post(LIST, new_customer_body(), headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Customer.objects.filter(primary_domain="adatumapi.onmicrosoft.com").count() == 1
    other = api.post(LIST, new_customer_body(domain_prefix="adatumother"), headers=key)
    assert other.status_code == 422
    assert not Customer.objects.filter(primary_domain="adatumother.onmicrosoft.com").exists()
    # Keys are per user: another user's identical key is a new request.
    other_user = ApiClient(token_for(world.users["admin_agent"]))
    assert other_user.post(LIST, new_customer_body(domain_prefix="adatumtwo"), headers=key).status_code == 201


def test_patch_needs_if_match_and_refuses_a_stale_one(world):
    api = ApiClient(token_for(world.users["helpdesk_agent"]))
    url = detail(world.customer_in)
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"city": "Bellevue"}).status_code == 428
    changed = api.patch(url, {"city": "Bellevue"}, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.content
    assert changed.json()["city"] == "Bellevue" and changed["ETag"] != etag
    assert Customer.objects.get(pk=world.customer_in.pk).city == "Bellevue"
    stale = api.patch(url, {"city": "Seattle"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert Customer.objects.get(pk=world.customer_in.pk).city == "Bellevue"
    invalid = api.patch(url, {"postal_code": "not a zip"}, headers={"If-Match": changed["ETag"]})
    assert invalid.status_code == 422 and "postal_code" in invalid.json()["errors"]
    assert api.patch(url, {"domain_prefix": "x"}, headers={"If-Match": changed["ETag"]}).status_code == 400


def test_a_bug_is_answered_as_a_problem_document_and_logged(world, monkeypatch, caplog):
    """Never an HTML page from the API, not even for an error of ours."""
    from api.views import customers as views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "_visible", broken)
    response = ApiClient(token_for(world.users["global_admin"])).get(detail(world.customer_in))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "boom" not in response.content.decode()
    assert any("boom" in str(r.exc_info) for r in caplog.records if r.exc_info)
