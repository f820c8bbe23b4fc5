"""Property: whatever text lands in the search box, the lookup box or the export's query string, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.customers.list_helpers import tag

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

# Any text, including NUL, control characters, astral-plane characters, SQL/LIKE metacharacters and very long
# strings; plus values shaped like the real ones so the interesting code paths are reached too.
ANY_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["%", "_", "\\", "'", '"', "%_%", "\x00", "name", "-created", "direct", "indirect", "1", "-1"]),
    st.from_regex(r"[A-Za-z0-9_=-]{0,80}", fullmatch=True),  # cursor-like
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "q": ANY_TEXT,
        "kind": ANY_TEXT,
        "tag": ANY_TEXT,
        "reseller": ANY_TEXT,
        "sort": ANY_TEXT,
        "after": ANY_TEXT,
        "before": ANY_TEXT,
    },
)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def client(world, client_for):
    tag(world.customer_in, world.users["global_admin"], "Gold")
    client = client_for(world.users["helpdesk_agent"])
    client.raise_request_exception = True  # a server error fails the example with its traceback
    return client


@SETTINGS
@given(params=PARAMS)
def test_the_list_never_fails(client, params):
    assert client.get(reverse("customers:customer_list"), params).status_code == 200


@SETTINGS
@given(q=ANY_TEXT)
def test_the_lookup_never_fails(client, q):
    assert client.get(reverse("customers:customer_lookup"), {"q": q}).status_code == 200


@SETTINGS
@given(params=PARAMS)
def test_the_export_never_fails(client, params):
    response = client.get(reverse("customers:customer_export"), params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfCustomer ID,")
