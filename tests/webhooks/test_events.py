"""Each event is emitted by its service, in its transaction, with the resource as the API represents it."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from adminrelationships.models import AdminRelationship
from adminrelationships.services import (
    admin_relationship_approve,
    admin_relationship_decline,
    admin_relationship_terminate,
)
from api.webhook_payloads import (
    AdminRelationshipSerializer,
    InvitationSerializer,
    PartnershipSerializer,
    RelationshipSerializer,
)
from customers.services import customer_agreement_attest, customer_update
from customers.services.purchase_permissions import purchase_permission_set
from customers.services.subscriptions import subscription_create
from partnerportal.models import Partner
from partnerportal.webhooks.models import EventType, WebhookDelivery
from partnerportal.webhooks.services import webhook_endpoint_create
from permissions.models import PurchasePermission
from relationships.models import Invitation, Partnership, Relationship
from relationships.services import customer_onboard, relationship_end
from relationships.services.acceptance import invitation_accept
from relationships.services.partnerships import partnership_authorize, partnership_remove, partnership_request
from tests.adminrelationships.helpers import request_for, token_of
from tests.api.helpers import ApiClient, token_for
from tests.factories import customer_data, make_partner, make_user
from tests.relationships.invite_helpers import invite, verified_code

ALL = [t.value for t in EventType]


def _subscribe(admin) -> None:
    webhook_endpoint_create(actor=admin, url="http://127.0.0.1:9/hooks", event_types=ALL)


def _only(event_type: EventType, partner: Partner | None = None) -> dict:
    rows = WebhookDelivery.objects.filter(event_type=event_type.value)
    if partner is not None:
        rows = rows.filter(endpoint__partner=partner)
    [delivery] = rows
    message = json.loads(delivery.body)
    assert message["type"] == event_type.value
    return message["data"]


def _api_customer(user, customer) -> dict:
    return ApiClient(token_for(user)).get(reverse("api:customer_detail", args=[customer.pk])).json()


@pytest.fixture
def w(world):
    _subscribe(world.users["global_admin"])
    return world


def test_customer_created(w):
    admin = w.users["global_admin"]
    customer = customer_onboard(actor=admin, data=customer_data(), domain_prefix="webhookcreated1")
    assert _only(EventType.CUSTOMER_CREATED) == _api_customer(admin, customer)
    assert _only(EventType.RELATIONSHIP_STARTED)["customer_id"] == str(customer.pk)


def test_customer_updated_by_the_profile_and_the_attestation(w):
    admin = w.users["global_admin"]
    customer_update(actor=admin, customer=w.customer_in, data={"company_name": "Webhook Renamed"})
    assert _only(EventType.CUSTOMER_UPDATED) == _api_customer(admin, w.customer_in)
    WebhookDelivery.objects.all().delete()
    customer_agreement_attest(
        actor=w.users["admin_agent"],
        customer=w.customer_in,
        name="Dana Lee",
        email="dana@example.net",
        date=date(2026, 1, 5),
    )
    assert (
        _only(EventType.CUSTOMER_UPDATED)["agreement_status"] == _api_customer(admin, w.customer_in)["agreement_status"]
    )


def test_relationship_started_and_ended(w):
    admin = w.users["global_admin"]
    customer = customer_onboard(actor=admin, data=customer_data(), domain_prefix="webhookrel1")
    started = Relationship.objects.get(customer=customer)
    assert _only(EventType.RELATIONSHIP_STARTED) == RelationshipSerializer(started).data
    relationship_end(actor=admin, customer=customer, reason=Relationship.EndReason.CUSTOMER_REQUEST)
    ended = _only(EventType.RELATIONSHIP_ENDED)
    assert ended == RelationshipSerializer(Relationship.objects.get(pk=started.pk)).data
    assert ended["status"] == "ended" and ended["end_reason"] == "customer_request"


def test_invitation_accepted(w):
    invitation, token = invite(w, customer=w.customer_in)
    invitation_accept(
        token=token,
        name="Dana Lee",
        confirm_global_admin=True,
        accept_agreement=True,
        verified_code_id=verified_code(invitation).pk,
    )
    data = _only(EventType.INVITATION_ACCEPTED)
    assert data == InvitationSerializer(Invitation.objects.get(pk=invitation.pk)).data
    assert data["status"] == "accepted" and "token" not in json.dumps(data)


def test_purchase_permission_changed_when_allowed_and_when_stopped(w):
    agent = w.users["admin_agent"]
    subscription_create(actor=agent, customer=w.customer_in, offer_name="Azure plan", quantity=1, is_azure_plan=True)
    product = PurchasePermission.Product.AZURE_RESERVATIONS
    purchase_permission_set(actor=agent, customer=w.customer_in, product=product, allowed=True)
    allowed = _only(EventType.PURCHASE_PERMISSION_CHANGED)
    assert allowed == {
        "customer_id": str(w.customer_in.pk),
        "product": product,
        "allowed": True,
        "expires_on": None,
        "note": "",
    }
    WebhookDelivery.objects.all().delete()
    purchase_permission_set(actor=agent, customer=w.customer_in, product=product, allowed=False)
    assert _only(EventType.PURCHASE_PERMISSION_CHANGED) == {**allowed, "allowed": False}


def test_partnership_authorized_and_removed_reach_both_partners(db):
    provider = make_partner(type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
    provider_admin, reseller_admin = make_user(provider), make_user(reseller)
    _subscribe(provider_admin)
    _subscribe(reseller_admin)
    _partnership, token = partnership_request(actor=provider_admin, email="admin@reseller.example", message="Hi")
    partnership = partnership_authorize(actor=reseller_admin, token=token)
    for partner in (provider, reseller):
        assert _only(EventType.PARTNERSHIP_AUTHORIZED, partner) == PartnershipSerializer(partnership).data
    partnership_remove(actor=provider_admin, partnership=partnership)
    removed = PartnershipSerializer(Partnership.objects.get(pk=partnership.pk)).data
    assert removed["status"] == "removed"
    for partner in (provider, reseller):
        assert _only(EventType.PARTNERSHIP_REMOVED, partner) == removed


def test_admin_relationship_requested_approved_terminated_and_declined(w):
    agent = w.users["admin_agent"]
    relationship = request_for(w.customer_in, agent)

    def fresh(pk: int) -> dict:
        return AdminRelationshipSerializer(AdminRelationship.objects.get(pk=pk)).data

    assert _only(EventType.ADMIN_RELATIONSHIP_REQUESTED) == fresh(relationship.pk)
    admin_relationship_approve(token=token_of(relationship), approver_name="Dana Lee")
    approved = _only(EventType.ADMIN_RELATIONSHIP_APPROVED)
    assert approved == fresh(relationship.pk) and approved["status"] == "active"
    admin_relationship_terminate(actor=agent, relationship=relationship, reason="Done")
    assert _only(EventType.ADMIN_RELATIONSHIP_TERMINATED)["status"] == "terminated"

    declined = request_for(w.customer_in, agent, name="Another request")
    admin_relationship_decline(token=token_of(declined))
    assert _only(EventType.ADMIN_RELATIONSHIP_DECLINED) == fresh(declined.pk)


def test_admin_relationship_expired_and_extended_come_from_the_expiry_sweep_once(w):
    from adminrelationships.services.expiry import expiry_sweep
    from tests.adminrelationships.test_expiry import active

    ending = active(w, name="Ends", days=10)
    extending = active(w, name="Extends", days=10, auto_extend=True)
    after_end = ending.ends_at + timedelta(hours=1)
    expiry_sweep(now=after_end)
    expiry_sweep(now=after_end)  # a second run (or a second node) emits nothing more

    expired = _only(EventType.ADMIN_RELATIONSHIP_EXPIRED)
    # (The payload's status is read at the real time, which this test travels past; at the sweep's own time it
    # reads "expired".)
    assert expired == AdminRelationshipSerializer(ending).data
    extended = _only(EventType.ADMIN_RELATIONSHIP_EXTENDED)
    extending.refresh_from_db()
    assert extended["id"] == extending.pk
    assert extended == AdminRelationshipSerializer(extending).data, "the payload carries the new end"
