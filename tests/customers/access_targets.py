"""Access-matrix targets for the subscription and purchase-permission URLs (registered in test_access.TARGETS)."""

from __future__ import annotations


def _subscription(customer, actor, *, offer_name: str = "Microsoft 365 E3", is_azure_plan: bool = False):
    from customers.services.subscriptions import subscription_create

    return subscription_create(
        actor=actor, customer=customer, offer_name=offer_name, quantity=5, is_azure_plan=is_azure_plan
    )


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


def _subscription_unassigned(world) -> dict:
    # Partner A's subscription of its customer that the assigned-scope agent is not assigned.
    subscription = _subscription(world.customer_unassigned, world.users["global_admin"])
    return {"pk": world.customer_unassigned.pk, "subscription_pk": subscription.pk}


def _azure_plan(customer_attr: str):
    """The customer, with an active Azure-plan subscription of partner A (so purchase permissions may change)."""

    def build(world) -> dict:
        customer = getattr(world, customer_attr)
        _subscription(customer, world.users["global_admin"], offer_name="Azure plan", is_azure_plan=True)
        return {"pk": customer.pk}

    return build


TARGETS = {
    "subscription_in": _subscription_in,
    "subscription_out": _subscription_out,
    "subscription_mismatch": _subscription_mismatch,
    "subscription_unassigned": _subscription_unassigned,
    "azure_in": _azure_plan("customer_in"),
    "azure_unassigned": _azure_plan("customer_unassigned"),
}
