"""Emails to the lead contact, through the outbox and a real SMTP server: one per lead, and past ten in one day
(UTC) none individually but one digest after the day listing all of that day's leads, exactly once however many
digest runs happen at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

from django.db import connection

from leads.models import LeadNotificationDay
from leads.services import lead_digest_send
from partnerportal.infrastructure.schedule import schedule_run_due
from partnerportal.models import OutboundEmail
from tests.leads.factories import make_lead
from tests.smtp import body_of, run_worker

DAY_START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
NEXT_DAY = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)


def _digests(contact) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(to=contact.email, topic__startswith="lead-digest:"))


def test_one_lead_sends_one_email_to_the_lead_contact(transactional_db, world, smtp):
    agent = world.users["sales_agent"]
    lead = make_lead(world.partner_a, contact=agent, company_name="Wide World Importers")
    run_worker(smtp)
    received = smtp.received(to=agent.email)
    assert len(received) == 1
    assert "Wide World Importers" in body_of(received[0])
    assert lead.get_absolute_url() in body_of(received[0])
    assert lead.email not in body_of(received[0]), "the customer's contact details stay on the page"


def test_eleven_leads_in_a_day_send_ten_emails_then_one_digest_of_all_eleven(transactional_db, world, smtp):
    agent = world.users["sales_agent"]
    leads = [
        make_lead(
            world.partner_a, contact=agent, company_name=f"Busy {n:02d}", received_at=DAY_START + timedelta(minutes=n)
        )
        for n in range(11)
    ]
    # A lead of the next day starts a new count (the day is the UTC date).
    make_lead(world.partner_a, contact=agent, company_name="Tomorrow Co", received_at=NEXT_DAY)
    assert lead_digest_send(now=DAY_START + timedelta(hours=12)) == "digests 0", "no digest before the day ends"
    run_worker(smtp)
    individual = smtp.received(to=agent.email)
    assert len(individual) == 11, "the first ten of the day, and the next day's first"
    assert not any("Busy 10" in body_of(m) for m in individual), "the eleventh is not emailed on its own"

    assert lead_digest_send(now=NEXT_DAY) == "digests 1"
    assert lead_digest_send(now=NEXT_DAY + timedelta(hours=1)) == "digests 0"
    run_worker(smtp)
    digests = smtp.received(to=agent.email)[11:]
    assert len(digests) == 1
    body = body_of(digests[0])
    assert all(lead.company_name in body for lead in leads) and "Tomorrow Co" not in body
    assert "11" in str(make_header(decode_header(digests[0]["Subject"])))


def test_two_digest_runs_at_once_send_one_digest(transactional_db, world):
    agent = world.users["sales_agent"]
    for n in range(12):
        make_lead(world.partner_a, contact=agent, received_at=DAY_START + timedelta(minutes=n))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            outcomes.append(lead_digest_send(now=NEXT_DAY))
        except BaseException as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(outcomes) == ["digests 0", "digests 1"]
    assert len(_digests(agent)) == 1
    assert LeadNotificationDay.objects.get(contact=agent).count == 12


def test_the_scheduler_runs_the_digest(world):
    agent = world.users["sales_agent"]
    for n in range(11):
        make_lead(world.partner_a, contact=agent, received_at=DAY_START + timedelta(minutes=n))
    assert schedule_run_due(now=NEXT_DAY)["lead-digest"] == "digests 1"
    assert schedule_run_due(now=NEXT_DAY)["lead-digest"] == "claimed-elsewhere"
    assert len(_digests(agent)) == 1


def test_a_lead_without_an_active_contact_sends_nothing(world):
    make_lead(world.partner_a, contact=None)
    agent = world.users["sales_agent"]
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    make_lead(world.partner_a, contact=agent)
    assert not OutboundEmail.objects.filter(topic__startswith="lead:").exists()
