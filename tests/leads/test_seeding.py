"""Demo leads: every state for a partner, the flame on the fresh one, the contact a demo login; idempotent."""

from __future__ import annotations

import pytest

from leads.models import STATE_CHOICES, Lead
from partnerportal.seeding.leads import seed_leads

pytestmark = pytest.mark.usefixtures("shared_world")


def test_seeding_gives_a_partner_a_lead_in_every_state_once(world):
    agent = world.users["sales_agent"]
    assert seed_leads(partner=world.partner_a, sales_contact=True) == 8
    assert seed_leads(partner=world.partner_a, sales_contact=True) == 0
    leads = list(Lead.objects.filter(partner=world.partner_a).with_status())
    assert {lead.state for lead in leads} == {code for code, _label in STATE_CHOICES}
    assert sum(lead.flame for lead in leads) == 1
    assert all(lead.lead_contact == agent for lead in leads)
