"""Customer purchase permissions (PRODUCT.md §6): only an admin agent changes them, only with an Azure plan."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions
from customers.services.purchase_permissions import purchase_permission_set
from customers.services.subscriptions import subscription_create, subscription_status_change
from permissions.models import PurchasePermission
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

RESERVATIONS = PurchasePermission.Product.AZURE_RESERVATIONS
SAVINGS = PurchasePermission.Product.AZURE_SAVINGS_PLANS


def azure_plan(world, *, customer=None, actor=None, is_azure_plan=True):
    return subscription_create(
        actor=actor or world.users["admin_agent"],
        customer=customer or world.customer_in,
        offer_name="Azure plan",
        quantity=1,
        is_azure_plan=is_azure_plan,
    )


def form_data(reservations="0", savings="0", **extra) -> dict:
    data = {
        f"{RESERVATIONS}-allowed": reservations,
        f"{RESERVATIONS}-expires_on": "",
        f"{RESERVATIONS}-note": "",
        f"{SAVINGS}-allowed": savings,
        f"{SAVINGS}-expires_on": "",
        f"{SAVINGS}-note": "",
    }
    data.update(extra)
    return data


def url(customer) -> str:
    return reverse("customers:purchase_permissions", args=[customer.pk])


def permission_entries(customer):
    return list(
        ActivityEntry.objects.filter(
            customer_id=customer.pk,
            action__in=[Actions.PURCHASE_PERMISSION_CREATE, Actions.PURCHASE_PERMISSION_DELETE],
        ).order_by("id")
    )


def radio_disabled(html: str, product: str) -> list[bool]:
    """For each radio of the product, whether it is disabled (directly or by its fieldset)."""
    fieldset = re.search(rf'<fieldset[^>]*id="purchase-permission-{product}"([^>]*)>(.*?)</fieldset>', html, re.S)
    assert fieldset, f"no fieldset for {product}"
    fieldset_disabled = "disabled" in fieldset.group(1)
    radios = re.findall(rf'<input[^>]*name="{product}-allowed"[^>]*>', fieldset.group(2))
    assert len(radios) == 2
    return [fieldset_disabled or "disabled" in radio for radio in radios]


def test_admin_agent_turns_a_permission_on_and_off(world, client_for):
    azure_plan(world)
    client = client_for(world.users["admin_agent"])

    response = client.post(url(world.customer_in), form_data(reservations="1", **{f"{RESERVATIONS}-note": "PO 42"}))

    assert response.status_code == 302
    permission = PurchasePermission.objects.get(customer=world.customer_in, partner=world.partner_a)
    assert (permission.product, permission.note, permission.created_by) == (
        RESERVATIONS,
        "PO 42",
        world.users["admin_agent"],
    )
    page = client.get(url(world.customer_in)).content.decode()
    assert "Allowed" in page
    [entry] = permission_entries(world.customer_in)
    assert entry.action == Actions.PURCHASE_PERMISSION_CREATE
    assert entry.actor == world.users["admin_agent"]
    assert entry.details["after"] == {"product": RESERVATIONS, "expires_on": None, "note": "PO 42"}

    response = client.post(url(world.customer_in), form_data(reservations="0"))

    assert response.status_code == 302
    assert not PurchasePermission.objects.filter(customer=world.customer_in).exists()
    entries = permission_entries(world.customer_in)
    assert [e.action for e in entries] == [Actions.PURCHASE_PERMISSION_CREATE, Actions.PURCHASE_PERMISSION_DELETE]
    assert entries[1].details["before"]["product"] == RESERVATIONS


def test_a_global_admin_who_is_also_admin_agent_may_change_it(world, client_for):
    azure_plan(world)
    both = make_user(world.partner_a, "global_admin", agent_role="admin_agent")
    response = client_for(both).post(url(world.customer_in), form_data(savings="1"))
    assert response.status_code == 302
    assert PurchasePermission.objects.filter(customer=world.customer_in, product=SAVINGS).exists()


@pytest.mark.parametrize("role", ["global_admin", "sales_agent", "helpdesk_agent"])
def test_other_roles_get_403_on_post_and_see_plain_values(world, client_for, role):
    azure_plan(world)
    client = client_for(world.users[role])

    response = client.post(url(world.customer_in), form_data(reservations="1", savings="1"))

    assert response.status_code == 403
    assert not PurchasePermission.objects.exists()
    assert permission_entries(world.customer_in) == []
    for page_url in (url(world.customer_in), world.customer_in.get_absolute_url()):
        html = client.get(page_url).content.decode()
        assert "Customer permissions" in html
        assert "only an admin agent can turn customer permissions on or off" in html
        # Plain values (a definition list), not a disabled form.
        assert 'id="purchase-permission-form"' not in html
        values = html.split('id="purchase-permission-values"', 1)[1].split("</dl>", 1)[0]
        assert "<input" not in values
        for product in (RESERVATIONS, SAVINGS):
            assert f'<dt class="col-sm-4" id="purchase-permission-{product}">' in values
        assert values.count("Not allowed") == 2


def test_admin_agent_sees_enabled_controls_on_the_customer_page(world, client_for):
    azure_plan(world)
    html = client_for(world.users["admin_agent"]).get(world.customer_in.get_absolute_url()).content.decode()
    assert radio_disabled(html, RESERVATIONS) == [False, False]
    assert 'id="purchase-permission-readonly"' not in html


@pytest.mark.parametrize(
    "setup",
    ["none", "not_azure", "suspended", "other_partner"],
)
def test_without_an_active_azure_plan_turning_on_is_refused_with_the_reason(world, client_for, setup):
    if setup == "not_azure":
        azure_plan(world, is_azure_plan=False)
    elif setup == "suspended":
        subscription_status_change(actor=world.users["admin_agent"], subscription=azure_plan(world), action="suspend")
    elif setup == "other_partner":
        # The customer buys an Azure plan from partner B, not from A: that does not count for A.
        from tests.factories import make_customer

        shared = make_customer(world.partner_a, actor=world.users["global_admin"])
        from relationships.services import relationship_begin

        relationship_begin(partner=world.partner_b, customer=shared)
        azure_plan(world, customer=shared, actor=world.user_b)
        world.customer_in = shared
    client = client_for(world.users["admin_agent"])
    before = ActivityEntry.objects.count()

    page = client.get(url(world.customer_in)).content.decode()
    assert "no active Azure plan subscription" in page
    assert radio_disabled(page, RESERVATIONS) == [True, True]

    response = client.post(url(world.customer_in), form_data(reservations="1"))

    assert response.status_code == 200
    assert "no active Azure plan subscription" in response.content.decode()
    assert not PurchasePermission.objects.filter(partner=world.partner_a).exists()
    assert ActivityEntry.objects.count() == before


def test_a_permission_can_be_withdrawn_after_the_azure_plan_lapsed(world, client_for):
    subscription = azure_plan(world)
    purchase_permission_set(
        actor=world.users["admin_agent"], customer=world.customer_in, product=RESERVATIONS, allowed=True
    )
    subscription_status_change(actor=world.users["admin_agent"], subscription=subscription, action="cancel")
    client = client_for(world.users["admin_agent"])
    assert radio_disabled(client.get(url(world.customer_in)).content.decode(), RESERVATIONS) == [False, False]

    response = client.post(url(world.customer_in), form_data(reservations="0"))

    assert response.status_code == 302
    assert not PurchasePermission.objects.exists()


def test_expired_permission_reads_as_not_allowed(world, client_for):
    azure_plan(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    permission = purchase_permission_set(
        actor=world.users["admin_agent"],
        customer=world.customer_in,
        product=RESERVATIONS,
        allowed=True,
        expires_on=tomorrow,
    )
    assert permission.is_effective()
    assert permission.is_effective(tomorrow)
    assert not permission.is_effective(tomorrow + timedelta(days=1))
    # Time passes: two days later the row is still there, and no job has run.
    yesterday = timezone.localdate() - timedelta(days=1)
    PurchasePermission.objects.filter(pk=permission.pk).update(expires_on=yesterday)

    html = client_for(world.users["sales_agent"]).get(world.customer_in.get_absolute_url()).content.decode()

    section = html[html.index('id="purchase-permission-azure_reservations"') :]
    section = section[: section.index("</dd>")]
    assert "Not allowed (expired on" in section
    assert "text-bg-success" not in section
    # The admin agent's form selects "Don't allow" for it.
    html = client_for(world.users["admin_agent"]).get(world.customer_in.get_absolute_url()).content.decode()
    section = html[html.index('id="purchase-permission-azure_reservations"') :]
    section = section[: section.index("</fieldset>")]
    assert "Not allowed (expired on" in section
    assert re.search(r'<input[^>]*value="0"[^>]*checked', section), "Don't allow is the selected radio"


def test_expiry_in_the_past_is_refused_next_to_the_field(world, client_for):
    azure_plan(world)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(world.users["admin_agent"]).post(
        url(world.customer_in), form_data(reservations="1", **{f"{RESERVATIONS}-expires_on": yesterday})
    )
    assert response.status_code == 200
    assert "The expiry date cannot be in the past." in response.content.decode()
    assert not PurchasePermission.objects.exists()
    with pytest.raises(ValidationError):
        purchase_permission_set(
            actor=world.users["admin_agent"],
            customer=world.customer_in,
            product=RESERVATIONS,
            allowed=True,
            expires_on=timezone.localdate() - timedelta(days=1),
        )


def test_bad_input_never_answers_500(world, client_for):
    azure_plan(world)
    client = client_for(world.users["admin_agent"])
    for data in (
        {},
        form_data(reservations="maybe"),
        form_data(reservations="1", **{f"{RESERVATIONS}-expires_on": "31/31/2026"}),
        form_data(reservations="1", **{f"{RESERVATIONS}-note": "x" * 501}),
        form_data(reservations="1", **{f"{RESERVATIONS}-note": "nul\x00byte"}),
    ):
        response = client.post(url(world.customer_in), data)
        assert response.status_code == 200, data
    assert not PurchasePermission.objects.exists()


def test_saving_unchanged_values_writes_nothing(world, client_for):
    azure_plan(world)
    client = client_for(world.users["admin_agent"])
    client.post(url(world.customer_in), form_data(reservations="1"))
    client.post(url(world.customer_in), form_data(reservations="1"))
    purchase_permission_set(
        actor=world.users["admin_agent"], customer=world.customer_in, product=RESERVATIONS, allowed=True
    )
    purchase_permission_set(
        actor=world.users["admin_agent"], customer=world.customer_in, product=SAVINGS, allowed=False
    )
    assert [e.action for e in permission_entries(world.customer_in)] == [Actions.PURCHASE_PERMISSION_CREATE]


def test_changing_the_terms_of_an_allowed_permission_is_one_logged_change(world):
    azure_plan(world)
    actor = world.users["admin_agent"]
    purchase_permission_set(actor=actor, customer=world.customer_in, product=RESERVATIONS, allowed=True)
    later = timezone.localdate() + timedelta(days=90)
    purchase_permission_set(
        actor=actor, customer=world.customer_in, product=RESERVATIONS, allowed=True, expires_on=later, note="Q3"
    )
    entries = permission_entries(world.customer_in)
    assert len(entries) == 2
    assert entries[1].details["before"] == {"product": RESERVATIONS, "expires_on": None, "note": ""}
    assert entries[1].details["after"] == {"product": RESERVATIONS, "expires_on": later.isoformat(), "note": "Q3"}
    assert PurchasePermission.objects.get().expires_on == later


def test_permissions_are_per_partner(world, client_for):
    """Partner B's admin agent cannot see or change A's customer; A's permission is not B's."""
    b_agent = make_user(world.partner_b, "admin_agent")
    response = client_for(b_agent).post(url(world.customer_in), form_data(reservations="1"))
    assert response.status_code == 404
    assert not PurchasePermission.objects.exists()


def test_the_purchase_permission_page_has_one_h1_naming_the_customer(world, client_for):
    html = client_for(world.users["sales_agent"]).get(url(world.customer_in)).content.decode()
    assert html.count("<h1") == 1
    assert f"Customer permissions of {world.customer_in.company_name}</h1>" in html
