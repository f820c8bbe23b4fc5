"""Adding a customer (issue 3 item 1): every rule refused through the page with its message, nothing half-saved."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from activity.actions import Actions
from activity.models import ActivityEntry
from customers.models import Customer
from partnerportal.models import Partner
from permissions.roles import Scope
from relationships.models import Partnership, Relationship
from tests.factories import customer_form_data as form_data
from tests.factories import make_customer, make_partner, make_user

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

URL = "/customers/new/"


def snapshot() -> tuple[int, int, int]:
    return Customer.objects.count(), Relationship.objects.count(), ActivityEntry.objects.count()


def field_errors(response, field: str) -> list[str]:
    """The messages rendered next to a field (crispy's invalid-feedback right under the input)."""
    html = response.content.decode()
    return [
        unescape(re.sub(r"<[^>]+>", "", m).strip())
        for m in re.findall(rf'id="error_\d+_id_{field}"[^>]*>(.*?)</', html, flags=re.S)
    ]


def assert_refused(response, field: str, message: str, before: tuple[int, int, int]) -> None:
    assert response.status_code == 200, "a refused form is shown again, never a 500 or a redirect"
    assert message in field_errors(response, field), f"{field}: {field_errors(response, field)!r}"
    assert snapshot() == before, "a refused submission writes nothing"


@pytest.fixture
def sales(world, client_for):
    return client_for(world.users["sales_agent"])


# ---------------------------------------------------------------------------------------------- the page


def test_add_page_shows_the_fixed_domain_suffix_and_the_partner_market(sales):
    response = sales.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert ".onmicrosoft.com" in html
    assert 'data-domain-check-url="/customers/domain-check/"' in html
    assert re.search(r'<option value="US"[^>]*selected', html), "the country starts at the partner's market"
    assert "Customer will be asked to accept the customer agreement." in html


def test_global_admin_adds_customers_but_is_not_offered_the_agreement_attestation(world, client_for):
    # Partner Center: only admin and sales agents confirm the customer agreement.
    html = client_for(world.users["global_admin"]).get(URL).content.decode()
    assert 'name="company_name"' in html
    assert 'name="agreement_status"' not in html


def test_list_shows_add_customer_only_to_roles_that_may_add(roles_seeing):
    roles = ("global_admin", "sales_agent", "helpdesk_agent")
    assert roles_seeing("/customers/", 'id="add-customer"', roles) == {"global_admin", "sales_agent"}


# ---------------------------------------------------------------------------------------------- success


def test_adding_a_customer_creates_it_with_an_active_relationship_access_and_one_log_entry(world, client_for, sales):
    before_entries = ActivityEntry.objects.count()
    response = sales.post(URL, form_data(domain_prefix="AdatumCorp"), follow=True)

    customer = Customer.objects.get(primary_domain="adatumcorp.onmicrosoft.com")
    assert response.redirect_chain[-1][0] == f"/customers/{customer.pk}/"
    assert "Adatum Corporation was added." in response.content.decode()
    assert customer.state == "WA" and customer.culture == "en-US" and customer.language == "en"
    assert customer.agreement_status == Customer.Agreement.NOT_PROVIDED
    relationship = Relationship.objects.get(customer=customer)
    assert (relationship.partner, relationship.kind, relationship.status) == (world.partner_a, "direct", "active")
    entries = ActivityEntry.objects.filter(customer=customer)
    assert ActivityEntry.objects.count() == before_entries + 1
    assert entries.get().action == Actions.CUSTOMER_CREATE
    assert entries.get().actor == world.users["sales_agent"]
    # Access went through the permission services: every role of A sees it, partner B does not.
    assert client_for(world.users["helpdesk_agent"]).get(f"/customers/{customer.pk}/").status_code == 200
    assert client_for(world.user_b).get(f"/customers/{customer.pk}/").status_code == 404


def test_a_web_suffix_in_the_name_only_warns_and_the_warning_shows_on_the_customer_page(sales):
    response = sales.post(URL, form_data(company_name="Adatum.com"), follow=True)
    assert Customer.objects.filter(company_name="Adatum.com").exists()
    assert "Domain extensions such as “.com” are not recommended in a company name." in unescape(
        response.content.decode()
    )


def test_sales_agent_attests_the_customer_agreement_when_adding(sales):
    today = timezone.localdate()
    sales.post(
        URL,
        form_data(
            agreement_status="attested_by_partner",
            agreement_name="Ana Kim",
            agreement_email="ana.kim@adatum.example.net",
            agreement_date=today.isoformat(),
        ),
    )
    customer = Customer.objects.get(primary_domain="adatumcorp.onmicrosoft.com")
    assert customer.agreement_status == Customer.Agreement.ATTESTED_BY_PARTNER
    assert (customer.agreement_name, customer.agreement_date) == ("Ana Kim", today)


def test_postal_code_and_state_are_stored_in_their_canonical_form(sales):
    sales.post(URL, form_data(country="CA", state="CA-ON", postal_code="k1a0b1", culture="fr-FR"))
    customer = Customer.objects.get(primary_domain="adatumcorp.onmicrosoft.com")
    assert (customer.country, customer.state, customer.postal_code) == ("CA", "ON", "K1A 0B1")
    assert (customer.culture, customer.language) == ("fr-FR", "fr")


def test_a_country_without_states_ignores_a_stale_state_and_defaults_its_culture(sales):
    sales.post(URL, form_data(country="KR", state="US-WA", postal_code="06164"))
    customer = Customer.objects.get(primary_domain="adatumcorp.onmicrosoft.com")
    assert (customer.state, customer.culture, customer.language) == ("", "ko-KR", "ko")


def test_assigned_scope_staff_land_on_the_list_after_adding_a_customer_they_cannot_see(world, client_for):
    agent = make_user(world.partner_a, "sales_agent", scope=Scope.ASSIGNED)
    response = client_for(agent).post(URL, form_data(), follow=True)
    assert Customer.objects.filter(primary_domain="adatumcorp.onmicrosoft.com").exists()
    assert response.redirect_chain[-1][0] == "/customers/"
    assert "The customer is not assigned to you" in response.content.decode()


# ---------------------------------------------------------------------------------------------- bad input

OWN_DOMAIN = (
    "The customer's contact email can't use your own organisation's domain (contoso.example). "
    "Enter an address at the customer's organisation."
)
REGISTRATION_ID_SHAPE = (
    "Enter the company registration (tax) ID using letters, digits, spaces, dots, dashes or slashes "
    "(at most 64 characters)."
)

BAD_INPUT = [
    # field, submitted overrides, the message next to the field
    ("company_name", {"company_name": ""}, "This field is required."),
    (
        "company_name",
        {"company_name": "LLC"},
        "The company name can't be only a legal suffix such as “LLC” or “Inc”. Enter the full legal name.",
    ),
    ("company_name", {"company_name": "A"}, "The company name must have more than one character."),
    ("company_name", {"company_name": "999"}, "The company name can't be one character repeated, such as “999”."),
    (
        "company_name",
        {"company_name": "1 2 3"},
        "The company name can't be only single characters and spaces, such as “1 2 3”.",
    ),
    ("company_name", {"company_name": "&$^#"}, "The company name must contain at least one letter or digit."),
    ("company_name", {"company_name": "A" * 200 + "b" * 56}, "The company name must be less than 256 characters."),
    ("company_name", {"company_name": "Ad\x00atum"}, "Null characters are not allowed."),
    ("domain_prefix", {"domain_prefix": ""}, "This field is required."),
    (
        "domain_prefix",
        {"domain_prefix": "adatum-corp"},
        "Use only letters (a–z) and digits (0–9) in the domain name: no spaces, dots or hyphens.",
    ),
    (
        "domain_prefix",
        {"domain_prefix": "adatum corp"},
        "Use only letters (a–z) and digits (0–9) in the domain name: no spaces, dots or hyphens.",
    ),
    (
        "domain_prefix",
        {"domain_prefix": "adatum.com"},
        "Use only letters (a–z) and digits (0–9) in the domain name: no spaces, dots or hyphens.",
    ),
    (
        "domain_prefix",
        {"domain_prefix": "adätum"},
        "Use only letters (a–z) and digits (0–9) in the domain name: no spaces, dots or hyphens.",
    ),
    (
        "domain_prefix",
        {"domain_prefix": "\uff41\uff44\uff41"},
        "Use only letters (a–z) and digits (0–9) in the domain name: no spaces, dots or hyphens.",
    ),
    ("domain_prefix", {"domain_prefix": "a" * 28}, "The domain name can have at most 27 characters."),
    ("country", {"country": "XX"}, "Select a valid choice. XX is not one of the available choices."),
    ("state", {"state": ""}, "Select a state/province."),
    ("state", {"state": "AU-WA"}, "Select a valid state/province for United States."),
    (
        "state",
        {"country": "CA", "state": "US-WA", "postal_code": "K1A 0B1"},
        "Select a valid state/province for Canada.",
    ),
    ("postal_code", {"postal_code": ""}, "Enter a postal code."),
    ("postal_code", {"postal_code": "9805"}, "Enter a valid postal code for United States (for example 98052)."),
    (
        "postal_code",
        {"country": "GB", "state": "", "postal_code": "12345"},
        "Enter a valid postal code for United Kingdom (for example SW1A 1AA).",
    ),
    ("address_line1", {"address_line1": "   "}, "This field is required."),
    ("address_line1", {"address_line1": "x" * 201}, "Address line 1 can have at most 200 characters."),
    ("address_line2", {"address_line2": "x" * 201}, "Address line 2 can have at most 200 characters."),
    ("address_line1", {"address_line1": "1 Main\tStreet"}, "Remove the line breaks, tabs or other control characters."),
    ("city", {"city": ""}, "This field is required."),
    ("contact_first_name", {"contact_first_name": ""}, "This field is required."),
    ("contact_first_name", {"contact_first_name": "x" * 41}, "The first name can have at most 40 characters."),
    ("contact_last_name", {"contact_last_name": "y" * 41}, "The last name can have at most 40 characters."),
    ("contact_email", {"contact_email": "ana.kim"}, "Enter a valid email address, such as name@contoso.com."),
    (
        "contact_email",
        {"contact_email": "ana@contoso.example"},
        OWN_DOMAIN,
    ),
    (
        "contact_email",
        {"contact_email": "ANA@Mail.CONTOSO.example"},
        OWN_DOMAIN,
    ),
    (
        "contact_phone",
        {"contact_phone": "call me"},
        "Enter a valid phone number: digits, spaces, brackets, dashes and a leading “+”.",
    ),
    (
        "contact_phone",
        {"contact_phone": "+1 2"},
        "Enter a valid phone number: digits, spaces, brackets, dashes and a leading “+”.",
    ),
    (
        "registration_id",
        {"registration_id": "<script>"},
        REGISTRATION_ID_SHAPE,
    ),
    ("culture", {"culture": "xx-XX"}, "Select a valid choice. xx-XX is not one of the available choices."),
    (
        "agreement_date",
        {
            "agreement_status": "attested_by_partner",
            "agreement_name": "Ana Kim",
            "agreement_email": "ana@adatum.example.net",
            "agreement_date": "2999-01-01",
        },
        "The acceptance date can't be in the future.",
    ),
    (
        "agreement_date",
        {
            "agreement_status": "attested_by_partner",
            "agreement_name": "Ana Kim",
            "agreement_email": "ana@adatum.example.net",
            "agreement_date": "",
        },
        "Enter the date the customer agreement was accepted.",
    ),
    (
        "agreement_date",
        {
            "agreement_status": "attested_by_partner",
            "agreement_name": "Ana Kim",
            "agreement_email": "ana@adatum.example.net",
            "agreement_date": "31/31/2020",
        },
        "Enter a valid date.",
    ),
    (
        "agreement_name",
        {
            "agreement_status": "attested_by_partner",
            "agreement_name": "",
            "agreement_email": "ana@adatum.example.net",
            "agreement_date": "2024-01-01",
        },
        "Enter the name of the person who accepted the customer agreement.",
    ),
    (
        "agreement_email",
        {
            "agreement_status": "attested_by_partner",
            "agreement_name": "Ana Kim",
            "agreement_email": "nope",
            "agreement_date": "2024-01-01",
        },
        "Enter a valid email address, such as name@contoso.com.",
    ),
    (
        "agreement_status",
        {"agreement_status": "accepted_by_customer"},
        "Select a valid choice. accepted_by_customer is not one of the available choices.",
    ),
]


@pytest.mark.parametrize(("field", "overrides", "message"), BAD_INPUT, ids=[f"{f}-{i}" for i, (f, _o, _m) in enumerate(BAD_INPUT)])  # fmt: skip  # noqa: E501
def test_bad_input_is_refused_next_to_the_field_and_writes_nothing(sales, field, overrides, message):
    before = snapshot()
    assert_refused(sales.post(URL, form_data(**overrides)), field, message, before)


def test_a_domain_already_in_use_is_refused_whatever_its_case(world, sales):
    make_customer(world.partner_b, actor=world.user_b, prefix="adatumcorp")
    before = snapshot()
    response = sales.post(URL, form_data(domain_prefix="ADATUMcorp"))
    assert_refused(response, "domain_prefix", "This domain name is already in use. Choose another one.", before)


def test_every_broken_rule_is_reported_at_once(sales):
    before = snapshot()
    response = sales.post(URL, form_data(company_name="Inc", domain_prefix="a-b", postal_code="1", city=""))
    form = response.context["form"]
    assert {"company_name", "domain_prefix", "postal_code", "city"} <= set(form.errors)
    assert snapshot() == before


BRAZIL = {"country": "BR", "state": "BR-SP", "postal_code": "01310-100"}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("registration_id", "A company registration ID is required for customers in Brazil."),
        ("contact_phone", "A phone number is required for customers in Brazil."),
    ],
)
def test_registration_id_and_phone_are_required_in_the_24_countries_for_a_direct_bill_partner(sales, field, message):
    before = snapshot()
    assert_refused(sales.post(URL, form_data(**BRAZIL)), field, message, before)


def test_a_direct_bill_partner_adds_a_brazilian_customer_with_registration_id_and_phone(sales):
    sales.post(URL, form_data(**BRAZIL, registration_id="12.345.678/0001-90", contact_phone="+55 11 3000-0000"))
    customer = Customer.objects.get(primary_domain="adatumcorp.onmicrosoft.com")
    assert (customer.registration_id, customer.contact_phone) == ("12.345.678/0001-90", "+55 11 3000-0000")


# ---------------------------------------------------------------------------------------------- indirect partners


@pytest.fixture
def chain(db):
    """An indirect provider and its reseller with an active partnership, one sales agent each."""
    provider = make_partner(
        name="Fabrikam Distribution", type=Partner.Type.INDIRECT_PROVIDER, domain="fabrikam.example"
    )
    reseller = make_partner(name="Northwind Traders", type=Partner.Type.INDIRECT_RESELLER, domain="northwind.example")
    Partnership.objects.create(
        provider=provider, reseller=reseller, status=Partnership.Status.ACTIVE, activated_at=timezone.now()
    )
    return {
        "provider": provider,
        "reseller": reseller,
        "provider_agent": make_user(provider, "sales_agent"),
        "reseller_agent": make_user(reseller, "sales_agent"),
        "reseller_helpdesk": make_user(reseller, "helpdesk_agent"),
    }


def test_a_provider_adds_a_customer_for_one_of_its_resellers_and_both_reach_it(chain, client_for):
    client = client_for(chain["provider_agent"])
    client.post(URL, form_data(reseller=chain["reseller"].pk, **BRAZIL, registration_id="123", contact_phone="55555"))
    customer = Customer.objects.get(primary_domain="adatumcorp.onmicrosoft.com")
    rows = {r.partner: r for r in Relationship.objects.filter(customer=customer, status="active")}
    assert set(rows) == {chain["provider"], chain["reseller"]}
    assert rows[chain["provider"]].kind == rows[chain["reseller"]].kind == "indirect"
    assert rows[chain["provider"]].indirect_partner == chain["reseller"]
    assert rows[chain["reseller"]].indirect_partner == chain["provider"]
    assert client_for(chain["reseller_helpdesk"]).get(f"/customers/{customer.pk}/").status_code == 200


def test_a_provider_may_add_a_customer_without_a_reseller(chain, client_for):
    client_for(chain["provider_agent"]).post(URL, form_data())
    customer = Customer.objects.get(primary_domain="adatumcorp.onmicrosoft.com")
    assert Relationship.objects.get(customer=customer).kind == "direct"


def test_a_provider_cannot_pick_a_reseller_whose_partnership_was_removed(chain, client_for):
    Partnership.objects.filter(provider=chain["provider"]).update(status=Partnership.Status.REMOVED)
    client = client_for(chain["provider_agent"])  # signing in is an activity entry of its own
    before = snapshot()
    response = client.post(URL, form_data(reseller=chain["reseller"].pk))
    assert_refused(
        response, "reseller", "Select a valid choice. That choice is not one of the available choices.", before
    )


def test_a_reseller_must_pick_one_of_its_providers_and_the_customer_is_linked_to_both(chain, client_for):
    client = client_for(chain["reseller_agent"])
    html = client.get(URL).content.decode()
    assert 'name="provider"' in html and "Fabrikam Distribution" in html
    assert 'name="agreement_status"' not in html, "indirect resellers can't attest the customer agreement"
    before = snapshot()
    assert_refused(client.post(URL, form_data()), "provider", "This field is required.", before)

    # A reseller is neither direct bill nor provider: no registration ID needed in Brazil.
    client.post(URL, form_data(provider=chain["provider"].pk, **BRAZIL))
    customer = Customer.objects.get(primary_domain="adatumcorp.onmicrosoft.com")
    partners = set(Relationship.objects.filter(customer=customer).values_list("partner", "indirect_partner"))
    assert partners == {(chain["reseller"].pk, chain["provider"].pk), (chain["provider"].pk, chain["reseller"].pk)}


def test_a_reseller_without_an_active_provider_is_told_so_and_offered_nothing_to_submit(chain, client_for):
    Partnership.objects.filter(reseller=chain["reseller"]).update(status=Partnership.Status.REMOVED)
    client = client_for(chain["reseller_agent"])
    html = client.get(URL).content.decode()
    assert "has no active indirect provider" in html
    assert 'id="customer-form"' not in html
    before = snapshot()
    response = client.post(URL, form_data(provider=chain["provider"].pk))
    assert response.status_code == 200
    assert snapshot() == before


def test_an_attestation_date_of_today_is_accepted_and_yesterday_too(sales):
    yesterday = timezone.localdate() - timedelta(days=1)
    sales.post(
        URL,
        form_data(
            agreement_status="attested_by_partner",
            agreement_name="Ana Kim",
            agreement_email="ana@adatum.example.net",
            agreement_date=yesterday.isoformat(),
        ),
    )
    assert Customer.objects.get(primary_domain="adatumcorp.onmicrosoft.com").agreement_date == yesterday


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("/customers/new/", "sales_agent"),
        ("/customers/new/", "global_admin"),
        ("edit", "helpdesk_agent"),
        ("agreement", "admin_agent"),
    ],
)
def test_an_empty_post_by_an_allowed_role_shows_the_errors_and_writes_nothing(world, client_for, url, role):
    from tests.partnerportal.test_access import database_fingerprint

    if not url.startswith("/"):
        url = f"/customers/{world.customer_in.pk}/{url}/"
    client = client_for(world.users[role])
    before = database_fingerprint()
    response = client.post(url, {})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert database_fingerprint() == before
