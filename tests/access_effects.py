"""The request bodies and effect checks that rows of the access matrix (tests/access.py) name.

A body builder returns the POST data for a row from the request's context; an effect check asserts, after an
allowed request, that the change happened (the activity entries are checked by the matrix itself, from the row).
Both are looked up by the names written in the table, so the table reads as the specification.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.models import Customer, Subscription
from partnerportal.mfa import services as mfa_services
from partnerportal.mfa.state import REAUTH_AT
from partnerportal.models import OutboundEmail, Partner, User
from permissions.models import PurchasePermission
from relationships.models import Invitation, Partnership, Relationship
from relationships.selectors import invitation_by_token
from tests.adminrelationships import access_targets as admin_relationship_targets
from tests.adminrelationships import dap_targets
from tests.api import access_targets as api_targets
from tests.api import access_targets_leads as api_lead_targets
from tests.api import access_targets_relationships as api_relationship_targets
from tests.api import access_targets_resources as api_resource_targets
from tests.api import access_targets_staff as api_staff_targets
from tests.factories import KNOWN_CODE, PASSWORD, customer_form_data, make_acceptance_code
from tests.leads import access_targets as lead_targets
from tests.mfa.helpers import mfa_enrol, session_verify, totp_code
from tests.profiles import access_targets as profile_targets
from tests.relationships.invite_helpers import acceptance_data, verify_mailbox
from tests.webhooks import access_targets as webhook_targets

NEW_PASSWORD = "Plum-Orchard-Lantern-58"
INVITED_EMAIL = "admin@invited.example.net"


@dataclass
class Ctx:
    """One request of the matrix: who sends it, to which URL, with what, and what came back."""

    world: Any
    column: str
    user: Any  # the signed-in user, or None
    kwargs: dict
    url: str
    expected: int
    client: Any = None
    data: dict = field(default_factory=dict)
    response: Any = None
    before: str = ""  # the database fingerprint before the request
    fingerprint: Callable[[], str] | None = None

    @property
    def customer(self):

        return Customer.objects.get(pk=self.kwargs["pk"])

    @property
    def location(self) -> str:
        return self.response.get("Location", "")


# --- bodies ---------------------------------------------------------------------------------------------------


def _valid_customer(ctx: Ctx) -> dict:
    return customer_form_data()


def _customer_edit(ctx: Ctx) -> dict:
    """What the edit page posts for the target customer, with the city changed."""

    customer = Customer.objects.filter(pk=ctx.kwargs["pk"]).first()
    if customer is None:  # no such customer for this user: any complete body will do
        return _valid_customer(ctx) | {"city": "Bellevue"}
    return {
        "company_name": customer.company_name,
        "country": customer.country,
        "address_line1": customer.address_line1,
        "address_line2": customer.address_line2,
        "city": "Bellevue",
        "state": f"{customer.country}-{customer.state}" if customer.state else "",
        "postal_code": customer.postal_code,
        "contact_first_name": customer.contact_first_name,
        "contact_last_name": customer.contact_last_name,
        "contact_email": customer.contact_email,
        "contact_phone": customer.contact_phone,
        "registration_id": customer.registration_id,
        "culture": customer.culture,
    }


def _agreement(ctx: Ctx) -> dict:
    return {
        "agreement_name": "Ana Kim",
        "agreement_email": "ana@customer.example.net",
        "agreement_date": timezone.localdate().isoformat(),
    }


def _acceptance(ctx: Ctx) -> dict:
    """A valid acceptance, from a session that confirmed the invited address with the emailed code (on a link that
    works; a dead link has no address to confirm)."""
    if invitation_by_token(ctx.kwargs["token"]) is not None:
        verify_mailbox(ctx.client, ctx.kwargs["token"])
    return acceptance_data(**{"profile-domain_prefix": "fourthcoffeeaccept"})


def _acceptance_unconfirmed(ctx: Ctx) -> dict:
    """The same valid acceptance from a session that never confirmed the address (a link holder, e.g. staff)."""
    return acceptance_data(**{"profile-domain_prefix": "fourthcoffeeaccept"})


def _code_right(ctx: Ctx) -> dict:
    """The code the invited address received (known to the test, stored with the real hashing)."""
    make_acceptance_code(invitation_by_token(ctx.kwargs["token"]))
    return {"step": "verify_code", "code": KNOWN_CODE}


def _import_template_upload(client: Client):
    template = client.get(reverse("relationships:customer_import_template"))
    assert template.status_code == 200
    return SimpleUploadedFile("customers.csv", template.content, content_type="text/csv")


def _import_file(ctx: Ctx) -> dict:
    """The downloadable template, uploaded as it is (its example row is a valid new customer)."""
    admin = Client()
    admin.force_login(ctx.world.users["global_admin"])
    return {"file": _import_template_upload(admin)}


def _import_payload(ctx: Ctx) -> dict:
    """The signed preview the page hands back: previewed by the user themself when they may import (it is bound
    to its user), otherwise by the global admin (a valid payload, just not theirs)."""
    previewer = Client()
    allowed = ctx.user is not None and ctx.expected == 302
    previewer.force_login(ctx.user if allowed else ctx.world.users["global_admin"])
    preview = previewer.post(reverse("relationships:customer_import"), {"file": _import_template_upload(previewer)})
    match = re.search(r'name="payload" value="([^"]+)"', preview.content.decode())
    assert match, "the preview offers no payload to apply"
    return {"payload": match.group(1)}


def _purchase_allow(ctx: Ctx) -> dict:

    data = {}
    for product in PurchasePermission.Product.values:
        allowed = "1" if product == PurchasePermission.Product.AZURE_RESERVATIONS else "0"
        data |= {f"{product}-allowed": allowed, f"{product}-expires_on": "", f"{product}-note": "PO 42"}
    return data


def _new_staff_user(ctx: Ctx) -> dict:
    return {
        "email": "Jane.Doe@Contoso.example",
        "first_name": "Jane",
        "last_name": "Doe",
        "admin_role": "",
        "agent_role": "helpdesk_agent",
        "scope": "partner",
    }


def _staff_user_edit(ctx: Ctx) -> dict:
    return {
        "first_name": "Renamed",
        "last_name": "Agent",
        "admin_role": "",
        "agent_role": "sales_agent",
        "scope": "partner",
    }


def _login(ctx: Ctx) -> dict:
    return {"username": ctx.world.users["sales_agent"].email, "password": PASSWORD}


BODIES: dict[str, Callable[[Ctx], dict]] = {
    "empty": lambda ctx: {},
    "valid customer": _valid_customer,
    "customer, city changed": _customer_edit,
    "agreement attested": _agreement,
    "new tag VIP": lambda ctx: {"new_names": "VIP"},
    "subscription E3": lambda ctx: {"offer_name": "E3", "quantity": "1"},
    "suspend": lambda ctx: {"action": "suspend"},
    "invitation": lambda ctx: {"email": INVITED_EMAIL, "message": "Please accept.", "dap": "on"},
    "acceptance, new customer": _acceptance,
    "acceptance, address not confirmed": _acceptance_unconfirmed,
    "send code": lambda ctx: {"step": "send_code"},
    "right code": _code_right,
    "end: reason and statement": lambda ctx: {"reason": "no_longer_transacting", "details": "", "confirm": "on"},
    "restore invitation": lambda ctx: {"email": "admin@customer.example", "message": "Come back"},
    "partnership request": lambda ctx: {"email": "admin@reseller.example", "message": "Hello"},
    "confirm": lambda ctx: {"confirm": "on"},
    "import file": _import_file,
    "import payload": _import_payload,
    "reservations allowed": _purchase_allow,
    "new staff user": _new_staff_user,
    "staff user, role changed": _staff_user_edit,
    "new password twice": lambda ctx: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    "old and new password": lambda ctx: {
        "old_password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    },
    "sales agent's credentials": _login,
    "language ko": lambda ctx: {"language": "ko"},
    "time zone Asia/Seoul": lambda ctx: {"time_zone": "Asia/Seoul"},
    "unknown time zone": lambda ctx: {"time_zone": "Mars/Olympus_Mons"},
    "sales agent's email": lambda ctx: {"email": ctx.world.users["sales_agent"].email},
}


# --- effects --------------------------------------------------------------------------------------------------


def _nothing_written(ctx: Ctx) -> None:
    assert ctx.fingerprint() == ctx.before, "the form came back, yet something was written"


def _customer_created(ctx: Ctx) -> None:

    customer = Customer.objects.get(primary_domain__startswith="adatumcorp.")
    assert customer.relationships.filter(partner=ctx.world.partner_a, status="active").exists()
    if ctx.column == "asg":  # created, but not assigned to them: they land on the list
        assert ctx.location == reverse("customers:customer_list")
    else:
        assert ctx.location == reverse("customers:customer_detail", args=[customer.pk])


def _customer_changed(ctx: Ctx) -> None:
    assert ctx.customer.city == "Bellevue"
    assert ctx.location == reverse("customers:customer_detail", args=[ctx.kwargs["pk"]])


def _agreement_attested(ctx: Ctx) -> None:
    customer = ctx.customer
    assert (customer.agreement_status, customer.agreement_name) == ("attested_by_partner", "Ana Kim")


def _tagged(ctx: Ctx) -> None:
    names = ctx.customer.customer_tags.filter(tag__partner=ctx.world.partner_a).values_list("tag__name", flat=True)
    assert list(names) == ["VIP"]


def _subscription_added(ctx: Ctx) -> None:

    assert Subscription.objects.filter(customer_id=ctx.kwargs["pk"], partner=ctx.world.partner_a, offer_name="E3")


def _subscription_suspended(ctx: Ctx) -> None:

    assert Subscription.objects.get(pk=ctx.kwargs["subscription_pk"]).status == "suspended"


def _invitation_sent(ctx: Ctx) -> None:

    invitation = Invitation.objects.get(partner=ctx.world.partner_a, email=INVITED_EMAIL, status="pending")
    assert OutboundEmail.objects.filter(to=INVITED_EMAIL).exists(), "the invitation email is queued"
    assert reverse("relationships:invitation_accept", kwargs={"token": "x"})[: -len("x/")] in ctx.response.text
    assert invitation.created_by_id == ctx.user.pk


def _invitation_resent(ctx: Ctx) -> None:

    invitation = Invitation.objects.get(pk=ctx.kwargs["pk"])
    assert invitation.status == "pending"
    token = re.search(r"/invite/([^/\"<\s]+)/", ctx.response.text).group(1)
    assert Client().get(reverse("relationships:invitation_accept", kwargs={"token": token})).status_code == 200
    old = ctx.world.extra["old_token"]
    assert token != old
    assert Client().get(reverse("relationships:invitation_accept", kwargs={"token": old})).status_code in (404, 410)


def _invitation_revoked(ctx: Ctx) -> None:

    assert Invitation.objects.get(pk=ctx.kwargs["pk"]).status == "revoked"


def _invitation_accepted(ctx: Ctx) -> None:

    customer = Customer.objects.get(primary_domain__startswith="fourthcoffeeaccept.")
    assert customer.relationships.filter(partner=ctx.world.partner_a, status="active").exists()
    assert customer.agreement_status == "accepted_by_customer"
    assert Invitation.objects.get(customer=customer).status == "accepted"


def _code_sent(ctx: Ctx) -> None:
    invitation = invitation_by_token(ctx.kwargs["token"])
    [message] = OutboundEmail.objects.filter(topic=f"acceptance-code:{invitation.pk}")
    assert message.to == invitation.email, "the code goes to the invited address only"
    assert invitation.acceptance_codes.count() == 1


def _address_confirmed(ctx: Ctx) -> None:
    invitation = invitation_by_token(ctx.kwargs["token"])
    assert invitation.acceptance_codes.get().verified_at is not None
    assert 'id="acceptance-form"' in ctx.response.content.decode(), "the acceptance form follows"


def _relationship_ended(ctx: Ctx) -> None:
    relationship = ctx.customer.relationships.get(partner=ctx.world.partner_a)
    assert relationship.status == "ended"


def _restore_sent(ctx: Ctx) -> None:

    relationship = Relationship.objects.get(pk=ctx.kwargs["pk"])
    assert Invitation.objects.filter(
        partner=ctx.world.partner_a, customer=relationship.customer, email="admin@customer.example", status="pending"
    ).exists()


def _partnership_requested(ctx: Ctx) -> None:

    assert Partnership.objects.filter(
        provider=ctx.world.partner_a, email="admin@reseller.example", status=Partnership.Status.INVITED
    ).exists()


def _partnership_authorized(ctx: Ctx) -> None:

    assert Partnership.objects.get(reseller=ctx.world.partner_a).status == "active"


def _partnership_removed(ctx: Ctx) -> None:

    assert Partnership.objects.get(pk=ctx.kwargs["pk"]).status != "active"


def _import_previewed(ctx: Ctx) -> None:
    assert [row.status for row in ctx.response.context["rows"]] == ["valid"]
    _nothing_written(ctx)


def _imported(ctx: Ctx) -> None:

    customer = Customer.objects.get(primary_domain__startswith="adatumcorp.")  # the template's example row
    assert customer.relationships.get(partner=ctx.world.partner_a).source == Relationship.Source.IMPORT


def _purchase_allowed(ctx: Ctx) -> None:

    # A stored permission is an allowed one; "not allowed" is its absence.
    permissions = PurchasePermission.objects.filter(customer_id=ctx.kwargs["pk"], partner=ctx.world.partner_a)
    assert list(permissions.values_list("product", "note")) == [
        (PurchasePermission.Product.AZURE_RESERVATIONS, "PO 42")
    ]


def _staff_user_added(ctx: Ctx) -> None:

    user = User.objects.get(email="jane.doe@contoso.example")
    assert (user.partner, user.agent_role, user.has_usable_password()) == (ctx.world.partner_a, "helpdesk_agent", False)
    assert OutboundEmail.objects.filter(to=user.email).exists(), "the set-password link is emailed"


def _staff_user_changed(ctx: Ctx) -> None:

    user = User.objects.get(pk=ctx.kwargs["pk"])
    assert (user.first_name, user.agent_role) == ("Renamed", "sales_agent")


def _staff_user_active(active: bool) -> Callable[[Ctx], None]:
    def check(ctx: Ctx) -> None:

        assert User.objects.get(pk=ctx.kwargs["pk"]).is_active is active

    return check


def _reset_link_sent(ctx: Ctx) -> None:

    user = User.objects.get(pk=ctx.kwargs["pk"])
    assert OutboundEmail.objects.filter(to=user.email, body__contains="/staff/set-password/").exists()


def _password_set(ctx: Ctx) -> None:

    user = User.objects.get(email=ctx.world.extra["set_password_email"])
    assert user.check_password(NEW_PASSWORD)


def _password_changed(ctx: Ctx) -> None:
    user = type(ctx.user).objects.get(pk=ctx.user.pk)
    assert user.check_password(NEW_PASSWORD)
    assert ctx.location == reverse("password_change_done")


def _signed_in(ctx: Ctx) -> None:
    expected = ctx.user or ctx.world.users["sales_agent"]
    assert int(ctx.client.session["_auth_user_id"]) == expected.pk


def _signed_out(ctx: Ctx) -> None:
    assert "_auth_user_id" not in ctx.client.session


def _language_chosen(ctx: Ctx) -> None:

    assert ctx.response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"


def _time_zone_set(ctx: Ctx) -> None:
    assert type(ctx.user).objects.get(pk=ctx.user.pk).time_zone == "Asia/Seoul"
    assert ctx.location == reverse("preferences")


def _reset_email_queued(ctx: Ctx) -> None:

    assert OutboundEmail.objects.filter(to=ctx.world.users["sales_agent"].email).exists()
    assert ctx.location == reverse("password_reset_done")


EFFECTS: dict[str, Callable[[Ctx], None]] = {
    "signed out": _signed_out,
    "language chosen": _language_chosen,
    "time zone set": _time_zone_set,
    "reset email queued": _reset_email_queued,
    "nothing written": _nothing_written,
    "customer created": _customer_created,
    "customer changed": _customer_changed,
    "agreement attested": _agreement_attested,
    "tagged VIP": _tagged,
    "subscription added": _subscription_added,
    "subscription suspended": _subscription_suspended,
    "invitation sent": _invitation_sent,
    "invitation resent": _invitation_resent,
    "invitation revoked": _invitation_revoked,
    "invitation accepted": _invitation_accepted,
    "acceptance code sent": _code_sent,
    "address confirmed": _address_confirmed,
    "relationship ended": _relationship_ended,
    "restore invitation sent": _restore_sent,
    "partnership requested": _partnership_requested,
    "partnership authorized": _partnership_authorized,
    "partnership removed": _partnership_removed,
    "import previewed, nothing written": _import_previewed,
    "customer imported": _imported,
    "reservations allowed": _purchase_allowed,
    "staff user added": _staff_user_added,
    "staff user changed": _staff_user_changed,
    "staff user deactivated": _staff_user_active(False),
    "staff user reactivated": _staff_user_active(True),
    "reset link sent": _reset_link_sent,
    "password set": _password_set,
    "password changed": _password_changed,
    "signed in": _signed_in,
}


# --- multi-factor sign-in (partnerportal/mfa, the staff security settings and MFA reset) ------------------------


def _pending_authenticator_code(ctx: Ctx) -> dict:
    """A pending authenticator of the signed-in user, and the code its app shows now."""
    if ctx.user is None:
        return {"code": "123456"}
    device = mfa_services.totp_device_start(user=ctx.user)
    return {"code": totp_code(device)}


def _enrolled_first(ctx: Ctx) -> dict:
    """The signed-in user enrols (before the request); this session stays, verified by the new authenticator."""
    if ctx.user is not None:
        _device, codes = mfa_enrol(ctx.user, keep_session_key=ctx.client.session.session_key)
        session_verify(ctx.client, ctx.user)
        ctx.world.extra["old_recovery_digests"] = {mfa_services.recovery_code_digest(code) for code in codes}
    return {}


def _own_password_after_a_while(ctx: Ctx) -> dict:
    """The user's password, sent by a session whose last confirmation is older than the re-auth window."""
    if ctx.user is not None:
        session = ctx.client.session
        session[REAUTH_AT] = int(time.time()) - settings.PORTAL_REAUTH_SECONDS - 1
        session.save()
    return {"password": PASSWORD}


def _target_enrolled_confirmed(ctx: Ctx) -> dict:
    """The staff user in the URL has an authenticator; the confirmation is ticked."""
    mfa_enrol(User.objects.get(pk=ctx.kwargs["pk"]))
    return {"confirm": "on"}


def _setup_started(ctx: Ctx) -> None:
    assert TOTPDevice.objects.filter(user=ctx.user, confirmed=False).exists()
    assert ctx.location == reverse("mfa:confirm")


def _authenticator_confirmed(ctx: Ctx) -> None:
    assert TOTPDevice.objects.filter(user=ctx.user, confirmed=True).count() == 1
    assert StaticToken.objects.filter(device__user=ctx.user).count() == 10


def _recovery_codes_regenerated(ctx: Ctx) -> None:
    stored = set(StaticToken.objects.filter(device__user=ctx.user).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & ctx.world.extra["old_recovery_digests"]


def _reauthenticated(ctx: Ctx) -> None:
    assert time.time() - ctx.client.session[REAUTH_AT] < 5


def _mfa_required(ctx: Ctx) -> None:
    assert Partner.objects.get(pk=ctx.world.partner_a.pk).require_mfa is True


def _mfa_reset(ctx: Ctx) -> None:
    assert not TOTPDevice.objects.filter(user_id=ctx.kwargs["pk"]).exists()
    assert not StaticToken.objects.filter(device__user_id=ctx.kwargs["pk"]).exists()


BODIES.update(
    {
        "code from the pending authenticator": _pending_authenticator_code,
        "enrolled first": _enrolled_first,
        "own password after a while": _own_password_after_a_while,
        "require MFA": lambda ctx: {"require_mfa": "on"},
        "target enrolled, confirmed": _target_enrolled_confirmed,
    }
)
EFFECTS.update(
    {
        "authenticator set-up started": _setup_started,
        "authenticator confirmed": _authenticator_confirmed,
        "recovery codes regenerated": _recovery_codes_regenerated,
        "re-authenticated": _reauthenticated,
        "MFA required": _mfa_required,
        "MFA reset": _mfa_reset,
    }
)

# The admin-relationship pages' bodies and effects live beside their targets.
BODIES.update(admin_relationship_targets.BODIES)
EFFECTS.update(admin_relationship_targets.EFFECTS)
# Role-template edit and delete, DAP to admin relationships.
BODIES.update(dap_targets.BODIES)
EFFECTS.update(dap_targets.EFFECTS)
# The API's and the token pages' bodies and effects (tests/api/access_targets.py).
BODIES.update(api_targets.BODIES)
EFFECTS.update(api_targets.EFFECTS)
# The webhook pages' bodies and effects (tests/webhooks/access_targets.py).
BODIES.update(webhook_targets.BODIES)
EFFECTS.update(webhook_targets.EFFECTS)
# The API's relationship rows (tests/api/access_targets_relationships.py).
BODIES.update(api_relationship_targets.BODIES)
EFFECTS.update(api_relationship_targets.EFFECTS)
# The API's staff and admin-relationship rows (tests/api/access_targets_staff.py).
BODIES.update(api_staff_targets.BODIES)
EFFECTS.update(api_staff_targets.EFFECTS)
# The API's agreement, domain, subscription, purchase-permission and partnership rows.
BODIES.update(api_resource_targets.BODIES)
EFFECTS.update(api_resource_targets.EFFECTS)

BODIES.update(profile_targets.BODIES)
EFFECTS.update(profile_targets.EFFECTS)
# The lead pages' bodies and effects (tests/leads/access_targets.py).
BODIES.update(lead_targets.BODIES)
EFFECTS.update(lead_targets.EFFECTS)
BODIES.update(api_lead_targets.BODIES)
EFFECTS.update(api_lead_targets.EFFECTS)
