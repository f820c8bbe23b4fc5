"""Ending a relationship: preflight blockers, reason and statement, the effects, and concurrent submits."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from activity.models import ActivityEntry
from activity.services import Actions
from customers.models import CustomerTag, Subscription, Tag
from partnerportal.models import Partner
from permissions.models import PurchasePermission
from relationships.models import Invitation, Partnership, Relationship
from relationships.services import relationship_begin
from relationships.services.lifecycle import relationship_end
from tests.factories import make_customer, make_partner, make_user

VALID = {"reason": "no_longer_transacting", "details": "", "confirm": "on"}


def end_url(customer) -> str:
    return reverse("customers:relationship_end", args=[customer.pk])


def active(partner, customer) -> Relationship | None:
    return Relationship.objects.filter(partner=partner, customer=customer, status="active").first()


def tag(customer, partner, *names):
    for name in names:
        t, _ = Tag.objects.get_or_create(partner=partner, name=name)
        CustomerTag.objects.get_or_create(customer=customer, tag=t)


def test_active_subscriptions_are_listed_and_block_ending(world, client_for):
    Subscription.objects.create(customer=world.customer_in, partner=world.partner_a, offer_name="Microsoft 365 E3")
    Subscription.objects.create(
        customer=world.customer_in, partner=world.partner_a, offer_name="Old plan", status="suspended"
    )
    client = client_for(world.users["global_admin"])

    page = client.get(end_url(world.customer_in))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Microsoft 365 E3" in html
    assert "Old plan" not in html, "only active subscriptions block"
    assert 'name="confirm"' not in html, "no form while blockers remain"
    assert reverse("customers:customer_detail", args=[world.customer_in.pk]) + "#subscriptions" in html

    response = client.post(end_url(world.customer_in), VALID)
    assert response.status_code == 200
    assert "Suspend or cancel" in response.content.decode()
    assert active(world.partner_a, world.customer_in) is not None


def test_suspended_subscriptions_do_not_block(world, client_for):
    Subscription.objects.create(
        customer=world.customer_in, partner=world.partner_a, offer_name="Old plan", status="suspended"
    )
    client = client_for(world.users["admin_agent"])
    assert 'name="confirm"' in client.get(end_url(world.customer_in)).content.decode()
    assert client.post(end_url(world.customer_in), VALID).status_code == 302
    assert active(world.partner_a, world.customer_in) is None


def test_another_partners_subscription_does_not_block(world, client_for):
    other = make_partner()
    Subscription.objects.create(customer=world.customer_in, partner=other, offer_name="Someone else's")
    response = client_for(world.users["global_admin"]).post(end_url(world.customer_in), VALID)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"confirm": "on"}, "reason", "This field is required."),
        ({"reason": "customer_request"}, "confirm", "Confirm the statement to end the relationship."),
        ({"reason": "other", "details": "   ", "confirm": "on"}, "details", "Describe the reason"),
        ({"reason": "bogus", "confirm": "on"}, "reason", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(world, client_for, data, field, message):
    client = client_for(world.users["global_admin"])  # signing in is an activity entry of its own
    entries = ActivityEntry.objects.count()
    response = client.post(end_url(world.customer_in), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert active(world.partner_a, world.customer_in) is not None
    assert ActivityEntry.objects.count() == entries


def test_ending_keeps_a_snapshot_and_removes_tags_permissions_invitations_and_dap(world, client_for):
    customer, partner = world.customer_in, world.partner_a
    tag(customer, partner, "priority", "education")
    tag(customer, world.partner_b, "b-private")  # another partner's tag is not this partner's to remove
    PurchasePermission.objects.create(
        partner=partner, customer=customer, product="azure_reservations", expires_on=timezone.localdate(), note="Q1"
    )
    PurchasePermission.objects.create(partner=partner, customer=customer, product="azure_savings_plans")
    pending = Invitation.objects.create(
        partner=partner,
        customer=customer,
        email="x@customer.example",
        message="m",
        token_hash="a" * 64,
        expires_at=timezone.now() + timedelta(days=3),
    )
    user = world.users["admin_agent"]

    response = client_for(user).post(
        end_url(customer), {"reason": "other", "details": "Merged into a holding", "confirm": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_list")
    relationship = Relationship.objects.get(partner=partner, customer=customer)
    assert relationship.status == "ended"
    assert relationship.ended_by == user
    assert relationship.ended_at is not None
    assert (relationship.end_reason, relationship.end_reason_details) == ("other", "Merged into a holding")
    assert relationship.end_reason_text == "Merged into a holding"
    assert relationship.dap is False
    assert relationship.snapshot == {
        "tags": ["education", "priority"],
        "dap": True,
        "purchase_permissions": [
            {"product": "azure_reservations", "expires_on": timezone.localdate().isoformat(), "note": "Q1"},
            {"product": "azure_savings_plans", "expires_on": None, "note": ""},
        ],
    }
    assert not CustomerTag.objects.filter(customer=customer, tag__partner=partner).exists()
    assert CustomerTag.objects.filter(customer=customer, tag__partner=world.partner_b).exists()
    assert not PurchasePermission.objects.filter(partner=partner, customer=customer).exists()
    pending.refresh_from_db()
    assert pending.status == "revoked"
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_REVOKE, customer=customer).count() == 1
    entry = ActivityEntry.objects.get(action=Actions.RELATIONSHIP_END)
    assert entry.customer_id == customer.pk and entry.actor == user and entry.partner == partner
    assert ActivityEntry.objects.filter(action=Actions.PURCHASE_PERMISSION_DELETE, customer=customer).count() == 2


def test_chosen_reason_is_stored_with_its_details(world, client_for):
    client_for(world.users["global_admin"]).post(
        end_url(world.customer_in), {"reason": "moved_partner", "details": "Went to Fabrikam", "confirm": "on"}
    )
    relationship = Relationship.objects.get(partner=world.partner_a, customer=world.customer_in)
    assert (relationship.end_reason, relationship.end_reason_details) == ("moved_partner", "Went to Fabrikam")
    assert relationship.end_reason_text == "The customer moved to another partner: Went to Fabrikam"
    entry = ActivityEntry.objects.get(action=Actions.RELATIONSHIP_END, customer=world.customer_in)
    assert (entry.details["after"]["reason"], entry.details["after"]["reason_details"]) == (
        "moved_partner",
        "Went to Fabrikam",
    )


def test_the_reason_shows_as_a_label_in_the_readers_language(world, client_for):
    client = client_for(world.users["global_admin"])
    client.post(end_url(world.customer_in), {"reason": "moved_partner", "details": "Went to Fabrikam", "confirm": "on"})
    korean = _ko(Relationship.EndReason.MOVED_PARTNER.label)
    assert korean != "The customer moved to another partner"
    ended_list = reverse("relationships:relationship_ended_list")
    assert "The customer moved to another partner: Went to Fabrikam" in client.get(ended_list).content.decode()
    client.post(reverse("set_language"), {"language": "ko"})
    assert f"{korean}: Went to Fabrikam" in client.get(ended_list).content.decode()

    # The customer page's relationship history, once the partner has the customer again.
    relationship_begin(partner=world.partner_a, customer=world.customer_in)
    assert f"{korean}: Went to Fabrikam" in client.get(world.customer_in.get_absolute_url()).content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    detail = client.get(world.customer_in.get_absolute_url()).content.decode()
    assert "The customer moved to another partner: Went to Fabrikam" in detail


def _ko(label):
    with translation.override("ko"):
        return str(label)


@pytest.mark.parametrize(
    ("reason", "details"),
    [("", ""), ("moved on", ""), ("other", ""), ("no_longer_transacting", "x" * 1001)],
)
def test_the_service_takes_only_a_known_code_and_details_for_other(world, reason, details):
    with pytest.raises(ValidationError):
        relationship_end(actor=world.users["global_admin"], customer=world.customer_in, reason=reason, details=details)
    assert active(world.partner_a, world.customer_in) is not None


@pytest.mark.parametrize("role", ["global_admin", "admin_agent", "sales_agent", "helpdesk_agent"])
def test_after_ending_the_customer_is_gone_at_once_for_every_role(world, client_for, role):
    customer = world.customer_in
    user = world.users[role]
    client = client_for(user)
    # Seen before (so the checks below can fail).
    assert str(customer.pk) in client.get(reverse("customers:customer_list")).content.decode()

    client_for(world.users["global_admin"]).post(end_url(customer), VALID)
    client = client_for(user)

    assert str(customer.pk) not in client.get(reverse("customers:customer_list")).content.decode()
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 404
    export = client.get(reverse("customers:customer_export"))
    assert export.status_code == 200
    assert str(customer.pk) not in b"".join(export.streaming_content).decode()
    lookup = client.get(reverse("customers:customer_lookup"), {"q": str(customer.pk)})
    assert customer.primary_domain not in lookup.content.decode()


def test_assigned_scope_staff_lose_the_customer_too(world, client_for):
    from permissions.models import CustomerAssignment
    from permissions.services import user_access_sync

    agent = make_user(world.partner_a, "helpdesk_agent", scope="assigned")
    CustomerAssignment.objects.create(user=agent, customer=world.customer_in)
    user_access_sync(user=agent)
    detail = reverse("customers:customer_detail", args=[world.customer_in.pk])
    assert client_for(agent).get(detail).status_code == 200

    client_for(world.users["global_admin"]).post(end_url(world.customer_in), VALID)

    assert client_for(agent).get(detail).status_code == 404
    assert not CustomerAssignment.objects.filter(user=agent).exists()


def test_a_second_submit_after_the_end_says_it_has_ended(world, client_for):
    client = client_for(world.users["global_admin"])
    assert client.post(end_url(world.customer_in), VALID).status_code == 302
    again = client.post(end_url(world.customer_in), VALID)
    assert again.status_code == 200
    assert "relationship with" in again.content.decode() and "ended on" in again.content.decode()
    assert Relationship.objects.filter(partner=world.partner_a, customer=world.customer_in).count() == 1


def test_end_button_shows_only_to_roles_that_may_end(world, roles_seeing):
    detail = reverse("customers:customer_detail", args=[world.customer_in.pk])
    assert roles_seeing(detail, end_url(world.customer_in)) == {"global_admin", "admin_agent"}


def test_indirect_ending_ends_only_the_acting_partners_row(db, client_for):
    provider = make_partner(type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
    provider_admin = make_user(provider, "global_admin")
    reseller_admin = make_user(reseller, "global_admin")
    Partnership.objects.create(provider=provider, reseller=reseller, status="active")
    customer = make_customer(provider, actor=provider_admin, reseller=reseller)

    page = client_for(reseller_admin).get(end_url(customer))
    assert "Only your organisation's relationship ends" in page.content.decode()
    assert client_for(reseller_admin).post(end_url(customer), VALID).status_code == 302

    assert active(reseller, customer) is None
    assert active(provider, customer) is not None
    assert client_for(provider_admin).get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 200
    assert client_for(reseller_admin).get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_end_ends_one_row_and_never_fails(world):
    customer = world.customer_in
    users = [world.users["global_admin"], world.users["admin_agent"]] * 3
    barrier = threading.Barrier(len(users))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(user):
        try:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            barrier.wait()
            statuses.append(client.post(end_url(customer), VALID).status_code)
        except BaseException as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 200}, statuses
    assert Relationship.objects.filter(partner=world.partner_a, customer=customer, status="ended").count() == 1
    assert ActivityEntry.objects.filter(action=Actions.RELATIONSHIP_END).count() == 1
