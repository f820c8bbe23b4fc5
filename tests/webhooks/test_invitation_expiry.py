"""`invitation.expired`: the scheduled sweep announces each expiry of a pending invitation exactly once, to the
partners subscribed to it, and never an accepted or revoked invitation's."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks import Webhook

from api.webhook_payloads import InvitationSerializer
from partnerportal.infrastructure.schedule import schedule_run_due
from partnerportal.webhooks.models import EventType, WebhookDelivery
from partnerportal.webhooks.services import webhook_endpoint_create
from relationships.models import Invitation
from relationships.services import invitation_accept, invitation_resend, invitation_revoke
from relationships.services.expiry import invitation_expiry_sweep
from tests.conftest import build_world
from tests.factories import make_partner, make_user
from tests.relationships.invite_helpers import invite, verified_code
from tests.webhook_receiver import Receiver, run_worker

EXPIRED = EventType.INVITATION_EXPIRED.value


def _subscribe(admin, url: str = "http://127.0.0.1:9/hooks", *types: str):
    return webhook_endpoint_create(actor=admin, url=url, event_types=list(types or [EXPIRED]))


def _expire(invitation: Invitation, ago: timedelta = timedelta(minutes=1)) -> None:
    """The invitation's expiry passes (a minute ago, by default)."""
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - ago)


def _announced(invitation: Invitation) -> list[dict]:
    rows = WebhookDelivery.objects.filter(event_type=EXPIRED).order_by("id")
    return [json.loads(d.body)["data"] for d in rows if json.loads(d.body)["data"]["id"] == invitation.pk]


def test_a_pending_invitation_past_its_expiry_is_announced_once_as_the_api_shows_it(world):
    _subscribe(world.users["global_admin"])
    invitation, _token = invite(world)
    not_yet, _token = invite(world, email="later@fourthcoffee.example.net")
    _expire(invitation)

    first = invitation_expiry_sweep()
    second = invitation_expiry_sweep()  # the next period (or a second node) finds nothing left to announce

    assert (first.announced, first.events, second.announced, second.events) == (1, 1, 0, 0)
    [data] = _announced(invitation)
    fresh = Invitation.objects.get(pk=invitation.pk)
    assert data == InvitationSerializer(fresh).data
    assert data["status"] == "expired", "the payload reads the invitation as every page does"
    assert fresh.status == Invitation.Status.PENDING, "nothing flips the status: it reads expired from the dates"
    assert fresh.expiry_announced_at is not None
    assert not _announced(not_yet)


def test_accepted_and_revoked_invitations_never_emit_it(world):
    _subscribe(world.users["global_admin"])
    accepted, token = invite(world, customer=world.customer_in)
    invitation_accept(
        token=token,
        name="Dana Lee",
        confirm_global_admin=True,
        accept_agreement=True,
        verified_code_id=verified_code(accepted).pk,
    )
    revoked, _token = invite(world, email="revoked@fourthcoffee.example.net")
    invitation_revoke(actor=world.users["global_admin"], invitation=revoked)
    # Their expiry dates pass afterwards: they were settled before, so nothing expires.
    _expire(accepted)
    _expire(revoked)

    result = invitation_expiry_sweep()

    assert (result.announced, result.events) == (0, 0)
    assert not WebhookDelivery.objects.filter(event_type=EXPIRED).exists()
    assert Invitation.objects.filter(expiry_announced_at__isnull=False).count() == 0


def test_a_resent_invitation_is_announced_again_when_its_new_expiry_passes(world):
    _subscribe(world.users["global_admin"])
    invitation, _token = invite(world)
    _expire(invitation)
    invitation_expiry_sweep()
    invitation_resend(actor=world.users["global_admin"], invitation=Invitation.objects.get(pk=invitation.pk))
    assert invitation_expiry_sweep().announced == 0, "the fresh expiry has not passed"
    _expire(invitation, ago=timedelta(0))  # the new expiry passes (after the first announcement, as it must)

    assert invitation_expiry_sweep().announced == 1
    assert invitation_expiry_sweep().announced == 0
    assert len(_announced(invitation)) == 2


def test_partners_without_a_subscribed_endpoint_cost_the_sweep_nothing_per_invitation(world):
    # Partner A listens to another event only; partner B has no endpoint at all.
    _subscribe(world.users["global_admin"], "http://127.0.0.1:9/hooks", EventType.CUSTOMER_UPDATED.value)

    def queries_for(count: int) -> int:
        for n in range(count):
            invitation, _token = invite(world, email=f"unheard{count}-{n}@fourthcoffee.example.net")
            _expire(invitation)
            other, _token = invite(world, actor=world.user_b, email=f"b{count}-{n}@fourthcoffee.example.net")
            _expire(other)
        with CaptureQueriesContext(connection) as queries:
            assert invitation_expiry_sweep().announced == 2 * count
        return len(queries)

    assert queries_for(1) == queries_for(20)
    assert not WebhookDelivery.objects.exists()

    # A subscribed partner pays for its own invitations only.
    _subscribe(world.users["global_admin"])
    invitation, _token = invite(world, email="heard@fourthcoffee.example.net")
    _expire(invitation)
    assert invitation_expiry_sweep().events == 1


def test_the_scheduler_runs_the_sweep_every_few_minutes(world):
    _subscribe(world.users["global_admin"])
    invitation, _token = invite(world)
    _expire(invitation)
    now = timezone.now()

    assert schedule_run_due(now=now)["invitation-expiry"] == "announced 1, events 1"
    assert schedule_run_due(now=now)["invitation-expiry"] == "claimed-elsewhere"
    assert len(_announced(invitation)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_emit_one_event_each_and_a_real_receiver_gets_one_signed_delivery():
    w = build_world(unique=True)
    receiver = Receiver().start()
    try:
        endpoint = _subscribe(w.users["global_admin"], receiver.url)
        other_partner = make_partner()
        _subscribe(make_user(other_partner, "global_admin"), receiver.url + "/other")
        invitations = [invite(w, email=f"race{n}@fourthcoffee.example.net")[0] for n in range(3)]
        for invitation in invitations:
            _expire(invitation)
        start = threading.Barrier(2)
        results = []

        def sweep() -> None:
            try:
                start.wait()
                results.append(invitation_expiry_sweep())
            finally:
                connection.close()

        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run_worker()
        requests = receiver.received()
    finally:
        receiver.stop()

    assert sum(r.announced for r in results) == 3 and sum(r.events for r in results) == 3
    assert WebhookDelivery.objects.filter(event_type=EXPIRED).count() == 3
    assert len(requests) == 3, "one delivery per invitation, none to the partner the invitations are not of"
    assert {r.path for r in requests} == {"/hooks"}
    ids = set()
    for request in requests:
        message = Webhook(endpoint.secret).verify(request.body, request.headers)
        assert message["type"] == EXPIRED and message["data"]["status"] == "expired"
        ids.add(message["data"]["id"])
    assert ids == {i.pk for i in invitations}
