"""The durable email queue against a real SMTP server: delivery by the worker, retries with backoff, exactly once."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from partnerportal.infrastructure.emails import MAX_BACKOFF, backoff, email_enqueue, email_send
from partnerportal.models import OutboundEmail
from relationships.models import Invitation, Relationship
from relationships.services import invitation_create
from tests.locks import row_held
from tests.relationships.invite_helpers import acceptance_data
from tests.smtp import SMTPServer, acceptance_code_in, body_of, invitation_link_in, run_worker

RECIPIENT = "it.admin@fourthcoffee.example.net"


@pytest.fixture
def smtp_down():
    """A server that is not running yet: connections are refused until the test starts it."""
    server = SMTPServer()
    yield server
    server.stop()


def test_invitation_travels_through_a_real_smtp_server_and_its_link_makes_the_customer(
    transactional_db, world, client_for, smtp
):
    inviter = world.users["sales_agent"]
    client = client_for(inviter)
    response = client.post(reverse("relationships:invitation_create"), {"email": RECIPIENT, "message": "Dear IT team,"})
    assert response.status_code == 200
    assert not smtp.received(), "nothing is sent inside the request"

    run_worker(smtp)

    [message] = smtp.received(to=RECIPIENT)
    assert "Contoso Cloud" in message["Subject"]
    assert "Dear IT team," in body_of(message)
    link = invitation_link_in(message)
    assert link in response.content.decode(), "the page showed the same link to copy"
    path = urlsplit(link).path

    client.logout()  # the customer's administrator is not signed in to the portal
    before = list(Invitation.objects.values())
    page = client.get(path)
    assert page.status_code == 200
    assert "Contoso Cloud" in page.content.decode()
    assert list(Invitation.objects.values()) == before, "opening the link (a mail scanner's GET) changes nothing"
    assert client.get(path).status_code == 200, "and the link still works afterwards"

    data = acceptance_data(**{"profile-company_name": "Fourth Coffee Roasters Ltd"})
    refused = client.post(path, data)
    assert "Send me a code" in refused.content.decode(), "the link alone accepts nothing"
    assert not Customer.objects.filter(company_name="Fourth Coffee Roasters Ltd").exists()

    # The customer asks for a code; it travels through the SMTP server to the invited address only.
    sent = client.post(path, {"step": "send_code"})
    assert sent.status_code == 200
    assert "i***@fourthcoffee.example.net" in sent.content.decode()
    run_worker(smtp)
    [code_mail] = [m for m in smtp.received(to=RECIPIENT) if "code" in m["Subject"]]
    assert [m["To"] for m in smtp.received() if "code" in m["Subject"]] == [RECIPIENT]
    code = acceptance_code_in(code_mail)
    confirmed = client.post(path, {"step": "verify_code", "code": code})
    assert 'id="acceptance-form"' in confirmed.content.decode()

    accepted = client.post(path, data)
    assert accepted.status_code == 200
    assert "Invitation accepted" in accepted.content.decode()

    customer = Customer.objects.get(company_name="Fourth Coffee Roasters Ltd")
    assert customer.agreement_status == Customer.Agreement.ACCEPTED_BY_CUSTOMER
    relationship = Relationship.objects.get(customer=customer)
    assert (relationship.partner, relationship.source, relationship.dap) == (
        world.partner_a,
        Relationship.Source.INVITATION,
        False,  # new invitations carry no legacy DAP outside the US Government cloud
    )
    listing = client_for(inviter).get(reverse("customers:customer_list"))
    assert "Fourth Coffee Roasters Ltd" in listing.content.decode(), "the customer is in the inviter's list"

    run_worker(smtp)
    [notice] = smtp.received(to=inviter.email)
    assert "Fourth Coffee Roasters Ltd" in notice["Subject"]
    assert len(smtp.received(to=RECIPIENT)) == 2, "the invitation and the code, each once"


def _deliver_when_back(server: SMTPServer, message: OutboundEmail, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_worker(server)
        message.refresh_from_db()
        if message.status == OutboundEmail.Status.SENT:
            return
        time.sleep(0.1)
    raise AssertionError(f"message not delivered: {message.status} {message.last_error}")


def test_a_failed_send_is_kept_retried_and_delivered_exactly_once_when_the_server_is_back(
    transactional_db, world, client_for, smtp_down
):
    invitation, _token = invitation_create(
        actor=world.users["global_admin"], email=RECIPIENT, message="Hello", dap=True
    )
    message = OutboundEmail.objects.get(topic=f"invitation:{invitation.pk}")

    run_worker(smtp_down)  # nothing listens on the port

    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.FAILED
    assert message.attempts >= 1
    assert "Connection refused" in message.last_error or "Errno" in message.last_error
    listing = client_for(world.users["global_admin"]).get(reverse("relationships:invitation_list"))
    assert "Failed after" in listing.content.decode(), "staff see the failed delivery on the invitations list"

    smtp_down.start()
    _deliver_when_back(smtp_down, message)

    assert message.sent_at is not None
    assert message.last_error == ""
    for _ in range(3):  # any retry still queued finds the message sent and does nothing
        time.sleep(0.25)
        run_worker(smtp_down)
    assert len(smtp_down.received(to=RECIPIENT)) == 1, "delivered exactly once"
    listing = client_for(world.users["global_admin"]).get(reverse("relationships:invitation_list"))
    assert "Failed after" not in listing.content.decode()


def test_a_message_is_sent_once_even_when_its_task_runs_twice(db, mailoutbox):
    message = email_enqueue(to="someone@example.net", subject="Hi", body="Body")

    assert email_send.call(message.pk) == "sent"
    assert email_send.call(message.pk) == "already-sent"

    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundEmail.Status.SENT, 1)


def test_a_rolled_back_change_sends_nothing(transactional_db, world, smtp):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        invitation_create(actor=world.users["global_admin"], email=RECIPIENT, message="Hello", dap=True)
        raise RuntimeError("the request failed after queuing the email")

    run_worker(smtp)
    assert not smtp.received()
    assert not OutboundEmail.objects.exists()


@override_settings(PORTAL_EMAIL_RETRY_SECONDS=5)
def test_backoff_doubles_from_the_setting_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(seconds=s) for s in (5, 10, 20, 40)]
    assert backoff(50) == MAX_BACKOFF
    assert backoff(10_000) == MAX_BACKOFF


def test_an_email_whose_worker_died_mid_send_is_queued_again_and_delivered_once(transactional_db, world, smtp):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from partnerportal.infrastructure.emails import email_requeue_stranded

    invitation, _token = invitation_create(
        actor=world.users["global_admin"], email=RECIPIENT, message="Hello", dap=True
    )
    message = OutboundEmail.objects.get(topic=f"invitation:{invitation.pk}")
    assert email_requeue_stranded() == 0, "its task is still waiting: nothing to do"
    # A worker claimed the task an hour ago and was killed before it finished.
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1))
    run_worker(smtp)
    assert not smtp.received(), "the lost task is never picked up again by itself"

    assert email_requeue_stranded() == 1
    assert email_requeue_stranded() == 0, "queued once"
    run_worker(smtp)

    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.SENT
    assert len(smtp.received(to=RECIPIENT)) == 1


def test_a_message_whose_worker_was_just_killed_is_queued_again_but_not_one_being_sent(transactional_db, world, smtp):
    """A worker killed mid-send a moment ago: its task still says "running", but the row lock it held went with its
    connection, so the restart's requeue finds the message at once. A row some worker holds is being sent: left."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from partnerportal.infrastructure.emails import email_requeue_stranded

    invitation, _token = invitation_create(
        actor=world.users["global_admin"], email=RECIPIENT, message="Hello", dap=True
    )
    message = OutboundEmail.objects.get(topic=f"invitation:{invitation.pk}")
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    with row_held(OutboundEmail, message.pk):  # a live worker in the middle of the send
        assert email_requeue_stranded() == 0, "a worker holds the row: it is being sent"
    assert email_requeue_stranded() == 1, "running, and nobody holds the row: its worker died"
    run_worker(smtp)
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.SENT
    assert len(smtp.received(to=RECIPIENT)) == 1
