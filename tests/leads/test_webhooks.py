"""Webhook events of leads: received, accepted, won, lost and declined, to the partner's subscribed endpoints only,
carrying the lead as the API represents it."""

from __future__ import annotations

import json

import pytest

from leads import services
from partnerportal.webhooks.models import EventType, WebhookDelivery
from partnerportal.webhooks.services import webhook_endpoint_create
from tests.leads.factories import deal_data, make_lead

pytestmark = pytest.mark.usefixtures("shared_world")
LEAD_EVENTS = [e.value for e in EventType if e.value.startswith("lead.")]


def _events() -> list[tuple[str, dict]]:
    rows = WebhookDelivery.objects.order_by("pk").values_list("event_type", "body")
    return [(event, json.loads(body)["data"]) for event, body in rows]


def test_every_lead_step_is_an_event_for_the_partners_endpoints_only(world):
    admin = world.users["global_admin"]
    webhook_endpoint_create(actor=admin, url="http://127.0.0.1:9/hooks", event_types=LEAD_EVENTS)
    won = make_lead(world.partner_a, company_name="Won Co")
    services.lead_accept(actor=admin, lead=won, **deal_data([admin]))
    services.lead_win(actor=admin, lead=won)
    lost = make_lead(world.partner_a)
    services.lead_accept(actor=admin, lead=lost, **deal_data([admin]))
    services.lead_lose(actor=admin, lead=lost)
    declined = make_lead(world.partner_a)
    services.lead_decline(actor=admin, lead=declined, reason="other")
    services.lead_close_as_error(actor=admin, lead=make_lead(world.partner_a))
    make_lead(world.partner_b, contact=world.user_b)  # partner B has no endpoint: nothing for it

    events = _events()
    assert [event for event, _data in events] == [
        "lead.received", "lead.accepted", "lead.won",
        "lead.received", "lead.accepted", "lead.lost",
        "lead.received", "lead.declined",
        "lead.received",
    ]  # fmt: skip
    assert events[0][1]["company_name"] == "Won Co" and events[0][1]["status"] == "received"
    assert events[2][1]["status"] == "won" and events[2][1]["estimated_value"] == "12500.00"
    assert events[7][1]["decline_reason"] == "other"
