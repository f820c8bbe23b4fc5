"""Destructive actions ask first: the page links to a confirmation page (a GET that changes nothing) naming the
object and the consequence, whose red button posts the action; confirm.js shows the same page in a dialog."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from customers.models import Subscription
from customers.services.subscriptions import subscription_create
from relationships.models import Invitation
from tests.access import CONFIRMATION_PAGES, GET, ROWS
from tests.partnerportal.test_access import target_kwargs
from tests.relationships.invite_helpers import invite
from tests.security.test_headers import inline_code

pytestmark = pytest.mark.usefixtures("shared_world")
WORLD_WITH_ASSIGNED_SCOPE = True

COLUMN_ROLE = {"ga": "global_admin", "sa": "sales_agent", "aa": "admin_agent"}


def _allowed_get_rows():
    """One allowed GET row per confirmation page, with the role that may open it."""
    seen = set()
    for row in ROWS:
        if row.method != GET or row.url_name not in CONFIRMATION_PAGES or row.url_name in seen:
            continue
        for column, role in COLUMN_ROLE.items():
            if getattr(row, column) == 200:
                seen.add(row.url_name)
                yield pytest.param(row, role, id=row.url_name)
                break


def test_every_destructive_action_has_a_confirmation_page_in_the_matrix():
    assert {row.values[0].url_name for row in _allowed_get_rows()} == CONFIRMATION_PAGES


@pytest.mark.parametrize(("row", "role"), list(_allowed_get_rows()))
def test_the_confirmation_page_asks_with_a_red_button_that_posts_back_and_a_cancel_link(world, client_for, row, role):
    url = reverse(row.url_name, kwargs=target_kwargs(world, row.target))

    response = client_for(world.users[role]).get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Content-Security-Policy" in response and not inline_code(html), "CSP-safe, as every page"
    content = html.split("data-confirm-content", 1)[1]
    title = re.search(r"<h1[^>]*data-confirm-title>([^<]+)</h1>", content)
    message = re.search(r"<p data-confirm-message[^>]*>([^<]+)</p>", content)
    assert title and title.group(1).strip().endswith("?"), "the title asks a question"
    assert message and len(message.group(1).strip()) > 20, "the consequence is spelled out"
    assert f'<form method="post" action="{url}" data-confirm-form>' in content
    assert 'class="btn btn-danger" id="confirm-submit"' in content
    assert re.search(r'<a class="btn btn-link" href="/[^"]*" data-confirm-cancel>', content)


def test_revoking_an_invitation_names_it_and_the_list_links_to_the_question(world, client_for):
    invitation, _token = invite(world)
    client = client_for(world.users["global_admin"])
    revoke = reverse("relationships:invitation_revoke", args=[invitation.pk])

    listing = client.get(reverse("relationships:invitation_list")).content.decode()
    assert f'href="{revoke}" data-confirm>' in listing
    assert f'action="{revoke}"' not in listing, "no one-click revoke button"

    page = client.get(revoke).content.decode()
    assert "Revoke the invitation to it.admin@fourthcoffee.example.net?" in page
    assert "stops working at once" in page
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING, "asking changes nothing"

    response = client.post(revoke)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED


def test_suspending_and_cancelling_ask_first_and_post_the_chosen_action(world, client_for):
    admin = world.users["global_admin"]
    subscription = subscription_create(
        actor=admin, customer=world.customer_in, offer_name="Microsoft 365 E3", quantity=5, is_azure_plan=False
    )
    url = reverse("customers:subscription_status", args=[world.customer_in.pk, subscription.pk])
    client = client_for(admin)

    suspend = client.get(url).content.decode()
    cancel = client.get(url + "?action=cancel").content.decode()

    assert "Suspend “Microsoft 365 E3” of" in suspend and 'name="action" value="suspend"' in suspend
    assert "can&#x27;t be reactivated" in cancel and 'name="action" value="cancel"' in cancel
    assert ">Keep it</a>" in cancel
    assert client.get(url + "?action=bogus").status_code == 404
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE, "asking changes nothing"

    client.post(url, {"action": "cancel"})

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELLED


def test_a_plain_button_still_refuses_a_get(world, client_for):
    invitation, _token = invite(world)
    response = client_for(world.users["global_admin"]).get(
        reverse("relationships:invitation_resend", args=[invitation.pk])
    )
    assert response.status_code == 405
