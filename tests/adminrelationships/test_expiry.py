"""The expiry sweep: 30/7/1-day notices and the expiry notice exactly once each (outbox and a real SMTP server),
auto-extension by 180 days exactly once, the late-entry rule, nothing for ended or unanswered relationships, two
sweeps at once, and a query count that does not grow with the number of relationships."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships.models import AdminRelationship, ExpiryNotice, NoticeKind, Status
from adminrelationships.services import admin_relationship_terminate
from adminrelationships.services.expiry import BATCH_SIZE, expiry_sweep
from adminrelationships.services.requests import admin_relationship_approve, admin_relationship_decline
from partnerportal.infrastructure.schedule import schedule_run_due
from partnerportal.models import OutboundEmail
from tests.adminrelationships.helpers import request_for, token_of
from tests.smtp import body_of, run_worker

DAY = timedelta(days=1)


def active(world, *, name: str, days: int = 365, auto_extend: bool = False, customer=None) -> AdminRelationship:
    """A relationship the customer approved just now, for `days`."""
    relationship = request_for(
        customer or world.customer_in,
        world.users["admin_agent"],
        name=name,
        duration_days=days,
        auto_extend=auto_extend,
    )
    admin_relationship_approve(token=token_of(relationship), approver_name="Ana Kim")
    relationship.refresh_from_db()
    return relationship


def notices(relationship: AdminRelationship, kind: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(topic=f"admin-relationship-{kind}:{relationship.pk}").order_by("to"))


def kinds_sent(relationship: AdminRelationship) -> list[str]:
    return list(relationship.expiry_notices.order_by("created_at", "id").values_list("kind", flat=True))


def test_time_travel_walks_the_notices_and_the_expiry_exactly_once_each(transactional_db, world, smtp):
    agent = world.users["admin_agent"]
    contact = world.customer_in.contact_email
    relationship = active(world, name="Walk", days=90)
    end = relationship.ends_at
    run_worker(smtp)  # the request and the approval confirmations
    before = len(smtp.received())

    steps = [
        (end - 31 * DAY, None),
        (end - 29 * DAY, NoticeKind.DAYS_30),
        (end - 8 * DAY, None),
        (end - 6 * DAY, NoticeKind.DAYS_7),
        (end - 2 * DAY, None),
        (end - DAY / 2, NoticeKind.DAYS_1),
        (end - timedelta(seconds=1), None),
        (end, NoticeKind.EXPIRED),
        (end + DAY, None),
    ]
    sent: list[str] = []
    for now, kind in steps:
        expiry_sweep(now=now)
        expiry_sweep(now=now)  # every run twice: nothing more
        if kind is not None:
            sent.append(kind)
        assert kinds_sent(relationship) == sent, now
        for done in sent:
            assert sorted(m.to for m in notices(relationship, done)) == sorted([agent.email, contact])
    run_worker(smtp)
    run_worker(smtp)
    received = smtp.received()[before:]
    subjects = sorted(str(m["Subject"]) for m in received)
    assert subjects == sorted(
        [
            'Admin relationship "Walk" ends in 30 days',
            'Admin relationship "Walk" ends in 7 days',
            'Admin relationship "Walk" ends in 1 day',
            'Admin relationship "Walk" has expired',
        ]
        * 2
    ), "each notice delivered once to each side"
    partner_mail = [body_of(m) for m in smtp.received(to=agent.email)[-4:]]
    assert all(relationship.get_absolute_url() in body for body in partner_mail), "the partner gets the staff link"
    customer_mail = [body_of(m) for m in smtp.received(to=contact)[-4:]]
    assert all("/admin-relationships/" not in body for body in customer_mail)
    assert "can no longer manage your organisation's account" in customer_mail[-1]
    [entry] = ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_EXPIRE)
    assert entry.details["after"]["admin_relationship"] == relationship.pk and entry.actor is None
    assert entry.customer_id == world.customer_in.pk and entry.partner_id == world.partner_a.pk
    relationship.refresh_from_db()
    assert relationship.status_at(end) == Status.EXPIRED


def test_an_auto_extending_relationship_is_extended_once_and_its_notices_restart(world):
    relationship = active(world, name="Renewing", days=60, auto_extend=True)
    end = relationship.ends_at

    expiry_sweep(now=end - 29 * DAY)
    [partner_notice] = [m for m in notices(relationship, "30d") if m.to == world.users["admin_agent"].email]
    assert "extends in 30 days" in partner_notice.subject and "180 days" in partner_notice.body
    # Between the end and the run it still reads active (never "expired" and then back).
    assert relationship.status_at(end + timedelta(minutes=3)) == Status.ACTIVE
    assert AdminRelationship.objects.with_status(end + timedelta(minutes=3)).get().current_status == Status.ACTIVE

    expiry_sweep(now=end + timedelta(minutes=3))
    expiry_sweep(now=end + timedelta(minutes=3))
    relationship.refresh_from_db()
    assert relationship.ends_at == end + 180 * DAY
    [entry] = ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_EXTEND)
    assert entry.details["before"]["ends_at"] == end.isoformat()
    assert entry.details["after"]["ends_at"] == (end + 180 * DAY).isoformat()
    assert len(notices(relationship, "extended")) == 2, "both sides told once"
    assert not notices(relationship, "expired") and not ActivityEntry.objects.filter(
        action=Actions.ADMIN_RELATIONSHIP_EXPIRE
    )

    new_end = relationship.ends_at
    expiry_sweep(now=new_end - 29 * DAY)
    expiry_sweep(now=new_end - 29 * DAY)
    assert ExpiryNotice.objects.filter(relationship=relationship, kind="30d").count() == 2  # one per end date
    assert len(notices(relationship, "30d")) == 4
    expiry_sweep(now=new_end + DAY)
    relationship.refresh_from_db()
    assert relationship.ends_at == new_end + 180 * DAY
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_EXTEND).count() == 2


def test_a_relationship_entering_late_gets_only_the_most_imminent_notice(world):
    short = active(world, name="Five days", days=5)
    expiry_sweep(now=short.starts_at + timedelta(minutes=1))
    assert kinds_sent(short) == [], "approved inside the 7-day window: the approval stated the end"
    expiry_sweep(now=short.ends_at - DAY / 2)
    expiry_sweep(now=short.ends_at + timedelta(minutes=1))
    assert kinds_sent(short) == ["1d", "expired"]

    # A long one whose sweep did not run for weeks: only the notice of the window it is in now.
    long = active(world, name="Long", days=200)
    expiry_sweep(now=long.ends_at - 3 * DAY)
    assert kinds_sent(long) == ["7d"]


def test_terminated_declined_and_pending_relationships_get_nothing(world):
    agent = world.users["admin_agent"]
    terminated = active(world, name="Ended", days=40)
    admin_relationship_terminate(actor=agent, relationship=terminated, reason="No longer needed")
    declined = request_for(world.customer_in, agent, name="Declined", duration_days=40)
    admin_relationship_decline(token=token_of(declined))
    pending = request_for(world.customer_in, agent, name="Pending", duration_days=1)
    emails = OutboundEmail.objects.count()
    for offset in (-29 * DAY, -6 * DAY, -DAY / 2, DAY):
        expiry_sweep(now=terminated.ends_at + offset)
        expiry_sweep(now=timezone.now() + 40 * DAY + offset)
    assert not ExpiryNotice.objects.exists()
    assert OutboundEmail.objects.count() == emails
    assert pending.status == Status.APPROVAL_PENDING


def test_expired_long_ago_is_not_swept_again(world):
    relationship = active(world, name="Old", days=10)
    expiry_sweep(now=relationship.ends_at + 60 * DAY)
    assert kinds_sent(relationship) == [], "past the catch-up window the sweep no longer reads it"


def test_the_query_count_of_a_sweep_does_not_grow_with_the_relationships(world, django_assert_num_queries):
    def sweep_queries(count: int, first: int) -> int:
        made = [active(world, name=f"Q{first + n}", days=100) for n in range(count)]
        now = max(r.ends_at for r in made) - 29 * DAY
        with connection.execute_wrapper(counter := _Counter()):
            result = expiry_sweep(now=now)
        assert result.notices.get("30d", 0) == count
        return counter.count

    one = sweep_queries(1, 0)
    many = sweep_queries(12, 1)
    assert one == many, (one, many)
    assert BATCH_SIZE >= 12


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_every_notice_exactly_once(world):
    made = [active(world, name=f"Race {n}", days=40 + (n % 3)) for n in range(50)]
    latest = max(r.ends_at for r in made)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep(now):
        try:
            barrier.wait()
            expiry_sweep(now=now)
        except BaseException as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    for now in (latest - 29 * DAY, latest - 6 * DAY, latest + DAY):
        threads = [threading.Thread(target=sweep, args=(now,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    for relationship in made:
        assert sorted(kinds_sent(relationship)) == sorted(["30d", "7d", "expired"]), relationship.name
        for kind in ("30d", "7d", "expired"):
            assert len(notices(relationship, kind)) == 2
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_EXPIRE).count() == 50


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_extend_once(world):
    made = [active(world, name=f"Renew {n}", days=30, auto_extend=True) for n in range(20)]
    now = max(r.ends_at for r in made) + timedelta(minutes=1)
    barrier = threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            expiry_sweep(now=now)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for relationship in made:
        old_end = relationship.ends_at
        relationship.refresh_from_db()
        assert relationship.ends_at == old_end + 180 * DAY
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_EXTEND).count() == 20
    assert OutboundEmail.objects.filter(topic__startswith="admin-relationship-extended:").count() == 40


def test_the_scheduler_runs_the_sweep(world):
    relationship = active(world, name="Scheduled", days=40)
    outcomes = schedule_run_due(now=relationship.ends_at - 29 * DAY)
    assert "notices 30d=1" in outcomes["admin-relationship-expiry"]
    assert schedule_run_due(now=relationship.ends_at - 29 * DAY)["admin-relationship-expiry"] == "claimed-elsewhere"
    assert kinds_sent(relationship) == ["30d"]
