"""Invitations that also ask for an admin relationship, and who receives an approval link.

The new-invitation form offers a role template instead of the legacy DAP flag (to those who may request admin
relationships, outside the US Government cloud); accepting the invitation requests the admin relationship as the
inviter and mails its approval link to the address that accepted; later requests go to that proved address too,
whatever the customer's contact address becomes.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from adminrelationships.models import AdminRelationship, InvitationRequest, Status
from adminrelationships.selectors import ApprovalRecipient, approval_recipient
from adminrelationships.services import role_template_create
from adminrelationships.services.invitations import admin_relationship_name, invitation_request_accepted
from customers.forms import CustomerForm
from customers.models import Customer
from partnerportal.models import OutboundEmail, User
from permissions.roles import AgentRole
from relationships.models import Invitation, Relationship
from relationships.services.acceptance import invitation_accept
from relationships.services.invitations import invitation_create
from tests.adminrelationships.helpers import DIRECTORY_READERS, HELPDESK_ADMIN, TOKEN, request_for
from tests.factories import make_user
from tests.relationships.invite_helpers import INVITED, accept_url, acceptance_data, verified_code, verify_mailbox
from tests.smtp import body_of, invitation_link_in, run_worker

CREATE = "relationships:invitation_create"
NAME = re.compile(r"^Fourth Coffee \d+ Ltd \d{4}-\d{2}-\d{2} 1$")


def _template(world, name: str = "Helpdesk standard"):
    return role_template_create(actor=world.users["admin_agent"], name=name, roles=[DIRECTORY_READERS, HELPDESK_ADMIN])


def _invite_with_template(world, template, *, actor: User | None = None, **kwargs) -> tuple[Invitation, str]:
    return invitation_create(
        actor=actor or world.users["admin_agent"],
        email=INVITED,
        message="Please accept.",
        dap=False,
        extras={"admin_template": str(template.pk)},
        **kwargs,
    )


def _accept_by_page(token: str) -> tuple[Client, str]:
    """The customer confirms the invited mailbox and accepts on the page (a new customer with a profile)."""
    client = Client()
    verify_mailbox(client, token)
    response = client.post(accept_url(token), acceptance_data())
    assert response.status_code == 200, response.status_code
    assert "Invitation accepted" in response.content.decode()
    return client, response.content.decode()


# The form


@pytest.mark.parametrize(
    ("role", "offered"),
    [("admin_agent", True), ("global_admin", False), ("sales_agent", False)],  # helpdesk agents do not invite
)
def test_the_form_offers_an_admin_relationship_only_to_those_who_may_request_one(world, client_for, role, offered):
    template = _template(world)
    response = client_for(world.users[role]).get(reverse(CREATE))
    form = response.context["form"]
    page = response.content.decode()
    assert "dap" not in form.fields
    assert ("admin_template" in form.fields) is offered
    assert ("Also request an admin relationship" in page) is offered
    if offered:
        values = [value for value, _label in form.fields["admin_template"].choices]
        assert values == ["", str(template.pk)], "no request by default, then the partner's templates"
        assert "Directory Readers, Helpdesk Administrator" in page, "each template shows its roles"


def test_a_user_who_may_not_request_cannot_post_a_template_into_an_invitation(world, client_for):
    template = _template(world)
    response = client_for(world.users["sales_agent"]).post(
        reverse(CREATE), {"email": INVITED, "message": "Hi", "admin_template": str(template.pk)}
    )
    assert response.status_code == 200
    invitation = Invitation.objects.get()
    assert not InvitationRequest.objects.exists(), "the field is not there for them, so the value is ignored"
    email = OutboundEmail.objects.get(topic=f"invitation:{invitation.pk}")
    assert "admin relationship" not in email.body
    with pytest.raises(ValidationError) as refused:
        _invite_with_template(world, template, actor=world.users["global_admin"], customer=world.customer_in)
    assert "admin_template" in refused.value.message_dict, "the service refuses it too"
    assert Invitation.objects.count() == 1


def test_another_partners_template_is_refused_beside_the_field_and_nothing_is_sent(world):
    other = role_template_create(
        actor=make_user(world.partner_b, "admin_agent"),
        name="Theirs",
        roles=[DIRECTORY_READERS],
    )
    with pytest.raises(ValidationError) as refused:
        _invite_with_template(world, other)
    assert refused.value.message_dict == {"admin_template": ["Choose one of your organisation's role templates."]}
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.exists()


@override_settings(PORTAL_CLOUD="us_gov")
def test_the_us_government_cloud_keeps_forced_dap_and_offers_no_admin_relationship(world, client_for):
    template = _template(world)
    client = client_for(world.users["admin_agent"])
    response = client.get(reverse(CREATE))
    form = response.context["form"]
    assert "admin_template" not in form.fields
    assert form.fields["dap"].disabled and form["dap"].value() is True
    assert "where invitations ask for no admin relationship" in response.content.decode()

    client.post(reverse(CREATE), {"email": INVITED, "message": "Hi", "admin_template": str(template.pk)})
    assert Invitation.objects.get().dap is True
    assert not InvitationRequest.objects.exists()
    _invite_with_template(world, template, customer=world.customer_in)  # the service ignores it too
    assert not InvitationRequest.objects.exists()


def test_sending_with_a_template_records_its_roles_and_the_email_names_them(world, client_for):
    template = _template(world)
    response = client_for(world.users["admin_agent"]).post(
        reverse(CREATE), {"email": INVITED, "message": "Hi", "admin_template": str(template.pk)}
    )
    assert response.status_code == 200
    invitation = Invitation.objects.get()
    assert invitation.dap is False
    request = InvitationRequest.objects.get(invitation=invitation)
    assert (request.template, request.template_name, request.roles, request.admin_relationship) == (
        template,
        "Helpdesk standard",
        [DIRECTORY_READERS, HELPDESK_ADMIN],
        None,
    )
    body = OutboundEmail.objects.get(topic=f"invitation:{invitation.pk}").body
    assert "also ask for an admin relationship for 730 days" in body
    assert "Directory Readers, Helpdesk Administrator" in body
    entry = ActivityEntry.objects.get(action=Actions.INVITATION_CREATE)
    assert entry.details["after"]["admin_template"] == "Helpdesk standard"
    # A later change of the template does not change what this invitation asks for.
    template.roles = [DIRECTORY_READERS]
    template.save()
    request.refresh_from_db()
    assert request.roles == [DIRECTORY_READERS, HELPDESK_ADMIN]


# Acceptance


def test_accepting_requests_the_admin_relationship_mailed_to_the_accepting_address(transactional_db, world, smtp):
    inviter = world.users["admin_agent"]
    invitation, token = _invite_with_template(world, _template(world))
    run_worker(smtp)
    [invitation_mail] = smtp.received(to=INVITED)
    assert "Directory Readers, Helpdesk Administrator" in body_of(invitation_mail)
    assert invitation_link_in(invitation_mail).endswith(accept_url(token))

    _client, page = _accept_by_page(token)

    relationship = AdminRelationship.objects.get()
    assert relationship.status == Status.APPROVAL_PENDING
    assert NAME.match(relationship.name), relationship.name
    assert (relationship.partner, relationship.requested_by, relationship.request_email, relationship.roles) == (
        world.partner_a,
        inviter,
        INVITED,
        [DIRECTORY_READERS, HELPDESK_ADMIN],
    )
    customer = relationship.customer
    assert customer.contact_email != INVITED, "the profile's contact is another address: the proved one is used"
    assert f"We are emailing the approval link to {INVITED}" in page
    assert "/admin-approval/" not in page
    entry = ActivityEntry.objects.get(action=Actions.ADMIN_RELATIONSHIP_REQUEST)
    assert (entry.actor, entry.partner, entry.customer) == (inviter, world.partner_a, customer)
    assert entry.details["after"]["invitation"] == invitation.pk and entry.details["after"]["request_email"] == INVITED
    assert InvitationRequest.objects.get().admin_relationship == relationship

    run_worker(smtp)
    approval_mails = [m for m in smtp.received() if TOKEN.search(body_of(m))]
    assert [m["To"] for m in approval_mails] == [INVITED]
    assert not smtp.received(to=customer.contact_email)
    token_in_mail = TOKEN.search(body_of(approval_mails[0])).group(1)
    approval = Client().get(reverse("adminrelationships:adminrelationship_approve", kwargs={"token": token_in_mail}))
    assert approval.status_code == 200 and "Helpdesk Administrator" in approval.content.decode()


def test_an_inviter_who_lost_the_right_meanwhile_requests_nothing(world):
    invitation, token = _invite_with_template(world, _template(world))
    User.objects.filter(pk=world.users["admin_agent"].pk).update(agent_role=AgentRole.SALES_AGENT)

    _client, page = _accept_by_page(token)

    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ACCEPTED
    assert not AdminRelationship.objects.exists()
    assert "admin relationship" not in page
    assert not ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_REQUEST).exists()


def test_an_invitation_without_a_template_requests_nothing(world):
    _invitation, token = invitation_create(actor=world.users["admin_agent"], email=INVITED, message="Hi", dap=False)
    _client, page = _accept_by_page(token)
    assert not AdminRelationship.objects.exists()
    assert "approval link" not in page


def test_running_the_follow_up_again_makes_no_second_request(world):
    invitation, token = _invite_with_template(world, _template(world))
    _accept_by_page(token)
    invitation.refresh_from_db()
    invitation_request_accepted(invitation, invitation.customer)
    assert AdminRelationship.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(PORTAL_INVITE_RATE_LIMIT_TOKEN=(100, 600))
def test_two_acceptances_at_once_make_one_request(world):
    _invitation, token = _invite_with_template(world, _template(world))
    clients = [Client() for _n in range(2)]
    for client in clients:
        verify_mailbox(client, token)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def accept(client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(accept_url(token), acceptance_data())
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 410], statuses
    assert AdminRelationship.objects.count() == 1
    assert ActivityEntry.objects.filter(action=Actions.ADMIN_RELATIONSHIP_REQUEST).count() == 1
    assert OutboundEmail.objects.filter(topic__startswith="admin-relationship:").count() == 1


def test_generated_names_are_unique_per_partner_and_within_the_name_rule(world):
    customer = world.customer_in
    Customer.objects.filter(pk=customer.pk).update(company_name="Ünïcode & Sons, a very long legal name indeed Ltd.")
    customer.refresh_from_db()
    first = admin_relationship_name(partner=world.partner_a, customer=customer)
    request_for(customer, world.users["admin_agent"], name=first)
    second = admin_relationship_name(partner=world.partner_a, customer=customer)
    assert first.endswith(" 1") and second.endswith(" 2")
    assert first[:-2] == second[:-2]
    assert len(first) <= 50 and re.fullmatch(r"[A-Za-z0-9_\- ]+", first)
    assert first.startswith("ncode Sons a very long legal name")


# Who receives an approval link


def _invited_customer(world) -> tuple[Customer, Invitation]:
    """A customer new to the portal that accepted partner A's invitation (the proved address: INVITED)."""
    invitation, token = invitation_create(actor=world.users["admin_agent"], email=INVITED, message="Hi", dap=False)
    profile_form = CustomerForm(acceptance_data(), prefix="profile", partner=world.partner_a)
    assert profile_form.is_valid(), profile_form.errors
    profile = {**profile_form.customer_data(), "domain_prefix": profile_form.cleaned_data["domain_prefix"]}
    invitation = invitation_accept(
        token=token,
        name="Dana Lee",
        confirm_global_admin=True,
        accept_agreement=True,
        verified_code_id=verified_code(invitation).pk,
        profile=profile,
    )
    assert invitation.customer is not None
    return invitation.customer, invitation


def test_after_the_contact_address_changes_the_link_still_goes_to_the_verified_address(world, client_for):
    customer, _invitation = _invited_customer(world)
    # Staff point the contact at a mailbox they control.
    Customer.objects.filter(pk=customer.pk).update(contact_email="ops@attacker.example.net")
    customer.refresh_from_db()

    form_page = client_for(world.users["admin_agent"]).get(
        reverse("adminrelationships:adminrelationship_create") + f"?customer_id={customer.pk}"
    )
    assert form_page.status_code == 200
    assert INVITED in form_page.content.decode() and "ops@attacker.example.net" not in form_page.content.decode()

    relationship = request_for(customer, world.users["admin_agent"])

    assert relationship.request_email == INVITED
    assert OutboundEmail.objects.get(topic=f"admin-relationship:{relationship.pk}").to == INVITED
    detail = client_for(world.users["admin_agent"]).get(relationship.get_absolute_url()).content.decode()
    assert INVITED in detail and "the address that accepted your latest invitation" in detail


def test_the_latest_accepted_invitation_decides(world):
    customer, first = _invited_customer(world)
    later = "global.admin@fourthcoffee.example.net"
    Invitation.objects.create(
        partner=world.partner_a,
        customer=customer,
        email=later,
        message="Hi",
        dap=False,
        status=Invitation.Status.ACCEPTED,
        accepted_at=first.accepted_at + timedelta(minutes=5),
        accepted_email=later,
        token_hash="0" * 64,
        expires_at=first.expires_at,
    )
    assert approval_recipient(partner_id=world.partner_a.pk, customer=customer) == ApprovalRecipient(
        email=later, basis=ApprovalRecipient.INVITATION
    )
    other = approval_recipient(partner_id=world.partner_b.pk, customer=customer)
    assert other.email == "", "another partner's invitations prove nothing to this partner"


def test_a_customer_the_partner_created_gets_the_link_at_its_contact_address(world):
    customer = world.customer_in
    assert Relationship.objects.get(partner=world.partner_a, customer=customer).source == Relationship.Source.CREATED
    relationship = request_for(customer, world.users["admin_agent"])
    assert relationship.request_email == customer.contact_email.lower()


def test_an_invited_customer_without_a_proved_address_is_refused(world):
    customer = world.customer_in
    Relationship.objects.filter(partner=world.partner_a, customer=customer).update(
        source=Relationship.Source.INVITATION
    )
    with pytest.raises(ValidationError) as refused:
        request_for(customer, world.users["admin_agent"])
    assert "there is no proved address" in " ".join(refused.value.messages)
    assert not AdminRelationship.objects.exists()
    assert not OutboundEmail.objects.exists()
