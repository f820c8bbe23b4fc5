"""Every kind of one-time link works once under concurrency: 20 threads, each with its own database connection,
submit the same link at the same moment against the real PostgreSQL server, and exactly one succeeds."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships.models import AdminRelationship
from customers.models import Customer
from partnerportal.models import OutboundEmail, Partner, SetPasswordToken, User
from partnerportal.staff import services as staff_services
from relationships.models import Invitation, Partnership, Relationship
from relationships.services import invitation_create, relationship_end
from relationships.services.partnerships import partnership_request
from tests.adminrelationships.helpers import request_for, token_of
from tests.factories import make_customer, make_partner, make_user
from tests.relationships.invite_helpers import accept_url, acceptance_data, verify_mailbox

THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True)


def race(submit: Callable[[int], object], *, prepare: Callable[[int], object] | None = None) -> list:
    """Run `submit(i)` in THREADS threads released together by a barrier; their results, in any order.

    `prepare(i)` runs in the thread before the barrier (a sign-in, opening a link) and its result goes to `submit`.
    Each thread closes its own database connection at the end.
    """
    barrier = threading.Barrier(THREADS)
    results: list = []
    errors: list = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            state = prepare(i) if prepare else i
            barrier.wait()
            outcome = submit(state)
            with lock:
                results.append(outcome)
        except Exception as exc:  # noqa: BLE001 -- reported by the assertion below, with the thread's error
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(results) == THREADS
    return results


def test_a_set_password_link_sets_one_password_of_twenty_concurrent_submits(db):
    partner = make_partner()
    user = make_user(partner, "helpdesk_agent")
    token = staff_services.set_password_token_issue(user=user, purpose=SetPasswordToken.Purpose.RESET)
    url = reverse("staff:set_password", args=[token])

    def submit(i: int) -> tuple[int, str]:
        password = f"Plum-Orchard-Lantern-{i:02d}"
        response = Client().post(url, {"new_password1": password, "new_password2": password})
        return response.status_code, password

    results = race(submit)
    winners = [password for status, password in results if status == 302]
    assert len(winners) == 1, sorted(status for status, _ in results)
    assert sorted(status for status, _ in results) == [200] * (THREADS - 1) + [302]
    user.refresh_from_db()
    assert user.check_password(winners[0])
    assert ActivityEntry.objects.filter(action=Actions.STAFF_PASSWORD_SET).count() == 1
    assert SetPasswordToken.objects.get(user=user).used_at is not None


def test_a_set_password_link_of_a_deactivated_user_sets_nothing(db):
    partner = make_partner()
    user = make_user(partner, "helpdesk_agent")
    token = staff_services.set_password_token_issue(user=user, purpose=SetPasswordToken.Purpose.RESET)
    # Deactivated behind the services' back, so only the consuming service stands between the link and the password.
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(Exception, match="invalid"):
        staff_services.set_password_token_use(token=token, password="Plum-Orchard-Lantern-99")
    user.refresh_from_db()
    assert user.check_password("Plum-Orchard-Lantern-99") is False
    assert SetPasswordToken.objects.get(user=user).used_at is None, "the refusal rolled the consumption back"


def test_a_password_reset_link_sets_one_password_of_twenty_concurrent_submits(db):
    partner = make_partner()
    user = make_user(partner, "sales_agent")
    url = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )

    def prepare(i: int) -> tuple[int, Client, str]:
        client = Client()
        opened = client.get(url)
        assert opened.status_code == 302, "the link is valid when opened"
        return i, client, opened["Location"]

    def submit(state) -> tuple[int, str]:
        i, client, form_url = state
        password = f"Quartz-Meadow-Harbor-{i:02d}"
        response = client.post(form_url, {"new_password1": password, "new_password2": password})
        return response.status_code, password

    results = race(submit, prepare=prepare)
    winners = [password for status, password in results if status == 302]
    assert len(winners) == 1, sorted(status for status, _ in results)
    assert sorted(status for status, _ in results) == [200] * (THREADS - 1) + [302]
    user.refresh_from_db()
    assert user.check_password(winners[0])
    # The link is used up: opening it again says so.
    again = Client().get(url)
    assert again.status_code == 200 and again.context["validlink"] is False


def _invitation_race(token: str) -> list[tuple[int, str]]:
    url = accept_url(token)
    # Each session confirms the invited address before the race (the acceptance needs it).
    clients = []
    for _i in range(THREADS):
        clients.append(Client())
        verify_mailbox(clients[-1], token)

    def submit(client: Client) -> tuple[int, str]:
        response = client.post(url, acceptance_data(profile=False))
        return response.status_code, response.content.decode()

    with override_settings(PORTAL_INVITE_RATE_LIMIT_TOKEN=(100, 600)):
        return race(submit, prepare=lambda i: clients[i])


def test_an_invitation_link_for_a_known_customer_is_accepted_once_of_twenty(world):
    customer = make_customer(world.partner_a, actor=world.users["global_admin"])
    Relationship.objects.filter(customer=customer).delete()
    _invitation, token = invitation_create(
        actor=world.users["global_admin"],
        email="it.admin@fourthcoffee.example.net",
        message="Please accept.",
        dap=True,
        customer=customer,
    )
    results = _invitation_race(token)
    assert sorted(status for status, _ in results) == [200] + [410] * (THREADS - 1)
    assert sum("This invitation has already been used" in body for _, body in results) == THREADS - 1
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_ACCEPT).count() == 1


def test_a_restore_link_is_accepted_once_of_twenty(world):
    customer = make_customer(world.partner_a, actor=world.users["global_admin"])
    ended = relationship_end(actor=world.users["global_admin"], customer=customer, reason="other", details="Over")
    _invitation, token = invitation_create(
        actor=world.users["global_admin"],
        email="a@restore.example.net",
        message="Come back.",
        dap=True,
        customer=customer,
        purpose=Invitation.Purpose.RESTORE,
        restores=ended,
    )
    results = _invitation_race(token)
    assert sorted(status for status, _ in results) == [200] + [410] * (THREADS - 1)
    assert Relationship.objects.filter(customer=customer, status=Relationship.Status.ACTIVE).count() == 1
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_ACCEPT).count() == 1
    assert Customer.objects.get(pk=customer.pk).agreement_status == Customer.Agreement.ACCEPTED_BY_CUSTOMER


def test_a_partnership_link_is_authorized_once_of_twenty(db):
    provider = make_partner(name="Fabrikam Distribution", type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(name="Northwind Traders", type=Partner.Type.INDIRECT_RESELLER)
    inviter = make_user(provider, "global_admin")
    admin = make_user(reseller, "global_admin")
    _partnership, token = partnership_request(actor=inviter, email="admin@northwind.example", message="Hi")
    url = reverse("relationships:partnership_authorize", kwargs={"token": token})

    def prepare(i: int) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(admin)
        return client

    results = race(lambda client: client.post(url, {"confirm": "on"}).status_code, prepare=prepare)
    assert sorted(results) == [200] * (THREADS - 1) + [302], sorted(results)
    assert Partnership.objects.filter(provider=provider, status=Partnership.Status.ACTIVE).count() == 1
    assert ActivityEntry.objects.filter(action=Actions.PARTNERSHIP_AUTHORIZE).count() == 2


def test_an_admin_relationship_approval_link_approves_once_of_twenty_concurrent_submits(db):
    partner = make_partner()
    agent = make_user(partner, "admin_agent")
    relationship = request_for(make_customer(partner, actor=agent), agent)
    url = reverse("adminrelationships:adminrelationship_approve", kwargs={"token": token_of(relationship)})

    def submit(i: int) -> tuple[int, str]:
        name = f"Approver {i:02d}"
        response = Client().post(url, {"decision": "approve", "name": name, "confirm": "on"})
        return response.status_code, name

    results = race(submit)
    winners = [name for status, name in results if status == 200]
    assert len(winners) == 1, sorted(status for status, _ in results)
    assert {status for status, _ in results} <= {200, 409, 410}
    relationship.refresh_from_db()
    assert relationship.status == AdminRelationship.objects.with_status().get(pk=relationship.pk).current_status
    assert relationship.status == "active" and relationship.approved_name == winners[0]
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_APPROVE).count() == 1
    assert OutboundEmail.objects.filter(topic=f"admin-relationship-approved:{relationship.pk}").count() == 2


def test_an_approval_racing_a_decline_leaves_exactly_one_outcome(db):
    partner = make_partner()
    agent = make_user(partner, "admin_agent")
    relationship = request_for(make_customer(partner, actor=agent), agent)
    url = reverse("adminrelationships:adminrelationship_approve", kwargs={"token": token_of(relationship)})

    def submit(i: int) -> int:
        data = {"decision": "approve", "name": "Ana Kim", "confirm": "on"} if i % 2 else {"decision": "decline"}
        return Client().post(url, data).status_code

    results = race(submit)
    assert results.count(200) == 1, sorted(results)
    relationship.refresh_from_db()
    assert (relationship.approved_at is None) != (relationship.declined_at is None)
    answered = ActivityEntry.objects.filter(
        action__in=[Actions.ADMIN_RELATIONSHIP_APPROVE, Actions.ADMIN_RELATIONSHIP_DECLINE]
    )
    assert answered.count() == 1
