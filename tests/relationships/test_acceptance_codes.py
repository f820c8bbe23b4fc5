"""Acceptance bound to the invited mailbox: whoever accepts first confirms a code emailed to the invited address.

A staff member holding the link (it is shown when sent) cannot accept; a code is a keyed hash, works 15 minutes,
5 tries and once, a newer one replaces it, sending is rate limited, the outbox forgets it once delivered, and the
log names the inviter and the verified acceptor.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from activity.actions import Actions
from activity.labels import detail_rows
from activity.models import ActivityEntry
from customers.models import Customer
from partnerportal.models import OutboundEmail
from relationships.models import AcceptanceCode, Invitation, Relationship
from relationships.services import relationship_end
from relationships.services.acceptance_codes import (
    CodeRefused,
    acceptance_code_hash,
    acceptance_code_verify,
    masked_address,
)
from tests.factories import KNOWN_CODE, make_acceptance_code, make_customer
from tests.relationships.invite_helpers import INVITED, accept_url, acceptance_data, invite, verify_mailbox
from tests.smtp import SMTPServer, acceptance_code_in, run_worker

WRONG = "135790"


def _state():
    """Everything the acceptance page could change."""
    return (
        list(Invitation.objects.order_by("pk").values()),
        list(AcceptanceCode.objects.order_by("pk").values()),
        list(Customer.objects.order_by("pk").values_list("pk", "agreement_status")),
        list(Relationship.objects.order_by("pk").values_list("pk", "status", "dap")),
        ActivityEntry.objects.count(),
        OutboundEmail.objects.count(),
    )


def _code_errors(response) -> str:
    return " ".join(response.context["code_form"].errors.get("code", []))


def _try(client, token, code):
    return client.post(accept_url(token), {"step": "verify_code", "code": code})


@pytest.mark.parametrize("signed_in", [True, False], ids=["inviter signed in", "not signed in"])
def test_a_staff_member_holding_the_link_cannot_accept_without_the_code(world, client_for, signed_in):
    """The inviter saw the link on the "sent" page; with it alone, signed in or not, nothing is accepted."""
    inviter = world.users["global_admin"]
    invitation, token = invite(world)
    client = client_for(inviter) if signed_in else Client()
    before = _state()

    # The old form, with a name and an address of the staff member's choice.
    response = client.post(accept_url(token), acceptance_data(email=inviter.email))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirm the invited address with a code before you accept." in page
    assert "Send me a code" in page and 'id="acceptance-form"' not in page
    assert _state() == before, "nothing is validated or written"

    # Asking for a code mails it to the invited address, never to the one holding the link.
    assert client.post(accept_url(token), {"step": "send_code"}).status_code == 200
    [message] = OutboundEmail.objects.filter(topic=f"acceptance-code:{invitation.pk}")
    assert message.to == INVITED
    assert message.secret not in message.body, "the stored body holds no code"
    guess = "111111" if message.secret != "111111" else "222222"
    assert "not right" in _code_errors(_try(client, token, guess))
    refused = client.post(accept_url(token), acceptance_data())
    assert 'id="acceptance-form"' not in refused.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert not Relationship.objects.filter(source=Relationship.Source.INVITATION).exists()


def test_a_restore_invitation_goes_through_the_same_step(world, client):
    customer = make_customer(world.partner_a, actor=world.users["global_admin"])
    ended = relationship_end(actor=world.users["global_admin"], customer=customer, reason="other", details="Over")
    _invitation, token = invite(
        world, customer=customer, purpose=Invitation.Purpose.RESTORE, restores=ended, email="a@restore.example.net"
    )
    before = _state()

    response = client.post(accept_url(token), acceptance_data(profile=False))

    assert "Send me a code" in response.content.decode()
    assert _state() == before
    ended.refresh_from_db()
    assert ended.status == Relationship.Status.ENDED


def test_the_page_masks_the_invited_address():
    assert masked_address("jane.doe@contoso.com") == "j***@contoso.com"
    assert masked_address("x@a.example") == "x***@a.example"


def test_wrong_code_five_times_then_the_right_one_is_refused(world, client):
    invitation, token = invite(world)
    code = make_acceptance_code(invitation)

    for n in range(1, 6):
        response = _try(client, token, WRONG)
        assert response.status_code == 200
        code.refresh_from_db()
        assert code.tries == n
        expected = f"{5 - n} tries left" if n < 5 else "Too many wrong tries"
        assert expected in _code_errors(response)
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_CODE_WRONG).count() == 5
    before = _state()

    response = _try(client, token, KNOWN_CODE)

    assert "Too many wrong tries for this code" in _code_errors(response)
    assert _state() == before, "a sixth try changes nothing"
    assert 'id="acceptance-form"' not in client.get(accept_url(token)).content.decode()


def test_an_expired_code_is_refused_and_changes_nothing(world, client):
    invitation, token = invite(world)
    code = make_acceptance_code(invitation)
    assert code.expires_at - code.created_at == timedelta(minutes=15)
    AcceptanceCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = _state()

    response = _try(client, token, KNOWN_CODE)

    assert "This code has expired" in _code_errors(response)
    assert _state() == before


def test_a_code_confirms_one_session_once(world, client):
    invitation, token = invite(world)
    verify_mailbox(client, token)
    other = Client()
    before = _state()

    response = _try(other, token, KNOWN_CODE)

    assert "This code was already used" in _code_errors(response)
    assert _state() == before
    again = other.post(accept_url(token), acceptance_data())
    assert 'id="acceptance-form"' not in again.content.decode(), "the other session is not confirmed"
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


def test_a_new_code_replaces_the_old_one(world, client):
    invitation, token = invite(world)
    assert client.post(accept_url(token), {"step": "send_code"}).status_code == 200
    first = OutboundEmail.objects.get(topic=f"acceptance-code:{invitation.pk}")
    old_code = first.secret
    assert client.post(accept_url(token), {"step": "send_code"}).status_code == 200

    [pending] = OutboundEmail.objects.filter(topic=f"acceptance-code:{invitation.pk}")
    assert pending.pk != first.pk, "the old code's unsent email is withdrawn"
    new_code = pending.secret
    old_row, new_row = AcceptanceCode.objects.filter(invitation=invitation).order_by("created_at", "id")
    assert old_row.replaced_at is not None and new_row.replaced_at is None
    if old_code != new_code:  # one chance in a million that both draws are equal
        assert "not right" in _code_errors(_try(client, token, old_code))
    with pytest.raises(CodeRefused, match="newer code"):
        # Straight at the old row, as a try racing the replacement would be: its conditional UPDATE refuses it.
        AcceptanceCode.objects.filter(pk=new_row.pk).delete()
        acceptance_code_verify(invitation=invitation, code=old_code)


def test_the_new_code_works_after_a_replacement(world, client):
    invitation, token = invite(world)
    make_acceptance_code(invitation, "111111")
    make_acceptance_code(invitation, "222222")
    assert "not right" in _code_errors(_try(client, token, "111111"))
    verify_mailbox(client, token, code="333333")
    assert 'id="acceptance-form"' in client.get(accept_url(token)).content.decode()


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 34 5", "１２３４５６", "12\x0034"])
def test_a_malformed_code_is_refused_without_using_a_try(world, client, code):
    invitation, token = invite(world)
    row = make_acceptance_code(invitation)
    before = _state()

    response = _try(client, token, code)

    assert response.status_code == 200
    assert _code_errors(response), "an error next to the field"
    if "\x00" not in code:  # NUL is refused by Django's own field validator, with its own message
        assert "6-digit code" in _code_errors(response)
    assert _state() == before
    row.refresh_from_db()
    assert row.tries == 0


def test_spaces_in_a_copied_code_are_ignored(world, client):
    invitation, token = invite(world)
    make_acceptance_code(invitation)
    response = _try(client, token, f" {KNOWN_CODE[:3]} {KNOWN_CODE[3:]} ")
    assert 'id="acceptance-form"' in response.content.decode()


def test_sending_codes_is_rate_limited_per_invitation(world, client):
    _invitation, token = invite(world)
    for _n in range(5):
        assert client.post(accept_url(token), {"step": "send_code"}).status_code == 200
    before = _state()

    refused = client.post(accept_url(token), {"step": "send_code"}, REMOTE_ADDR="198.51.100.7")

    assert refused.status_code == 429, "per invitation, from any address"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many codes were asked for this invitation" in refused.content.decode()
    assert _state() == before, "no code, no email"


@override_settings(PORTAL_ACCEPTANCE_CODE_RATE_LIMIT_ADDRESS=(3, 3600))
def test_sending_codes_is_rate_limited_per_client_address(world, client):
    tokens = [invite(world, email=f"admin{n}@customer{n}.example.net")[1] for n in range(4)]
    for token in tokens[:3]:
        assert client.post(accept_url(token), {"step": "send_code"}, REMOTE_ADDR="203.0.113.5").status_code == 200

    refused = client.post(accept_url(tokens[3]), {"step": "send_code"}, REMOTE_ADDR="203.0.113.5")
    other = client.post(accept_url(tokens[3]), {"step": "send_code"}, REMOTE_ADDR="203.0.113.6")

    assert refused.status_code == 429 and refused["Retry-After"]
    assert other.status_code == 200


def test_an_invitation_allows_twenty_five_tries_over_all_its_codes(world, client):
    """Asking for code after code does not buy guesses without end: after 25 tries no new code is sent."""
    invitation, token = invite(world)
    for _n in range(5):
        code = make_acceptance_code(invitation)
        AcceptanceCode.objects.filter(pk=code.pk).update(tries=5)
    before = _state()

    response = client.post(accept_url(token), {"step": "send_code"})

    assert response.status_code == 200
    assert "Too many wrong codes were entered for this invitation" in response.content.decode()
    assert "Ask Contoso Cloud to send you a new invitation" in response.content.decode()
    assert _state() == before


def test_the_code_is_stored_only_as_a_keyed_hash(world):
    invitation, _token = invite(world)
    other, _other_token = invite(world, email="someone@else.example.net")
    row = make_acceptance_code(invitation)

    stored = AcceptanceCode.objects.filter(pk=row.pk).values_list(named=True).get()
    assert KNOWN_CODE not in repr(stored)
    assert row.code_hash != hashlib.sha256(KNOWN_CODE.encode()).hexdigest()
    assert row.code_hash == acceptance_code_hash(invitation_id=invitation.pk, code=KNOWN_CODE)
    assert row.code_hash != acceptance_code_hash(invitation_id=other.pk, code=KNOWN_CODE), "bound to the invitation"
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only"):
        assert row.code_hash != acceptance_code_hash(invitation_id=invitation.pk, code=KNOWN_CODE), "keyed"


def test_the_confirmation_lasts_thirty_minutes(world, client):
    _invitation, token = invite(world)
    code = verify_mailbox(client, token)
    AcceptanceCode.objects.filter(pk=code.pk).update(verified_at=timezone.now() - timedelta(minutes=31))
    before = _state()

    response = client.post(accept_url(token), acceptance_data())

    assert "Confirm the invited address with a code before you accept." in response.content.decode()
    assert _state() == before


def test_a_confirmation_is_for_its_own_invitation_only(world, client):
    _first, first_token = invite(world)
    _second, second_token = invite(world, email="admin@second.example.net")
    verify_mailbox(client, first_token)
    before = _state()

    response = client.post(accept_url(second_token), acceptance_data())

    assert "Send me a code" in response.content.decode()
    assert _state() == before


def test_the_log_names_the_inviter_and_the_verified_acceptor(world, client):
    inviter = world.users["sales_agent"]
    invitation, token = invite(world, actor=inviter)
    assert client.post(accept_url(token), {"step": "send_code"}).status_code == 200
    code = verify_mailbox(client, token)

    response = client.post(accept_url(token), acceptance_data(name="Dana Lee"))

    assert "Invitation accepted" in response.content.decode()
    entry = ActivityEntry.objects.get(action=Actions.INVITATION_ACCEPT)
    after = entry.details["after"]
    assert entry.actor_id is None, "the customer's act, not a staff user's"
    assert after["invited_by"] == inviter.email
    assert (after["accepted_by"], after["accepted_email"]) == ("Dana Lee", INVITED)
    assert after["verified_by"] == "emailed_code"
    assert after["verified_at"] == code.verified_at.isoformat()
    rows = {label: value for label, _before, value in detail_rows(entry.action, entry.details)}
    assert rows["Invited by"] == inviter.email
    assert rows["Address confirmed by"] == "a code emailed to the invited address"
    assert rows["Accepted by"] == "Dana Lee"
    invitation.refresh_from_db()
    assert invitation.accepted_email == INVITED
    sent = ActivityEntry.objects.filter(action=Actions.INVITATION_CODE_SEND).get()
    assert sent.details["after"]["email"] == INVITED and sent.partner_id == world.partner_a.pk
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_CODE_VERIFY).count() == 1


@pytest.mark.django_db(transaction=True)
def test_after_delivery_the_outbox_keeps_no_code(world):
    smtp = SMTPServer().start()
    try:
        invitation, token = invite(world)
        client = Client()
        assert client.post(accept_url(token), {"step": "send_code"}).status_code == 200
        message = OutboundEmail.objects.get(topic=f"acceptance-code:{invitation.pk}")
        code = message.secret
        assert code and code not in message.body and OutboundEmail.SECRET_MARKER in message.body

        run_worker(smtp)

        [mail] = [m for m in smtp.received(to=INVITED) if "code" in m["Subject"]]
        assert acceptance_code_in(mail) == code, "the delivered email carries the code"
        message.refresh_from_db()
        assert message.status == OutboundEmail.Status.SENT
        assert code not in (message.secret + message.body + message.subject)
        assert 'id="acceptance-form"' in _try(client, token, code).content.decode(), "the emailed code works"
    finally:
        smtp.stop()


@pytest.mark.django_db(transaction=True)
@override_settings(PORTAL_INVITE_RATE_LIMIT_TOKEN=(100, 600))
def test_twenty_threads_verifying_and_accepting_make_exactly_one_relationship(world):
    """Twenty browsers enter the right code at once and then accept: the code confirms one of them only, so exactly
    one acceptance happens, and nobody gets an error page."""
    invitation, token = invite(world)
    make_acceptance_code(invitation)
    url = accept_url(token)
    barrier = threading.Barrier(20)
    results: list = []
    errors: list = []
    lock = threading.Lock()

    def verify_and_accept():
        try:
            client = Client()
            barrier.wait()
            verified = client.post(url, {"step": "verify_code", "code": KNOWN_CODE})
            accepted = client.post(url, acceptance_data())
            with lock:
                results.append((verified.status_code, accepted.status_code, accepted.content.decode()))
        except Exception as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=verify_and_accept) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert len(results) == 20
    assert all(verified == 200 and accepted in (200, 410) for verified, accepted, _body in results), results
    assert sum("Invitation accepted" in body for _v, _a, body in results) == 1
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_CODE_VERIFY).count() == 1
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_ACCEPT).count() == 1
    new_customers = Customer.objects.exclude(pk__in=[world.customer_in.pk, world.customer_out.pk])
    assert new_customers.count() == 1
    assert Relationship.objects.filter(customer__in=new_customers).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_guesses_cannot_share_the_last_tries(world):
    """Ten wrong guesses at once on a code with two tries left: exactly two count, the others are refused."""
    invitation, _token = invite(world)
    code = make_acceptance_code(invitation)
    AcceptanceCode.objects.filter(pk=code.pk).update(tries=3)
    barrier = threading.Barrier(10)
    messages: list = []
    lock = threading.Lock()

    def guess():
        try:
            barrier.wait()
            try:
                acceptance_code_verify(invitation=invitation, code=WRONG)
            except CodeRefused as exc:
                with lock:
                    messages.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    code.refresh_from_db()
    assert code.tries == 5
    assert len(messages) == 10
    assert sum("not right" in m for m in messages) == 1, messages  # the 4th try; the 5th says no tries are left
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_CODE_WRONG).count() == 2
