"""The acceptance page's help for the customer: the live domain check and the regions of the chosen country (the
script is loaded there), the customer agreement one click away, and messages that say what is true."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from relationships.models import Invitation
from relationships.services import relationship_end
from relationships.services.invitation_emails import default_message
from relationships.views.relationships import restore_default_message
from tests.factories import make_customer
from tests.relationships.invite_helpers import accept_url, invite, verify_mailbox

pytestmark = pytest.mark.usefixtures("shared_world")


def domain_check_url(token: str) -> str:
    return reverse("relationships:invitation_domain_check", kwargs={"token": token})


def test_the_profile_step_loads_the_domain_check_and_the_region_narrowing(world, client):
    _invitation, token = invite(world)
    verify_mailbox(client, token)

    page = client.get(accept_url(token)).content.decode()

    assert '<script src="/static/js/domain-check.js" defer></script>' in page
    assert f'data-domain-check-url="{domain_check_url(token)}"' in page
    assert 'data-state-country="true"' in page and 'data-state-select="true"' in page
    assert 'id="domain-check-message"' in page and 'id="state-wrapper"' in page


def test_the_live_domain_check_answers_anyone_holding_an_open_link(world):
    make_customer(world.partner_a, prefix="takenbrew")
    _invitation, token = invite(world)
    anonymous = Client()

    taken = anonymous.get(domain_check_url(token), {"prefix": "TakenBrew"}).json()
    free = anonymous.get(domain_check_url(token), {"prefix": "freshbrew2026"}).json()

    assert taken["available"] is False and "already in use" in taken["message"]
    assert free == {"available": True, "message": "freshbrew2026.onmicrosoft.com is available."}


def test_the_domain_check_is_closed_for_a_used_link_and_for_an_existing_customer(world):
    invitation, token = invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.REVOKED)
    _existing, existing_token = invite(world, customer=world.customer_in, email="it@existing.example.net")
    anonymous = Client()

    assert anonymous.get(domain_check_url(token), {"prefix": "freshbrew"}).status_code == 404
    assert anonymous.get(domain_check_url(existing_token), {"prefix": "freshbrew"}).status_code == 404


def test_the_page_links_to_the_customer_agreement_which_anyone_can_read(world, client, settings):
    _invitation, token = invite(world)
    verify_mailbox(client, token)

    page = client.get(accept_url(token)).content.decode()
    agreement = Client().get(reverse("relationships:customer_agreement"))

    assert f'href="{reverse("relationships:customer_agreement")}" target="_blank"' in page
    assert agreement.status_code == 200
    body = agreement.content.decode()
    assert "<h1" in body and "Microsoft Customer Agreement" in body
    assert f'href="{settings.PORTAL_CUSTOMER_AGREEMENT_URL}"' in body


def test_the_prefilled_invitation_message_describes_the_real_steps(world):
    text = default_message(partner=world.partner_a)

    assert "at the end of this message" not in text
    assert "reply to this message" not in text, "the email comes from a no-reply address"
    assert "open the invitation link in this email" in text
    assert "code" in text


def test_the_restore_message_does_not_ask_the_customer_to_sign_in_and_names_whom_to_contact(world, client_for):
    admin = world.users["global_admin"]
    relationship_end(actor=admin, customer=world.customer_in, reason="other", details="Paused")
    relationship = world.customer_in.relationships.get(partner=world.partner_a)

    text = restore_default_message(relationship=relationship, sender=admin)
    page = client_for(admin).get(reverse("relationships:relationship_restore", args=[relationship.pk]))

    assert "sign in" not in text.lower()
    assert "has ended" in text and "no account or password is needed" in text
    assert admin.email in text
    assert "sign in" not in page.content.decode().split('name="message"', 1)[1].split("</textarea>", 1)[0].lower()
