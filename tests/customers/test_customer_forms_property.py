"""Property: whatever text lands in whichever fields of the add and edit forms, the answer is never a 500.

The test client re-raises any exception a view lets escape, so a single crash fails the example.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Customer
from tests.customers.test_customer_update import edit_data
from tests.factories import customer_form_data as form_data

ADD_FIELDS = [*form_data(), "agreement_name", "agreement_email", "agreement_date", "reseller", "provider"]
EDIT_FIELDS = [field for field in ADD_FIELDS if not field.startswith("agreement")]

# Any text a browser can send (lone surrogates cannot be encoded as UTF-8, so no client can post them),
# mixed with values near the rules' edges.
ANY_TEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "LLC",
            "999",
            "a.com",
            "US-WA",
            "AU-WA",
            "US",
            "XX",
            "attested_by_partner",
            "accepted_by_customer",
            "2999-12-31",
            "0001-01-01",
            "9999-99-99",
            "x" * 5000,
            "ａｂｃ",
            "١٢٣٤٥",
            "a@contoso.example",
            "+1 (425) 555-0100",
            "00000000-0000-0000-0000-000000000000",
            "-1",
            "1e9",
        ]
    ),
)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(overrides=st.dictionaries(st.sampled_from(ADD_FIELDS), ANY_TEXT, min_size=1))
def test_the_add_form_never_answers_500(world, client_for, overrides):
    client = client_for(world.users["sales_agent"])
    response = client.post("/customers/new/", form_data(**overrides))
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors, "a form shown again says what is wrong"


@SETTINGS
@given(overrides=st.dictionaries(st.sampled_from(EDIT_FIELDS), ANY_TEXT, min_size=1))
def test_the_edit_form_never_answers_500_and_never_touches_the_domain(world, client_for, overrides):
    customer = world.customer_in
    domain = customer.primary_domain
    client = client_for(world.users["helpdesk_agent"])
    response = client.post(f"/customers/{customer.pk}/edit/", edit_data(customer, **overrides))
    assert response.status_code in (200, 302)
    assert Customer.objects.get(pk=customer.pk).primary_domain == domain


@SETTINGS
@given(prefix=ANY_TEXT)
def test_the_domain_check_never_answers_500(world, client_for, prefix):
    response = client_for(world.users["sales_agent"]).get("/customers/domain-check/", {"prefix": prefix})
    assert response.status_code == 200
    assert set(response.json()) == {"available", "message"}
