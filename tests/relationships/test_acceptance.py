"""The public acceptance page: reading a link changes nothing, accepting works once, bad input changes nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from activity.actions import Actions
from activity.models import ActivityEntry
from customers.forms import CustomerForm
from customers.models import Customer, CustomerTag, Tag
from partnerportal.models import OutboundEmail, Partner
from relationships.models import Invitation, Partnership, Relationship
from relationships.services import invitation_create, invitation_revoke, relationship_end
from relationships.services.acceptance import invitation_accept
from tests.factories import make_customer, make_partner, make_user
from tests.relationships.invite_helpers import (
    accept_url,
    acceptance_data,
    invite,
    profile_data,
    verified_code,
    verify_mailbox,
)


def _state():
    """Everything acceptance could change."""
    return (
        list(Invitation.objects.order_by("pk").values()),
        list(Customer.objects.order_by("pk").values_list("pk", "agreement_status")),
        list(Relationship.objects.order_by("pk").values_list("pk", "status", "dap")),
        ActivityEntry.objects.count(),
        OutboundEmail.objects.count(),
    )


def test_opening_the_link_shows_the_offer_and_the_code_step_and_changes_nothing(world, client):
    _invitation, token = invite(world, dap=True)
    before = _state()

    response = client.get(accept_url(token))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Contoso Cloud" in page
    assert "Direct reseller: Contoso Cloud" in page
    assert "global administrators of your organisation" in page, "what DAP grants is explained"
    assert "i***@fourthcoffee.example.net" in page, "the invited address, masked"
    assert "it.admin@" not in page
    assert "Send me a code" in page
    assert 'id="acceptance-form"' not in page, "no acceptance form before the address is confirmed"
    assert _state() == before


def test_once_the_address_is_confirmed_the_page_shows_the_acceptance_form(world, client):
    _invitation, token = invite(world)
    verify_mailbox(client, token)

    page = client.get(accept_url(token)).content.decode()

    assert 'id="acceptance-form"' in page
    assert 'name="profile-company_name"' in page, "a customer new to the portal completes its profile"
    assert 'name="email"' not in page, "the acceptor's address is the invited one, not free input"
    assert "You accept as it.admin@fourthcoffee.example.net" in page


def test_the_page_says_when_no_admin_privileges_are_requested(world, client):
    _invitation, token = invite(world, dap=False)
    page = client.get(accept_url(token)).content.decode()
    assert "Not requested" in page


def test_accepting_creates_the_customer_with_the_relationship_agreement_and_access(world, client, client_for):
    invitation, token = invite(world, dap=False)
    data = acceptance_data(**profile_data(company_name="Alpine Ski House Inc.", domain_prefix="alpineskihouse"))
    verify_mailbox(client, token)

    response = client.post(accept_url(token), data)

    assert response.status_code == 200
    assert "Invitation accepted" in response.content.decode()
    customer = Customer.objects.get(primary_domain="alpineskihouse.onmicrosoft.com")
    assert customer.company_name == "Alpine Ski House Inc."
    assert customer.agreement_status == Customer.Agreement.ACCEPTED_BY_CUSTOMER
    assert (customer.agreement_name, customer.agreement_email) == ("Dana Lee", "it.admin@fourthcoffee.example.net")
    assert customer.agreement_date == timezone.localdate()
    relationship = Relationship.objects.get(customer=customer)
    assert relationship.partner == world.partner_a
    assert relationship.source == Relationship.Source.INVITATION
    assert relationship.dap is False, "the customer granted no admin privileges: none were requested"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert (invitation.customer, invitation.relationship) == (customer, relationship)
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_ACCEPT, customer=customer).exists()
    notice = OutboundEmail.objects.get(topic=f"invitation-accepted:{invitation.pk}")
    assert notice.to == world.users["global_admin"].email
    for role in ("global_admin", "helpdesk_agent"):
        detail = client_for(world.users[role]).get(customer.get_absolute_url())
        assert detail.status_code == 200, "the partner's staff reach the customer at once"
    assert client_for(world.user_b).get(customer.get_absolute_url()).status_code == 404


def test_an_invitation_for_a_known_customer_links_that_customer(world, client):
    customer = world.customer_in
    Relationship.objects.filter(customer=customer).update(dap=False)
    invitation, token = invite(world, customer=customer, dap=True)
    page = client.get(accept_url(token)).content.decode()
    assert customer.company_name in page
    verify_mailbox(client, token)
    page = client.get(accept_url(token)).content.decode()
    assert 'id="acceptance-form"' in page
    assert 'name="profile-company_name"' not in page, "a known customer's profile is not asked again"

    response = client.post(accept_url(token), acceptance_data(profile=False))

    assert response.status_code == 200
    assert Customer.objects.count() == 2, "no new customer"
    customer.refresh_from_db()
    assert customer.agreement_status == Customer.Agreement.ACCEPTED_BY_CUSTOMER
    relationship = Relationship.objects.get(customer=customer, partner=world.partner_a)
    assert relationship.dap is True, "accepting DAP grants it on the existing relationship"
    invitation.refresh_from_db()
    assert invitation.relationship == relationship


def test_a_resellers_invitation_links_the_customer_to_the_reseller_and_its_provider(db, client, client_for):
    provider = make_partner(name="Fabrikam Distribution", type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(name="Northwind Traders", type=Partner.Type.INDIRECT_RESELLER)
    Partnership.objects.create(
        provider=provider, reseller=reseller, status=Partnership.Status.ACTIVE, activated_at=timezone.now()
    )
    reseller_admin, provider_agent = make_user(reseller, "sales_agent"), make_user(provider, "helpdesk_agent")
    _invitation, token = invitation_create(
        actor=reseller_admin, email="admin@tailspin.example.net", message="Hi", dap=True, provider=provider
    )
    page = client.get(accept_url(token)).content.decode()
    assert "Northwind Traders, through the indirect provider Fabrikam Distribution" in page
    verify_mailbox(client, token)

    response = client.post(accept_url(token), acceptance_data(**profile_data(company_name="Tailspin Toys Inc.")))

    assert response.status_code == 200
    customer = Customer.objects.get(company_name="Tailspin Toys Inc.")
    rows = {r.partner_id: r for r in Relationship.objects.filter(customer=customer)}
    assert set(rows) == {reseller.pk, provider.pk}
    assert rows[reseller.pk].indirect_partner_id == provider.pk
    assert rows[provider.pk].indirect_partner_id == reseller.pk
    assert all(r.kind == Relationship.Kind.INDIRECT and r.source == "invitation" for r in rows.values())
    for user in (reseller_admin, provider_agent):
        listing = client_for(user).get(reverse("customers:customer_list"))
        assert "Tailspin Toys Inc." in listing.content.decode()


def test_a_resellers_invitation_cannot_be_accepted_once_the_partnership_is_removed(db, client):
    provider = make_partner(name="Fabrikam Distribution", type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(name="Northwind Traders", type=Partner.Type.INDIRECT_RESELLER)
    partnership = Partnership.objects.create(
        provider=provider, reseller=reseller, status=Partnership.Status.ACTIVE, activated_at=timezone.now()
    )
    _invitation, token = invitation_create(
        actor=make_user(reseller, "sales_agent"), email="a@b.example.net", message="Hi", dap=True, provider=provider
    )
    Partnership.objects.filter(pk=partnership.pk).update(status=Partnership.Status.REMOVED)
    verify_mailbox(client, token)
    before = _state()

    response = client.post(accept_url(token), acceptance_data())

    assert response.status_code == 200
    assert "no longer works with Fabrikam Distribution" in response.content.decode()
    assert _state() == before


def test_a_restore_invitation_brings_back_the_old_tags(world, client, client_for):
    customer = make_customer(world.partner_a, actor=world.users["global_admin"])
    tag = Tag.objects.create(partner=world.partner_a, name="priority")
    CustomerTag.objects.create(customer=customer, tag=tag)
    ended = relationship_end(
        actor=world.users["global_admin"], customer=customer, reason="other", details="Contract over"
    )
    assert client_for(world.users["admin_agent"]).get(customer.get_absolute_url()).status_code == 404
    _invitation, token = invite(
        world, customer=customer, purpose=Invitation.Purpose.RESTORE, restores=ended, email="a@restore.example.net"
    )
    verify_mailbox(client, token)

    response = client.post(accept_url(token), acceptance_data(profile=False))

    assert response.status_code == 200
    assert list(customer.customer_tags.values_list("tag__name", flat=True)) == ["priority"]
    detail = client_for(world.users["admin_agent"]).get(customer.get_absolute_url())
    assert detail.status_code == 200, "access is back"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("confirm_global_admin", None, "Only a global administrator of the organisation can accept"),
        ("accept_agreement", None, "Accept the relationship and the customer agreement"),
        ("profile-domain_prefix", "fourth-coffee", "Use only letters"),
        ("profile-company_name", "LLC", ""),
        ("profile-postal_code", "ABCDE", ""),
        ("profile-contact_email", "", "This field is required."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(world, client, field, value, message):
    _invitation, token = invite(world)
    verify_mailbox(client, token)
    before = _state()

    response = client.post(accept_url(token), acceptance_data(**{field: value}))

    assert response.status_code == 200
    form_name = "profile_form" if field.startswith("profile-") else "form"
    form = response.context[form_name]
    bare = field.removeprefix("profile-")
    assert bare in form.errors, f"{field} carries its error: {form.errors}"
    assert message in " ".join(form.errors[bare])
    assert _state() == before
    assert client.get(accept_url(token)).status_code == 200, "the link still works"


def test_a_taken_domain_is_refused_and_the_link_stays_valid(world, client):
    _invitation, token = invite(world)
    taken = world.customer_out.domain_prefix
    verify_mailbox(client, token)
    before = _state()

    response = client.post(accept_url(token), acceptance_data(**{"profile-domain_prefix": taken}))

    assert response.status_code == 200
    assert "already in use" in " ".join(response.context["profile_form"].errors["domain_prefix"])
    assert _state() == before


def test_expired_revoked_used_and_unknown_links_say_so(world, client):
    expired_invitation, expired = invite(world, email="a@expired.example.net")
    Invitation.objects.filter(pk=expired_invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked_invitation, revoked = invite(world, email="b@revoked.example.net")
    invitation_revoke(actor=world.users["global_admin"], invitation=revoked_invitation)
    _used_invitation, used = invite(world, email="c@used.example.net")
    verify_mailbox(client, used)
    assert client.post(accept_url(used), acceptance_data()).status_code == 200

    cases = [
        (expired, 410, "This invitation has expired"),
        (revoked, 410, "This invitation was withdrawn"),
        (used, 410, "This invitation has already been used"),
        ("x" * 43, 404, "This invitation link is not valid"),
    ]
    for token, status, text in cases:
        before = _state()
        for response in (client.get(accept_url(token)), client.post(accept_url(token), acceptance_data())):
            assert response.status_code == status
            assert text in response.content.decode()
        assert _state() == before


@pytest.mark.django_db(transaction=True)
# Twenty sessions each confirm the address (one request each) before they race: within the per-link page limit.
@override_settings(PORTAL_INVITE_RATE_LIMIT_TOKEN=(100, 600))
def test_twenty_concurrent_acceptances_make_exactly_one_relationship(world):
    _invitation, token = invite(world)
    url = accept_url(token)
    data = acceptance_data()
    barrier = threading.Barrier(20)
    results: list = []
    lock = threading.Lock()
    clients = []
    for _n in range(20):
        clients.append(Client())
        verify_mailbox(clients[-1], token)

    def accept(client):
        try:
            barrier.wait()
            response = client.post(url, data)
            with lock:
                results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(status for status, _body in results)
    assert statuses == [200] + [410] * 19, statuses
    assert sum("Invitation accepted" in body for _status, body in results) == 1
    assert sum("This invitation has already been used" in body for _status, body in results) == 19
    new_customers = Customer.objects.exclude(pk__in=[world.customer_in.pk, world.customer_out.pk])
    assert new_customers.count() == 1
    assert Relationship.objects.filter(customer__in=new_customers).count() == 1
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_ACCEPT).count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(PORTAL_INVITE_RATE_LIMIT_TOKEN=(100, 600))
def test_submissions_waiting_while_another_acceptance_commits_all_see_the_used_link_page(world):
    """Twenty submissions arrive while another acceptance holds the link: each waits at the "still open" check, before
    validating anything, so once the winner commits all twenty see the used-link page (none sees its profile refused
    because the winner's new customer took the domain, the cause of the old flaky failures)."""
    _invitation, token = invite(world)
    url = accept_url(token)
    winner = acceptance_data()
    results: list = []
    lock = threading.Lock()
    clients = []
    for _n in range(20):
        clients.append(Client())
        verify_mailbox(clients[-1], token)
    winner_code = verified_code(_invitation)

    def accept(client):
        try:
            # The same profile as the winner's, so a submission validated after the winner commits would clash on
            # the domain: it must be sent to the used-link page instead.
            data = {**acceptance_data(), **{k: v for k, v in winner.items() if k.startswith("profile-")}}
            response = client.post(url, data)
            with lock:
                results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(client,)) for client in clients]
    with transaction.atomic():
        Invitation.objects.select_for_update().get(pk=_invitation.pk)
        for thread in threads:
            thread.start()
        deadline = timezone.now() + timedelta(seconds=30)
        with connection.cursor() as cursor:
            waiting = 0
            while waiting < 20 and timezone.now() < deadline:
                # Inside a transaction PostgreSQL keeps its first view of pg_stat_activity unless told to drop it.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                # Waiting on the invitation row's lock at the "still open" check (a SELECT … FOR UPDATE, whose long
                # text PostgreSQL cuts short), before any form was validated, not in the UPDATE of the claim.
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database() AND query LIKE 'SELECT %%'"
                )
                waiting = cursor.fetchone()[0]
        assert waiting == 20, (
            "every submission waits at the check, before validating, while another acceptance holds the link"
        )
        profile_form = CustomerForm(winner, prefix="profile", partner=world.partner_a)
        assert profile_form.is_valid(), profile_form.errors
        profile = {**profile_form.customer_data(), "domain_prefix": profile_form.cleaned_data["domain_prefix"]}
        invitation_accept(
            token=token,
            name="Dana Lee",
            confirm_global_admin=True,
            accept_agreement=True,
            verified_code_id=winner_code.pk,
            profile=profile,
        )
    for thread in threads:
        thread.join()

    assert sorted(status for status, _body in results) == [410] * 20
    assert all("This invitation has already been used" in body for _status, body in results)
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_ACCEPT).count() == 1
