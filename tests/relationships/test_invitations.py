"""The partner's side of invitations: sending, the link shown once, resend, revoke, the list and its buttons."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activity.actions import Actions
from activity.models import ActivityEntry
from partnerportal.models import OutboundEmail, Partner
from permissions.roles import Scope
from relationships.models import Invitation, Partnership
from relationships.services import invitation_create, invitation_resend, invitation_revoke
from tests.factories import make_partner, make_user
from tests.relationships.invite_helpers import accept_url

CREATE = "relationships:invitation_create"
LIST = "relationships:invitation_list"
LINK = re.compile(r'id="invitation-link" value="([^"]+)"')


def _token_in(response) -> str:
    match = LINK.search(response.content.decode())
    assert match, "the page shows the link to copy"
    return match.group(1).rstrip("/").rsplit("/", 1)[1]


def _invite(user, email="it.admin@fourthcoffee.example.net", **kwargs):
    kwargs.setdefault("message", "Hello")
    kwargs.setdefault("dap", True)
    return invitation_create(actor=user, email=email, **kwargs)


def test_the_form_is_prefilled_with_the_message_and_offers_no_legacy_dap(world, client_for):
    response = client_for(world.users["sales_agent"]).get(reverse(CREATE))
    assert response.status_code == 200
    form = response.context["form"]
    assert "Contoso Cloud would like to be your Cloud Solution Provider" in form["message"].value()
    assert "dap" not in form.fields, "new relationships ask for an admin relationship instead of DAP"
    assert "delegated administration privileges" not in response.content.decode()
    assert "provider" not in form.fields, "only an indirect reseller picks a provider"


def test_sending_records_the_invitation_emails_the_link_and_shows_it_once(world, client_for):
    user = world.users["admin_agent"]
    response = client_for(user).post(
        reverse(CREATE), {"email": "IT.Admin@FourthCoffee.example.net", "message": "Dear IT team", "dap": "on"}
    )

    assert response.status_code == 200
    token = _token_in(response)
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest(), "only the hash is stored"
    assert token not in str(Invitation.objects.values().get())
    assert (invitation.email, invitation.partner, invitation.created_by) == (
        "it.admin@fourthcoffee.example.net",
        world.partner_a,
        user,
    )
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.dap is False, "a posted DAP box is ignored outside the US Government cloud"
    days = (invitation.expires_at - timezone.now()).days
    assert 29 <= days <= 30
    email = OutboundEmail.objects.get(topic=f"invitation:{invitation.pk}")
    assert email.to == "it.admin@fourthcoffee.example.net"
    assert "Dear IT team" in email.body and f"/invite/{token}/" in email.delivered_body()
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_CREATE, partner=world.partner_a).count() == 1
    assert "it.admin@fourthcoffee.example.net" in response.content.decode()


def test_new_invitations_carry_no_dap_in_the_commercial_cloud(world, client_for):
    client = client_for(world.users["sales_agent"])
    client.post(reverse(CREATE), {"email": "a@b.example.net", "message": "Hi"})
    client.post(reverse(CREATE), {"email": "c@d.example.net", "message": "Hi", "dap": "on"})
    assert list(Invitation.objects.values_list("dap", flat=True)) == [False, False]


@override_settings(PORTAL_CLOUD="us_gov")
def test_dap_is_forced_on_in_the_us_government_cloud(world, client_for):
    client = client_for(world.users["sales_agent"])
    form = client.get(reverse(CREATE)).context["form"]
    assert form.fields["dap"].disabled and form["dap"].value() is True

    client.post(reverse(CREATE), {"email": "a@b.example.net", "message": "Hi"})  # the box left unticked
    assert Invitation.objects.get().dap is True
    invitation, _token = _invite(world.users["global_admin"], email="c@d.example.net", dap=False)
    assert invitation.dap is True, "the service forces it too"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email", "message": "Hi"}, "email", "Enter a valid email address."),
        ({"email": "", "message": "Hi"}, "email", "This field is required."),
        ({"email": "a@b.example.net", "message": "   "}, "message", "This field is required."),
        ({"email": "a@b.example.net", "message": "x" * 5001}, "message", "at most 5000 characters"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_sent(world, client_for, data, field, message):
    response = client_for(world.users["sales_agent"]).post(reverse(CREATE), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_second_pending_invitation_to_the_same_address_is_refused(world, client_for):
    client = client_for(world.users["sales_agent"])
    data = {"email": "a@b.example.net", "message": "Hi", "dap": "on"}
    assert client.post(reverse(CREATE), data).status_code == 200

    again = client.post(reverse(CREATE), data)  # a double submit, or a second try

    assert "already waiting for an answer" in " ".join(again.context["form"].errors["email"])
    assert Invitation.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_inviting_a_known_customer_from_its_page(world, client_for):
    client = client_for(world.users["sales_agent"])
    customer = world.customer_in
    page = client.get(customer.get_absolute_url()).content.decode()
    assert f"{reverse(CREATE)}?customer={customer.pk}" in page

    url = f"{reverse(CREATE)}?customer={customer.pk}"
    form = client.get(url).context["form"]
    assert form["email"].value() == customer.contact_email
    response = client.post(url, {"email": customer.contact_email, "message": "Hi", "dap": "on"})

    assert response.status_code == 200
    assert Invitation.objects.get().customer == customer


@pytest.mark.parametrize("value", ["out", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_customer_the_user_cannot_see_is_404(world, client_for, value):
    pk = world.customer_out.pk if value == "out" else value
    client = client_for(world.users["global_admin"])
    url = f"{reverse(CREATE)}?customer={pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "a@b.example.net", "message": "Hi"}).status_code == 404
    assert not Invitation.objects.exists()


def test_new_invitation_buttons_show_only_to_roles_that_may_invite(world, client_for):
    for role, shown in (("sales_agent", True), ("helpdesk_agent", False)):
        client = client_for(world.users[role])
        listing = client.get(reverse("customers:customer_list")).content.decode()
        detail = client.get(world.customer_in.get_absolute_url()).content.decode()
        home = reverse(LIST)
        assert (reverse(CREATE) in listing) is shown
        assert (f"?customer={world.customer_in.pk}" in detail) is shown
        assert (f'href="{home}"' in listing) is shown, "the Invitations nav item"


def _reseller_world():
    provider = make_partner(name="Fabrikam Distribution", type=Partner.Type.INDIRECT_PROVIDER)
    other = make_partner(name="Litware Distribution", type=Partner.Type.INDIRECT_PROVIDER)
    reseller = make_partner(name="Northwind Traders", type=Partner.Type.INDIRECT_RESELLER)
    Partnership.objects.create(
        provider=provider, reseller=reseller, status=Partnership.Status.ACTIVE, activated_at=timezone.now()
    )
    Partnership.objects.create(provider=other, reseller=reseller, status=Partnership.Status.REMOVED)
    return provider, other, reseller, make_user(reseller, "sales_agent")


def test_a_reseller_must_choose_one_of_its_active_providers(db, client_for):
    provider, other, _reseller, user = _reseller_world()
    client = client_for(user)
    form = client.get(reverse(CREATE)).context["form"]
    assert list(form.fields["provider"].queryset) == [provider]

    missing = client.post(reverse(CREATE), {"email": "a@b.example.net", "message": "Hi"})
    assert "provider" in missing.context["form"].errors
    inactive = client.post(reverse(CREATE), {"email": "a@b.example.net", "message": "Hi", "provider": other.pk})
    assert "provider" in inactive.context["form"].errors
    assert not Invitation.objects.exists()

    client.post(reverse(CREATE), {"email": "a@b.example.net", "message": "Hi", "provider": provider.pk})
    assert Invitation.objects.get().provider == provider


def test_a_reseller_without_an_active_provider_is_told_so(db, client_for):
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
    page = client_for(make_user(reseller, "global_admin")).get(reverse(CREATE)).content.decode()
    assert "You have no active indirect provider" in page
    assert "Send invitation" not in page


def test_resend_issues_a_fresh_link_and_kills_the_old_one(world, client_for, client):
    invitation, old = _invite(world.users["global_admin"])
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(days=1))

    response = client_for(world.users["sales_agent"]).post(
        reverse("relationships:invitation_resend", args=[invitation.pk])
    )

    assert response.status_code == 200
    new = _token_in(response)
    assert new != old
    client.logout()
    assert client.get(accept_url(old)).status_code == 404, "the old link is dead"
    assert client.get(accept_url(new)).status_code == 200
    invitation.refresh_from_db()
    assert (invitation.expires_at - timezone.now()).days >= 29, "a fresh expiry"
    assert OutboundEmail.objects.filter(topic=f"invitation:{invitation.pk}").count() == 1, (
        "the unsent email carrying the dead link was withdrawn; the new one replaces it"
    )
    assert f"/invite/{new}/" in OutboundEmail.objects.get(topic=f"invitation:{invitation.pk}").delivered_body()
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_RESEND).count() == 1


def test_an_expired_invitation_can_be_resent(world, client):
    invitation, old = _invite(world.users["global_admin"])
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert client.get(accept_url(old)).status_code == 410
    invitation, token = invitation_resend(actor=world.users["global_admin"], invitation=invitation)
    assert invitation.effective_status == Invitation.Status.PENDING
    assert client.get(accept_url(token)).status_code == 200


def test_revoke_kills_the_link_and_cannot_be_repeated(world, client_for, client):
    invitation, token = _invite(world.users["global_admin"])
    staff = client_for(world.users["sales_agent"])
    url = reverse("relationships:invitation_revoke", args=[invitation.pk])

    response = staff.post(url, follow=True)

    assert "was revoked" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED and invitation.revoked_at
    assert not OutboundEmail.objects.filter(topic=f"invitation:{invitation.pk}").exists()
    again = staff.post(url, follow=True)
    assert "Only a pending invitation can be revoked" in again.content.decode()
    resend = staff.post(reverse("relationships:invitation_resend", args=[invitation.pk]), follow=True)
    assert "can be sent again" in resend.content.decode()
    assert ActivityEntry.objects.filter(action=Actions.INVITATION_REVOKE).count() == 1
    client.logout()
    assert client.get(accept_url(token)).status_code == 410


def test_the_list_shows_who_sent_what_to_whom_state_expiry_and_email_state(world, client_for):
    pending, _ = _invite(world.users["global_admin"], email="pending@a.example.net")
    revoked, _ = _invite(world.users["sales_agent"], email="revoked@a.example.net")
    invitation_revoke(actor=world.users["global_admin"], invitation=revoked)
    expired, _ = _invite(world.users["global_admin"], email="expired@a.example.net")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    OutboundEmail.objects.filter(topic=f"invitation:{expired.pk}").update(
        status=OutboundEmail.Status.FAILED, attempts=3, last_error="SMTPServerDisconnected: gone"
    )
    _invite(world.user_b, email="other-partner@a.example.net")

    client = client_for(world.users["admin_agent"])
    page = client.get(reverse(LIST)).content.decode()

    assert "other-partner@a.example.net" not in page, "another partner's invitations never show"
    for email in ("pending@a.example.net", "revoked@a.example.net", "expired@a.example.net"):
        assert email in page
    assert world.users["sales_agent"].email in page, "who sent it"
    assert "Failed after 3 attempts, retrying" in page and "SMTPServerDisconnected: gone" in page
    assert "Waiting to be sent" in page
    rows = {i.pk: i for i in client.get(reverse(LIST)).context["invitations"]}
    assert rows[pending.pk].state_label == "Pending" and rows[pending.pk].can_revoke
    assert rows[revoked.pk].state_label == "Revoked" and not rows[revoked.pk].can_resend
    assert rows[expired.pk].state_label == "Expired" and rows[expired.pk].can_resend

    filtered = client.get(reverse(LIST), {"status": "expired"}).context["invitations"]
    assert [i.pk for i in filtered] == [expired.pk]
    assert client.get(reverse(LIST), {"status": "bogus", "after": "garbage"}).status_code == 200


def test_a_user_limited_to_assigned_customers_sees_only_their_own_invitations(world, client_for):
    mine = make_user(world.partner_a, "sales_agent", scope=Scope.ASSIGNED)
    _invite(mine, email="mine@a.example.net")
    _invite(world.users["global_admin"], email="theirs@a.example.net")
    page = client_for(mine).get(reverse(LIST)).content.decode()
    assert "mine@a.example.net" in page and "theirs@a.example.net" not in page


def test_the_list_pages_by_fifty(world, client_for):
    for n in range(55):
        _invite(world.users["global_admin"], email=f"user{n}@a.example.net")
    client = client_for(world.users["global_admin"])
    first = client.get(reverse(LIST)).context
    assert len(first["invitations"]) == 50 and first["page"].next_cursor
    second = client.get(reverse(LIST), {"after": first["page"].next_cursor}).context
    assert len(second["invitations"]) == 5
    assert not {i.pk for i in first["invitations"]} & {i.pk for i in second["invitations"]}


def test_the_list_runs_the_same_number_of_queries_for_1_and_50_rows(world, client_for, django_assert_num_queries):
    client = client_for(world.users["global_admin"])
    other = make_user(world.partner_a, "sales_agent")
    _invite(world.users["global_admin"], email="first@a.example.net", customer=world.customer_in)
    client.get(reverse(LIST))  # warm the permission-id cache
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(LIST))
    for n in range(49):
        _invite(other if n % 2 else world.users["global_admin"], email=f"user{n}@a.example.net")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse(LIST))
    assert len(response.context["invitations"]) == 50


def test_seed_demo_adds_a_few_pending_invitations_per_partner_once(db):
    import os

    from django.core.management import call_command

    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
        call_command("seed_demo", stdout=devnull)
    for partner in Partner.objects.all():
        pending = partner.invitations.filter(status=Invitation.Status.PENDING)
        assert pending.count() == 3, partner
    northwind = Partner.objects.get(name="Northwind Traders")
    assert {i.provider.name for i in northwind.invitations.all()} == {"Fabrikam Distribution"}
