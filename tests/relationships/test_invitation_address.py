"""The invited address may not be one the partner's staff read: otherwise they could invite themselves, receive the
acceptance code and accept on the customer's behalf. And the "sent" page says the link alone accepts nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from customers.models import Customer
from partnerportal.models import OutboundEmail, Partner
from relationships.models import Invitation, Partnership, Relationship
from relationships.services import invitation_create, invitation_resend, relationship_end
from tests.factories import make_partner, make_user
from tests.relationships.invite_helpers import accept_url, acceptance_data, verify_mailbox

CREATE = "relationships:invitation_create"


def _state():
    return (
        list(Invitation.objects.order_by("pk").values()),
        list(Customer.objects.order_by("pk").values_list("pk", "agreement_status")),
        list(Relationship.objects.order_by("pk").values_list("pk", "status")),
        ActivityEntry.objects.count(),
        OutboundEmail.objects.count(),
    )


@pytest.mark.parametrize("email", ["me@contoso.example", "ME@Contoso.Example", "it@eu.contoso.example"])
def test_an_invitation_to_the_partners_own_domain_is_refused_next_to_the_field(world, client_for, email):
    client = client_for(world.users["global_admin"])
    before = _state()

    response = client.post(reverse(CREATE), {"email": email, "message": "Hello", "dap": "on"})

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["email"])
    assert "not one at contoso.example" in errors
    assert _state() == before, "no invitation, no email, no log entry"


def test_a_lookalike_domain_is_not_the_partners(world):
    invitation, _token = invitation_create(
        actor=world.users["global_admin"], email="admin@notcontoso.example", message="Hi", dap=True
    )
    assert invitation.pk


def test_a_reseller_may_not_invite_an_address_of_its_provider_either(db):
    provider = make_partner(type=Partner.Type.INDIRECT_PROVIDER, domain="fabrikam.example")
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER, domain="northwind.example")
    Partnership.objects.create(
        provider=provider, reseller=reseller, status=Partnership.Status.ACTIVE, activated_at=timezone.now()
    )
    actor = make_user(reseller, "sales_agent")

    with pytest.raises(ValidationError) as refused:
        invitation_create(actor=actor, email="ops@fabrikam.example", message="Hi", dap=True, provider=provider)

    assert "not one at fabrikam.example" in " ".join(refused.value.message_dict["email"])
    assert not Invitation.objects.exists()


def test_a_restore_invitation_to_the_partners_own_domain_is_refused(world, client_for):
    ended = relationship_end(
        actor=world.users["global_admin"], customer=world.customer_in, reason="other", details="Over"
    )
    client = client_for(world.users["global_admin"])
    before = _state()
    response = client.post(
        reverse("relationships:relationship_restore", args=[ended.pk]),
        {"email": "me@contoso.example", "message": "Come back"},
    )
    assert response.status_code == 200
    assert "not one at contoso.example" in response.content.decode()
    assert _state() == before


def _legacy_invitation(world) -> tuple[Invitation, str]:
    """An invitation sent to the partner's own domain before the rule existed."""
    invitation, token = invitation_create(
        actor=world.users["global_admin"], email="it.admin@fourthcoffee.example.net", message="Hi", dap=True
    )
    Invitation.objects.filter(pk=invitation.pk).update(email="me@contoso.example")
    invitation.refresh_from_db()
    return invitation, token


def test_an_earlier_invitation_to_the_partners_own_domain_cannot_be_resent(world, client_for):
    invitation, _token = _legacy_invitation(world)
    client = client_for(world.users["global_admin"])
    before = _state()

    with pytest.raises(ValidationError, match="cannot be sent again"):
        invitation_resend(actor=world.users["global_admin"], invitation=invitation)

    response = client.post(reverse("relationships:invitation_resend", args=[invitation.pk]), follow=True)
    assert "cannot be sent again" in response.content.decode()
    assert _state() == before


def test_an_earlier_invitation_to_the_partners_own_domain_cannot_be_accepted(world, client):
    _invitation, token = _legacy_invitation(world)
    verify_mailbox(client, token)  # a staff member reads that mailbox, so they can get the code
    before = _state()

    response = client.post(accept_url(token), acceptance_data())

    assert response.status_code == 200
    assert "sent to an address of the partner's own organisation" in " ".join(
        response.context["form"].non_field_errors()
    )
    assert _state() == before


def test_the_sent_page_shows_the_link_and_says_that_it_alone_accepts_nothing(world, client_for):
    response = client_for(world.users["sales_agent"]).post(
        reverse(CREATE), {"email": "it.admin@fourthcoffee.example.net", "message": "Hello", "dap": "on"}
    )
    page = response.content.decode()
    assert 'id="invitation-link"' in page, "staff may still paste the link into their own message"
    assert "The link alone does not let anyone accept" in page
    assert "it.admin@fourthcoffee.example.net" in page
    email = OutboundEmail.objects.get(to="it.admin@fourthcoffee.example.net")
    assert "with a code that the page sends to it" in email.body
