"""Access-matrix targets for the subscription URLs (registered in tests/partnerportal/test_access.py)."""

from __future__ import annotations


def _subscription(customer, actor):
    from customers.services.subscriptions import subscription_create

    return subscription_create(actor=actor, customer=customer, offer_name="Microsoft 365 E3", quantity=5)


def _subscription_in(world) -> dict:
    return {
        "pk": world.customer_in.pk,
        "subscription_pk": _subscription(world.customer_in, world.users["global_admin"]).pk,
    }


def _subscription_out(world) -> dict:
    return {"pk": world.customer_out.pk, "subscription_pk": _subscription(world.customer_out, world.user_b).pk}


def _subscription_mismatch(world) -> dict:
    # Partner B's subscription addressed through partner A's own customer: still not found.
    return {"pk": world.customer_in.pk, "subscription_pk": _subscription(world.customer_out, world.user_b).pk}


TARGETS = {
    "subscription_in": _subscription_in,
    "subscription_out": _subscription_out,
    "subscription_mismatch": _subscription_mismatch,
}
