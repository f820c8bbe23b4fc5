"""The live primary-domain check behind the add form: JSON, shape and global uniqueness, never cached."""

from __future__ import annotations

import pytest

from tests.factories import make_customer

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

URL = "/customers/domain-check/"


@pytest.fixture
def sales(world, client_for):
    return client_for(world.users["sales_agent"])


def test_a_free_prefix_is_available(sales):
    response = sales.get(URL, {"prefix": "Adatum2026"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"available": True, "message": "adatum2026.onmicrosoft.com is available."}


def test_a_prefix_any_partner_uses_is_taken_whatever_its_case(world, sales):
    make_customer(world.partner_b, actor=world.user_b, prefix="fourthcoffee")
    assert sales.get(URL, {"prefix": "FourthCoffee"}).json() == {
        "available": False,
        "message": "This domain name is already in use. Choose another one.",
    }


SHAPES = "Use only letters (a–z) and digits (0–9) in the domain name: no spaces, dots or hyphens."


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("", "Enter a domain name."),
        ("   ", "Enter a domain name."),
        ("adatum-corp", SHAPES),
        ("adatum.onmicrosoft.com", SHAPES),
        ("ada\ntum", SHAPES),
        ("ädatum", SHAPES),
        ("'; DROP TABLE customers_customer; --", SHAPES),
        ("\x00", SHAPES),
        ("a" * 28, "The domain name can have at most 27 characters."),
        ("a" * 10_000, "The domain name can have at most 27 characters."),
    ],
)
def test_a_badly_shaped_prefix_is_not_available_and_says_why(sales, prefix, message):
    assert sales.get(URL, {"prefix": prefix}).json() == {"available": False, "message": message}


def test_a_missing_parameter_is_answered_not_crashed(sales):
    assert sales.get(URL).json() == {"available": False, "message": "Enter a domain name."}


def test_the_check_runs_one_query(sales, django_assert_num_queries):
    sales.get(URL, {"prefix": "warmup"})  # session and user loading happen on every request; count them once
    with django_assert_num_queries(3):  # session, user, the domain lookup
        sales.get(URL, {"prefix": "adatum"})
