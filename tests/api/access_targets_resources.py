"""Targets, bodies and effects of the API's agreement, domain, subscription, purchase-permission and partnership
rows in the access matrix (tests/access.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, Subscription
from partnerportal.models import Partner
from permissions.models import PurchasePermission
from relationships.models import Partnership
from relationships.services.partnerships import partnership_request
from tests.factories import make_partner, make_user
from tests.relationships.access_targets import _make_type


def _api_partnership_token(world) -> dict:
    """A provider's pending partnership link addressed to partner A, made an indirect reseller: the API takes the
    link's token in the body (no URL arguments)."""
    _make_type(world.partner_a, Partner.Type.INDIRECT_RESELLER)
    provider = make_partner(type=Partner.Type.INDIRECT_PROVIDER)
    _partnership, token = partnership_request(
        actor=make_user(provider, "global_admin"), email="admin@reseller.example", message="Hello"
    )
    world.extra["api_partnership_token"] = token
    return {}


def _sold(customer, partner) -> Subscription:
    """A subscription the partner sold the customer, stored as it is: sweeps that share one world (the header check
    renders every GET row in turn) may have ended the relationship by then, and a subscription outlives it."""
    return Subscription.objects.create(customer=customer, partner=partner, offer_name="Microsoft 365 E3", quantity=5)


def _sold_in(world) -> dict:
    return {"pk": world.customer_in.pk, "subscription_pk": _sold(world.customer_in, world.partner_a).pk}


def _sold_out(world) -> dict:
    return {"pk": world.customer_out.pk, "subscription_pk": _sold(world.customer_out, world.partner_b).pk}


def _sold_mismatch(world) -> dict:
    # Partner B's subscription addressed through partner A's own customer: still not found.
    return {"pk": world.customer_in.pk, "subscription_pk": _sold(world.customer_out, world.partner_b).pk}


def _sold_unassigned(world) -> dict:
    subscription = _sold(world.customer_unassigned, world.partner_a)
    return {"pk": world.customer_unassigned.pk, "subscription_pk": subscription.pk}


TARGETS = {
    "api_partnership_token": _api_partnership_token,
    "sold_in": _sold_in,
    "sold_out": _sold_out,
    "sold_mismatch": _sold_mismatch,
    "sold_unassigned": _sold_unassigned,
}


BODIES = {
    "api: agreement attested": lambda ctx: {
        "agreement_name": "Ana Kim",
        "agreement_email": "ana@customer.example.net",
        "agreement_date": timezone.localdate().isoformat(),
    },
    "api: subscription E3": lambda ctx: {"offer_name": "Microsoft 365 E3", "quantity": 5, "is_azure_plan": False},
    "api: suspend": lambda ctx: {"status": "suspended"},
    "api: reservations allowed": lambda ctx: {"product": "azure_reservations", "allowed": True, "note": "Approved"},
    "api: partnership request": lambda ctx: {"email": "admin@reseller.example", "message": "Hello"},
    "api: partnership authorization": lambda ctx: {
        "token": ctx.world.extra.get("api_partnership_token", "not-a-link"),
        "confirm": True,
    },
}


def _agreement_attested(ctx) -> None:
    customer = Customer.objects.get(pk=ctx.kwargs["pk"])
    assert (customer.agreement_status, customer.agreement_name) == ("attested_by_partner", "Ana Kim")
    body = ctx.response.json()
    assert body["agreement_status"] == "attested_by_partner" and body["agreement_email"] == "ana@customer.example.net"


def _subscription_added(ctx) -> None:
    subscription = Subscription.objects.get(pk=ctx.response.json()["id"])
    assert (subscription.customer_id, subscription.partner, subscription.offer_name, subscription.quantity) == (
        ctx.kwargs["pk"],
        ctx.world.partner_a,
        "Microsoft 365 E3",
        5,
    )
    assert ctx.response["Location"] == reverse("api:subscription_detail", args=[ctx.kwargs["pk"], subscription.pk])


def _subscription_suspended(ctx) -> None:
    assert Subscription.objects.get(pk=ctx.kwargs["subscription_pk"]).status == "suspended"
    assert ctx.response.json()["status"] == "suspended"


def _reservations_allowed(ctx) -> None:
    permission = PurchasePermission.objects.get(
        partner=ctx.world.partner_a, customer_id=ctx.kwargs["pk"], product="azure_reservations"
    )
    assert permission.note == "Approved" and permission.created_by == ctx.user
    shown = {p["product"]: p["allowed"] for p in ctx.response.json()["permissions"]}
    assert shown == {"azure_reservations": True, "azure_savings_plans": False}


def _partnership_requested(ctx) -> None:
    partnership = Partnership.objects.get(pk=ctx.response.json()["id"])
    assert (partnership.provider, partnership.email, partnership.status) == (
        ctx.world.partner_a,
        "admin@reseller.example",
        "invited",
    )
    assert "token" not in ctx.response.json() and "link" not in ctx.response.json()


def _partnership_authorized(ctx) -> None:
    partnership = Partnership.objects.get(reseller=ctx.world.partner_a)
    assert partnership.status == "active" and partnership.authorized_by == ctx.user
    assert ctx.response.json()["status"] == "active"


def _partnership_removed(ctx) -> None:
    assert Partnership.objects.get(pk=ctx.kwargs["pk"]).status == "removed"
    assert ctx.response.json()["status"] == "removed"


EFFECTS = {
    "api agreement attested": _agreement_attested,
    "api subscription added": _subscription_added,
    "api subscription suspended": _subscription_suspended,
    "api reservations allowed": _reservations_allowed,
    "api partnership requested": _partnership_requested,
    "api partnership authorized": _partnership_authorized,
    "api partnership removed": _partnership_removed,
}
