"""Ended relationships: the partner-wide list, restore invitations, and the snapshot reapplied on acceptance."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions
from customers.models import CustomerTag, Tag
from partnerportal.models import OutboundEmail
from permissions.models import PurchasePermission
from relationships.models import Invitation, Relationship
from relationships.services import (
    invitation_accept,
    relationship_begin,
    relationship_end,
    relationship_snapshot_apply,
    restore_invitation_send,
)
from tests.factories import make_customer
from tests.relationships.invite_helpers import verified_code

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

LIST = "relationships:relationship_ended_list"


def restore_url(relationship) -> str:
    return reverse("relationships:relationship_restore", args=[relationship.pk])


def end(world, customer=None, *, actor=None) -> Relationship:
    return relationship_end(
        actor=actor or world.users["global_admin"],
        customer=customer or world.customer_in,
        reason="other",
        details="Test",
    )


def add_tags(customer, partner, *names):
    for name in names:
        tag, _ = Tag.objects.get_or_create(partner=partner, name=name)
        CustomerTag.objects.get_or_create(customer=customer, tag=tag)


def test_ended_list_shows_the_partners_ended_relationships_only(world, client_for):
    mine = end(world)
    theirs = end(world, world.customer_out, actor=world.user_b)
    html = client_for(world.users["admin_agent"]).get(reverse(LIST)).content.decode()
    assert world.customer_in.primary_domain in html
    assert restore_url(mine) in html
    assert world.customer_out.primary_domain not in html
    assert restore_url(theirs) not in html


def test_ended_list_hides_customers_that_are_active_again_and_shows_one_row_per_customer(world, client_for):
    first = end(world)
    relationship_begin(partner=world.partner_a, customer=world.customer_in)
    client = client_for(world.users["global_admin"])
    assert world.customer_in.primary_domain not in client.get(reverse(LIST)).content.decode()
    assert client.get(restore_url(first)).status_code == 404

    second = end(world)
    html = client.get(reverse(LIST)).content.decode()
    assert html.count(world.customer_in.primary_domain) == 1
    assert restore_url(second) in html and restore_url(first) not in html


def test_restore_form_is_prefilled_and_sends_a_restore_invitation(world, client_for):
    relationship = end(world)
    client = client_for(world.users["global_admin"])
    page = client.get(restore_url(relationship))
    assert page.context["form"].initial["email"] == world.customer_in.contact_email
    assert world.customer_in.company_name in page.context["form"].initial["message"]

    response = client.post(restore_url(relationship), {"email": "admin@customer.example", "message": "Come back"})

    assert response.status_code == 200
    invitation = Invitation.objects.get(restores=relationship)
    assert invitation.purpose == "restore"
    assert invitation.customer_id == world.customer_in.pk
    assert invitation.email == "admin@customer.example"
    assert invitation.partner == world.partner_a
    link = re.search(r'id="invitation-link"[^>]*value="([^"]+)"', response.content.decode()).group(1)
    assert "/invite/" in link
    assert "The link alone does not let anyone accept" in response.content.decode()
    assert OutboundEmail.objects.filter(to="admin@customer.example").exists()
    listing = client.get(reverse(LIST)).content.decode()
    assert "Restore invitation pending" in listing


def test_restore_form_refuses_a_bad_email_and_sends_nothing(world, client_for):
    relationship = end(world)
    response = client_for(world.users["global_admin"]).post(
        restore_url(relationship), {"email": "not-an-email", "message": "x"}
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Invitation.objects.filter(restores=relationship).exists()


def test_restore_brings_the_customer_back_with_its_old_tags(world, client_for):
    """End with tags, DAP and purchase permissions; send the restore invitation; the customer accepts."""
    customer, partner = world.customer_in, world.partner_a
    add_tags(customer, partner, "priority", "Renewal-Q1")
    today = timezone.localdate()
    PurchasePermission.objects.create(partner=partner, customer=customer, product="azure_reservations", note="ok")
    PurchasePermission.objects.create(
        partner=partner, customer=customer, product="azure_savings_plans", expires_on=today + timedelta(days=1)
    )
    admin = world.users["global_admin"]
    client = client_for(admin)
    assert (
        client.post(
            reverse("customers:relationship_end", args=[customer.pk]),
            {"reason": "customer_request", "confirm": "on"},
        ).status_code
        == 302
    )
    ended = Relationship.objects.get(partner=partner, customer=customer)
    # One permission expires while the relationship is ended: it must not come back.
    ended.snapshot["purchase_permissions"][1]["expires_on"] = (today - timedelta(days=1)).isoformat()
    ended.save(update_fields=["snapshot"])
    Tag.objects.filter(partner=partner, name="priority").delete()  # a tag deleted meanwhile is re-created

    _invitation, link = restore_invitation_send(
        actor=admin, relationship=ended, email="ga@customer.example", message="m"
    )
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation_accept(
        token=token,
        name="Ana Kim",
        confirm_global_admin=True,
        accept_agreement=True,
        verified_code_id=verified_code(_invitation).pk,
    )

    restored = Relationship.objects.get(partner=partner, customer=customer, status="active")
    assert restored.dap is True
    assert sorted(
        CustomerTag.objects.filter(customer=customer, tag__partner=partner).values_list("tag__name", flat=True)
    ) == ["Renewal-Q1", "priority"]
    assert list(
        PurchasePermission.objects.filter(partner=partner, customer=customer).values_list("product", "note")
    ) == [("azure_reservations", "ok")]
    assert ActivityEntry.objects.filter(action=Actions.RELATIONSHIP_RESTORE, customer=customer).exists()
    for role in ("global_admin", "helpdesk_agent"):
        html = Client()
        html.force_login(world.users[role])
        page = html.get(reverse("customers:customer_detail", args=[customer.pk]))
        assert page.status_code == 200
        assert "Renewal-Q1" in page.content.decode()
    assert world.customer_in.primary_domain not in client.get(reverse(LIST)).content.decode()


def test_snapshot_without_dap_restores_without_dap(world):
    ended = end(world)
    ended.snapshot["dap"] = False
    ended.save(update_fields=["snapshot"])
    new = relationship_begin(partner=world.partner_a, customer=world.customer_in)[0]
    relationship_snapshot_apply(relationship=new, snapshot=ended.snapshot)
    new.refresh_from_db()
    assert new.dap is False


def test_snapshot_apply_needs_an_active_relationship(world):
    from django.core.exceptions import ValidationError

    ended = end(world)
    with pytest.raises(ValidationError):
        relationship_snapshot_apply(relationship=ended, snapshot=ended.snapshot)


def test_nav_shows_ended_relationships_to_roles_that_may_restore(roles_seeing):
    assert roles_seeing(reverse("customers:customer_list"), reverse(LIST)) == {"global_admin", "admin_agent"}


@pytest.mark.parametrize("count", [1, 50])
def test_ended_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_num_queries, count):
    admin = world.users["global_admin"]
    end(world)
    for _ in range(count - 1):
        end(world, make_customer(world.partner_a, actor=admin))
    client = client_for(admin)
    client.get(reverse(LIST))  # warm the session and permission caches
    # Session, user, the page of rows; no count query: the list fits on its first page, whose rows are the count.
    with django_assert_num_queries(3):
        response = client.get(reverse(LIST))
    assert len(response.context["relationships"]) == count
