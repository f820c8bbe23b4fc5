"""Stored markup: payloads such as `<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `javascript:`,
`{{ 7*7 }}` and `{% debug %}` put into every text field a user can write (found by walking the models' CharField
and TextField, so a new field is covered or must be listed here with the reason it cannot carry them), then every
page of the URL resolver that the world's users reach (every role, the public pages, the CSV exports and the JSON
endpoint) and every email is read: the markup is never rendered raw, no template is evaluated, no `javascript:`
URL is emitted, and CSV cells carrying the payload cannot start a spreadsheet formula.

Stored values are set two ways: through the real services where that is how users write them (tags, invitations,
partnership requests, staff users, ending a relationship, customer edits, so the activity log and the outbox
carry them as the product writes them), and for the remaining fields straight into the rows the pages show (what
an operator in /admin/ or any future import path may store). The import preview and the acceptance form also get
the payloads through real POSTs, since they show what was just submitted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from adminrelationships.models import AdminRelationship, RoleTemplate, SecurityGroup
from adminrelationships.services import (
    access_assignment_set,
    admin_relationship_approve,
    admin_relationship_terminate,
    role_template_create,
    security_group_save,
)
from api.services import api_token_create
from customers.models import Customer, Subscription, Tag
from customers.services.customers import customer_update
from customers.services.purchase_permissions import purchase_permission_set
from customers.services.tags import customer_tags_set
from leads.models import Lead
from leads.services import lead_accept, lead_decline, lead_submit
from partnerportal.infrastructure.emails import email_send
from partnerportal.infrastructure.heartbeat import heartbeat_beat
from partnerportal.models import OutboundEmail, Partner, SetPasswordToken, User, WorkerHeartbeat
from partnerportal.staff.services import set_password_token_issue, staff_user_create
from partnerportal.webhooks.models import WebhookDelivery
from partnerportal.webhooks.services import webhook_endpoint_create
from permissions import policy
from permissions.models import PurchasePermission
from profiles.logo import logo_process
from profiles.models import BusinessProfile
from profiles.services import (
    business_profile_create,
    business_profile_publish,
    directory_contact,
    profile_location_add,
)
from relationships.models import Invitation, Partnership, Relationship
from relationships.services import invitation_create
from relationships.services.lifecycle import relationship_end
from relationships.services.partnerships import partnership_request
from tests.access import NOT_IN_MATRIX
from tests.adminrelationships.helpers import DIRECTORY_READERS, request_for, token_of
from tests.api.helpers import ApiClient, token_for
from tests.conftest import build_world
from tests.customers.access_targets import _subscription
from tests.factories import make_customer, make_partner, make_user
from tests.partnerportal.test_access import ROLE_COLUMNS
from tests.profiles.helpers import image_bytes
from tests.relationships.invite_helpers import acceptance_data

# The payloads, longest first; a field gets the longest that fits (with room for a "#<pk>" suffix that keeps
# unique fields unique). Each holds "<script>alert(1)" or "<img src=x onerror", the raw forms that must never
# appear in HTML, and the template probes where room allows.
PAYLOADS = [
    '=HYPERLINK("https://evil.example")<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    "javascript:alert(1){{ 7*7 }}{% debug %}{{ 314159|add:1 }}",
    '=1+"><script>alert(1)</script><img src=x onerror=alert(1)>{{ 314159|add:1 }}',
    '=1+"><script>alert(1)</script>{{7*7}}',
    '"><script>alert(1)',
]
SUFFIX_ROOM = 8
RAW = ("<script>alert(1)", "<img src=x onerror")
EVALUATED = ("314160", "'csrf_token':", "sql_queries")  # {{ 314159|add:1 }} and {% debug %} output
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Text fields no user can fill with arbitrary text, and why. Every other CharField/TextField must be in WRITERS.
NOT_USER_WRITABLE = {
    "adminrelationships.InvitationRequest.template_name": (
        "copied by the service from a role template's name (swept as RoleTemplate.name); no page renders this column"
    ),
    "partnerportal.Partner.market": "an ISO country code picked from a list by the operator",
    "partnerportal.Partner.email_domain": "validated as a domain name (letters, digits, dots, hyphens)",
    "partnerportal.User.password": "a password hash; the password itself is never shown",
    "partnerportal.User.email": "validated as an email address (no < > or quotes)",
    "partnerportal.User.time_zone": "an IANA zone name picked from tzdata's list (the preferences form refuses others)",
    "partnerportal.OutboundEmail.to": "validated as an email address",
    "partnerportal.OutboundEmail.subject": "rendered by the portal from its templates (checked in the outbox test)",
    "partnerportal.OutboundEmail.body": "rendered by the portal from its templates (checked in the outbox test)",
    "partnerportal.OutboundEmail.last_error": "the delivery error from the SMTP library, shown only in /admin/",
    "partnerportal.OutboundEmail.topic": "an internal key the portal builds (kind:id)",
    "partnerportal.OutboundEmail.secret": "a generated token, blanked after delivery",
    "partnerportal.SetPasswordToken.token_hash": "a SHA-256 digest",
    "partnerportal.RateLimitCounter.key": "an internal key the portal builds (a digest of address or token)",
    "partnerportal.ScheduledRun.job": "a job name registered in code (schedule_register)",
    "partnerportal.ScheduledRun.runner": "host name and process id of the runner",
    "partnerportal.ScheduledRun.outcome": "a job's own summary (counts), shown nowhere but /admin/",
    "partnerportal.OutboundEmail.request_id": "a request ID: a token of at most 64 [A-Za-z0-9._-], or generated",
    "partnerportal.WorkerHeartbeat.name": "kind, host name and process id of a worker",
    "webhooks.WebhookDelivery.request_id": "a request ID: a token of at most 64 [A-Za-z0-9._-], or generated",
    "accounts.PortalSession.session_key": "generated by Django",
    "accounts.PortalSession.session_data": "signed, encoded session data Django writes",
    "customers.Customer.primary_domain": "built from a prefix of letters and digits only",
    "customers.Customer.country": "an ISO country code from a list",
    "customers.Customer.state": "a subdivision code from the country's list",
    "customers.Customer.postal_code": "checked against the country's postal-code pattern",
    "customers.Customer.contact_email": "validated as an email address",
    "customers.Customer.contact_phone": "checked as a phone number (digits, spaces, + - ( ))",
    "customers.Customer.language": "derived from the culture, a code from a list",
    "customers.Customer.culture": "a culture code from a list",
    "customers.Customer.agreement_email": "validated as an email address",
    "relationships.Partnership.email": "validated as an email address",
    "relationships.Partnership.token_hash": "a SHA-256 digest",
    "relationships.Invitation.email": "validated as an email address",
    "relationships.Invitation.token_hash": "a SHA-256 digest",
    "relationships.AcceptanceCode.code_hash": "an HMAC-SHA-256 digest of the emailed code",
    "relationships.Invitation.accepted_email": "validated as an email address",
    "adminrelationships.AdminRelationship.name": "letters, digits, hyphens, underscores and spaces only (constraint)",
    "adminrelationships.AdminRelationship.request_email": "copied from the customer's validated contact address",
    "adminrelationships.AdminRelationship.token_hash": "a SHA-256 digest",
    "activity.ActivityEntry.actor_email": "copied from the acting user's validated email address",
    "activity.ActivityEntry.customer_name": "copied from the customer's name, which carries the payload",
    "api.ApiToken.prefix": "the first characters of a generated token",
    "api.ApiToken.token_hash": "a SHA-256 digest",
    "api.IdempotencyRecord.key": "letters, digits and - _ . : only (checked by the API before it is stored)",
    "api.IdempotencyRecord.method": "the request's HTTP method, of an endpoint that exists",
    "api.IdempotencyRecord.path": "the path of an API endpoint that exists; never shown",
    "api.IdempotencyRecord.request_hash": "a SHA-256 digest",
    "webhooks.WebhookEndpoint.url": "validated as a URL (Django's URL validator: no spaces, < > or quotes)",
    "webhooks.WebhookEndpoint.secret": "a generated secret (whsec_ and base64)",
    "webhooks.WebhookDelivery.message_id": "generated (msg_ and hex digits)",
    "webhooks.WebhookDelivery.body": "JSON the portal writes from the API's representation; never shown on a page",
    "profiles.BusinessProfile.country": "an ISO country code from a list",
    "profiles.BusinessProfile.logo_hash": "a SHA-256 digest of the re-encoded logo",
    "profiles.BusinessProfile.search_text": "derived by the services from name, description and skills; never shown",
    "profiles.ProfileLocation.state": "a subdivision code from the country's list",
    "profiles.ProfileLocation.postal_code": "checked against the country's postal-code pattern",
    "leads.Lead.profile_country": "copied from the business profile's country code",
    "leads.Lead.country": "an ISO country code from a list (the Contact me form)",
    "leads.Lead.email": "validated as an email address (the Contact me form)",
}
# Text fields users write, and how this module fills them: "service" (a real service call in _fill writes the
# payload) or "row" (the payload is stored straight into every row of the table, as an operator could).
WRITERS = {
    "partnerportal.Partner.name": "row",  # the operator names partners (create_partner, /admin/)
    "partnerportal.Partner.partner_id": "row",
    "partnerportal.User.first_name": "service",  # staff names: the global admin's staff page
    "partnerportal.User.last_name": "service",
    "permissions.PurchasePermission.note": "service",
    "customers.Customer.company_name": "service",  # customer fields: add/edit, import, acceptance profile
    "customers.Customer.address_line1": "service",
    "customers.Customer.address_line2": "service",
    "customers.Customer.city": "service",
    "customers.Customer.contact_first_name": "service",
    "customers.Customer.contact_last_name": "service",
    "customers.Customer.registration_id": "row",
    "customers.Customer.agreement_name": "row",  # attested by staff or typed by the customer at acceptance
    "customers.Tag.name": "service",
    "customers.Subscription.offer_name": "service",
    "relationships.Relationship.end_reason_details": "service",
    "relationships.Partnership.message": "service",
    "relationships.Invitation.message": "service",
    "relationships.Invitation.accepted_name": "row",  # typed by the customer on the acceptance page
    "adminrelationships.AdminRelationship.approved_name": "service",  # typed by the customer on the approval page
    "adminrelationships.AdminRelationship.termination_reason": "service",
    "adminrelationships.RoleTemplate.name": "service",
    "adminrelationships.SecurityGroup.name": "service",
    "api.ApiToken.name": "service",  # typed by the token's owner on the token page
    "webhooks.WebhookEndpoint.description": "service",  # typed by a global admin on the webhooks page
    "webhooks.WebhookDelivery.last_error": "row",  # the delivery error, which can quote the receiver's response
    # the business profile form (a global admin) and its locations; the links as rows (a URL may hold quotes)
    "profiles.BusinessProfile.description": "service",
    "profiles.BusinessProfile.website": "row",
    "profiles.BusinessProfile.linkedin_url": "row",
    "profiles.ProfileLocation.address_line1": "service",
    "profiles.ProfileLocation.address_line2": "service",
    "profiles.ProfileLocation.city": "service",
    # the public "Contact me" form (a visitor)
    # Leads: typed by a visitor on the Contact me form (lead_submit), then by staff accepting and declining.
    "leads.Lead.company_name": "service",
    "leads.Lead.contact_name": "service",
    "leads.Lead.phone": "service",
    "leads.Lead.message": "service",
    "leads.Lead.deal_name": "service",
    "leads.Lead.notes": "service",
    "leads.Lead.crm_id": "service",
    "leads.Lead.campaign_id": "service",
    "leads.Lead.decline_notes": "service",
}
TEXT_APPS = {
    *("partnerportal", "accounts", "customers", "relationships", "adminrelationships", "permissions", "activity"),
    "api",
    "webhooks",
    "profiles",
    "leads",
}


def _text_fields() -> Iterator[tuple[str, models.Field]]:
    for model in apps.get_models():
        if model._meta.app_label not in TEXT_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                yield f"{model._meta.label}.{field.name}", field


def payload_for(max_length: int | None, suffix: str = "") -> str:
    room = (max_length or 10_000) - (SUFFIX_ROOM if suffix else 0)
    return next(p for p in PAYLOADS if len(p) <= room) + suffix


def test_every_text_field_is_written_or_listed_with_a_reason():
    fields = dict(_text_fields())
    unlisted = sorted(set(fields) - set(WRITERS) - set(NOT_USER_WRITABLE))
    assert not unlisted, f"text fields with no way to set them in {__name__}.WRITERS (or a reason not to): {unlisted}"
    assert not set(WRITERS) & set(NOT_USER_WRITABLE)
    assert sorted((set(WRITERS) | set(NOT_USER_WRITABLE)) - set(fields)) == [], "entries for fields that are gone"


def _fill(world) -> dict:
    """Put the payloads everywhere users write text; returns the extra objects the pages need."""
    long = payload_for(None)
    # Partner A is an indirect provider here, so its partnership pages show a reseller's and a request's message.
    Partner.objects.filter(pk=world.partner_a.pk).update(type=Partner.Type.INDIRECT_PROVIDER)
    admin = User.objects.get(pk=world.users["global_admin"].pk)  # fresh: its actions follow the partner type
    for customer in (world.customer_in, world.customer_unassigned):
        customer_update(
            actor=admin,
            customer=customer,
            data={
                "company_name": payload_for(255),
                "address_line1": payload_for(200),
                "address_line2": payload_for(200),
                "city": payload_for(100),
                "contact_first_name": payload_for(40),
                "contact_last_name": payload_for(40),
            },
        )
    customer = Customer.objects.get(pk=world.customer_in.pk)
    customer_tags_set(actor=admin, customer=customer, tag_ids=[], new_names=[payload_for(50)])
    subscription = _subscription(customer, admin, offer_name=payload_for(200), is_azure_plan=True)
    purchase_permission_set(
        actor=User.objects.get(pk=world.users["admin_agent"].pk),
        customer=customer,
        product=PurchasePermission.Product.AZURE_RESERVATIONS,
        allowed=True,
        note=payload_for(500),
    )
    invitation, invite_token = invitation_create(actor=admin, email="it@invited.example.net", message=long, dap=True)
    partnership_request(actor=admin, email="admin@reseller.example", message=long)
    reseller = make_partner(type=Partner.Type.INDIRECT_RESELLER)
    Partnership.objects.create(provider=world.partner_a, reseller=reseller, status="active", message=long)
    staff = staff_user_create(
        partner=world.partner_a,
        email="new.staff@contoso.example",
        agent_role="helpdesk_agent",
        first_name=payload_for(40),
        last_name=payload_for(40),
    )
    set_password_token = set_password_token_issue(user=staff, purpose=SetPasswordToken.Purpose.WELCOME)
    ended_customer = make_customer(world.partner_a, actor=admin)
    ended = relationship_end(actor=admin, customer=ended_customer, reason="other", details=long)
    # A provider of its own invites partner A's reseller sibling: that reseller's staff open the link's page.
    provider_admin = make_user(make_partner(type=Partner.Type.INDIRECT_PROVIDER), "global_admin")
    Partner.objects.filter(pk=provider_admin.partner_id).update(name=payload_for(255))
    _partnership, partnership_token = partnership_request(
        actor=provider_admin, email="admin@reseller.example", message=long
    )
    # Admin relationships: an approved one (the approver's name), a terminated one (the reason), a pending one (its
    # approval page), and a role template named with the payload.
    agent = User.objects.get(pk=world.users["admin_agent"].pk)
    role_template = role_template_create(actor=agent, name=payload_for(100), roles=[DIRECTORY_READERS], is_default=True)
    approved = request_for(customer, agent, name="Tier 1")
    admin_relationship_approve(token=token_of(approved), approver_name=payload_for(100))
    ended_admin = request_for(customer, agent, name="Tier 2")
    admin_relationship_terminate(actor=agent, relationship=ended_admin, reason=payload_for(500))
    pending_admin = request_for(customer, agent, name="Tier 3")
    group = security_group_save(actor=agent, name=payload_for(100), members=[agent])
    access_assignment_set(actor=agent, relationship=approved, group=group, roles=[DIRECTORY_READERS])
    # A webhook endpoint described with the payload, with one logged delivery (its error becomes the payload below).
    endpoint = webhook_endpoint_create(
        actor=world.users["global_admin"],
        url="http://127.0.0.1:9/hooks",
        event_types=["customer.updated"],
        description=payload_for(200),
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event_type="customer.updated", body="{}")
    # A published business profile with the payloads in its description, skills and a location's address, and a
    # lead sent through its "Contact me" form with the payloads in every text the visitor types.
    profile = business_profile_create(
        actor=admin,
        country="US",
        data={"description": long, "skills": [payload_for(50)], "industries": ["healthcare"]},
        logo=logo_process(image_bytes()),
    )
    location = profile_location_add(
        actor=admin,
        profile=profile,
        data={
            "address_line1": payload_for(200),
            "address_line2": payload_for(200),
            "city": payload_for(100),
            "state": "WA",
            "postal_code": "98052",
        },
    )
    business_profile_publish(actor=admin, profile=profile)
    directory_contact(
        location=location,
        data={
            "company_name": payload_for(255),
            "contact_name": payload_for(200),
            "email": "visitor@adatum.example",
            "phone": payload_for(50),
            "country": "US",
            "company_size": "small",
            "message": long,
        },
        client_address="203.0.113.9",
    )
    # Fields written as rows: every row gets the payload (with its pk where the column is unique).
    for label, how in WRITERS.items():
        if how != "row":
            continue
        app_model, name = label.rsplit(".", 1)
        model = apps.get_model(app_model)
        field = model._meta.get_field(name)
        for pk in model.objects.values_list("pk", flat=True):
            suffix = f"#{pk}"[:SUFFIX_ROOM] if field.unique else ""
            model.objects.filter(pk=pk).update(**{name: payload_for(field.max_length, suffix)})
    Invitation.objects.filter(pk=invitation.pk).update(accepted_name=payload_for(81))
    # Every staff user's own token page and the global admin's list of the partner's tokens show the names.
    for user in world.users.values():
        if policy.user_actions(user):
            api_token_create(actor=user, name=payload_for(100))
    reseller_admin = make_user(reseller, "global_admin")
    leads = _leads_fill(world)
    return {
        **leads,
        "invitation": invitation,
        "subscription": subscription,
        "invite_token": invite_token,
        "staff": staff,
        "set_password_token": set_password_token,
        "ended": ended,
        "partnership_token": partnership_token,
        "reseller_admin": reseller_admin,
        "partnership": Partnership.objects.get(reseller=reseller),
        "admin_approved": approved,
        "admin_ended": ended_admin,
        "admin_token": token_of(pending_admin),
        "admin_group": group,
        "role_template": role_template,
        "webhook_endpoint": endpoint,
        "business_profile": profile,
        "profile_location": location,
    }


def _leads_fill(world) -> dict:
    """A received, an accepted and a declined lead carrying the payloads in every text a visitor or staff types."""
    agent = User.objects.get(pk=world.users["sales_agent"].pk)

    def submitted(**extra):
        return lead_submit(
            partner=world.partner_a,
            profile_country="US",
            lead_contact=agent,
            company_name=payload_for(255),
            contact_name=payload_for(200),
            email="buyer@lead.example.net",
            phone=payload_for(50),
            country="US",
            company_size="small",
            message=payload_for(2000),
        )

    received = submitted()
    accepted = lead_accept(
        actor=agent,
        lead=submitted(),
        deal_name=payload_for(200),
        estimated_value=Decimal("10.00"),
        currency="EUR",
        estimated_purchase_date=date(2027, 1, 1),
        team_members=[agent],
        notes=payload_for(2000),
        crm_id=payload_for(100),
        campaign_id=payload_for(100),
    )
    declined = lead_decline(actor=agent, lead=submitted(), reason="other", notes=payload_for(2000))
    return {"lead_received": received, "lead_accepted": accepted, "lead_declined": declined}


@pytest.fixture(scope="module")
def marked(django_db_setup, django_db_blocker):
    """The world with payloads in every writable field, built once in an outer transaction rolled back at the
    end of the module (as tests/conftest.py shared_world)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world(with_assigned_scope=True, unique=True)
            world.extra.update(_fill(world))
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _object_kwargs(world, kwargs: list[str], url_name: str) -> dict | None:
    """Partner A's objects, carrying the payloads, for each kind of URL argument."""
    extra = world.extra
    if url_name == "customers:subscription_status":
        return None  # POST-only
    if url_name in ("api:relationship_restore", "api:invitation_resend", "api:invitation_revoke"):
        return None  # POST-only (their lists, api:relationship_ended_list and api:invitation_list, are read)
    if url_name in (
        "api:staff_deactivate",
        "api:staff_reactivate",
        "api:staff_password_reset",
        "api:admin_relationship_terminate",
        "api:admin_relationship_assign",
    ):
        return None  # POST-only (their objects are read through api:staff_detail and api:admin_relationship_detail)
    if url_name == "api:staff_detail":
        return {"pk": extra["staff"].pk}
    if url_name == "api:admin_relationship_detail":
        return {"pk": extra["admin_approved"].pk}
    if url_name in ("api:customer_agreement", "api:partnership_remove"):
        return None  # POST-only (the customer and api:partnership_list are read)
    if url_name == "api:subscription_detail":
        return {"pk": world.customer_in.pk, "subscription_pk": extra["subscription"].pk}
    if url_name in (
        "api:lead_accept",
        "api:lead_decline",
        "api:lead_win",
        "api:lead_lose",
        "api:lead_close",
        "api:business_profile_publish",
        "api:business_profile_unpublish",
    ):
        return None  # POST-only (the lead and the profile are read through their detail and list endpoints)
    if url_name == "api:lead_detail":
        return {"pk": extra["lead_accepted"].pk}
    if url_name == "api:business_profile_detail":
        return {"pk": extra["business_profile"].pk}
    if url_name.startswith(("customers:", "api:")):
        return {"pk": world.customer_in.pk}
    if url_name == "apitokens:token_revoke":
        return None  # POST-only
    return {
        "relationships:invitation_accept": {"token": extra["invite_token"]},
        "relationships:relationship_restore": {"pk": extra["ended"].pk},
        "relationships:partnership_authorize": {"token": extra["partnership_token"]},
        "staff:user_update": {"pk": extra["staff"].pk},
        "staff:set_password": {"token": extra["set_password_token"]},
        "adminrelationships:adminrelationship_detail": {"pk": extra["admin_ended"].pk},
        "adminrelationships:adminrelationship_terminate": {"pk": extra["admin_approved"].pk},
        "adminrelationships:adminrelationship_assign": {"pk": extra["admin_approved"].pk},
        "adminrelationships:securitygroup_update": {"pk": extra["admin_group"].pk},
        "adminrelationships:adminrelationship_approve": {"token": extra["admin_token"]},
        "adminrelationships:roletemplate_update": {"pk": extra["role_template"].pk},
        "adminrelationships:roletemplate_delete": {"pk": extra["role_template"].pk},
        "adminrelationships:dap_remove": {"pk": world.customer_in.pk},
        # adminrelationships:dap_request is POST-only (the DAP page's button); the DAP page lists the payloads.
        "webhooks:endpoint_detail": {"pk": extra["webhook_endpoint"].pk},
        "webhooks:endpoint_delete": {"pk": extra["webhook_endpoint"].pk},
        "webhooks:endpoint_update": {"pk": extra["webhook_endpoint"].pk},
        "profiles:profile_detail": {"pk": extra["business_profile"].pk},
        "profiles:profile_update": {"pk": extra["business_profile"].pk},
        "profiles:profile_delete": {"pk": extra["business_profile"].pk},
        "profiles:location_add": {"pk": extra["business_profile"].pk},
        "profiles:directory_location": {"pk": extra["profile_location"].pk},
        "profiles:directory_contact": {"pk": extra["profile_location"].pk},
        # profiles:profile_logo and profiles:directory_logo are PNG bytes the server re-encoded (tests/profiles).
        "leads:lead_detail": {"pk": extra["lead_accepted"].pk},
        "leads:lead_accept": {"pk": extra["lead_received"].pk},
        "leads:lead_decline": {"pk": extra["lead_received"].pk},
        "leads:lead_update": {"pk": extra["lead_accepted"].pk},
        # lead_win, lead_lose, lead_close, lead_favourite are POST-only; the declined lead's page is read below.
    }.get(url_name)


def _pages(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if (pattern.namespace or "") in NOT_IN_MATRIX:
                continue
            ns = pattern.namespace
            yield from _pages(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, list(getattr(pattern.pattern, "converters", {}))


def _urls(world) -> Iterator[str]:
    """Every GET-able page of the resolver with the world's objects, plus the pages that echo a query."""
    for name, kwargs in _pages():
        if kwargs:
            values = _object_kwargs(world, kwargs, name)
            if values is None:
                continue
            yield reverse(name, kwargs=values)
        else:
            yield reverse(name)
    probe = payload_for(None)
    for name, param in [
        ("customers:customer_list", "q"),
        ("customers:customer_export", "q"),
        ("customers:customer_lookup", "q"),
        ("customers:domain_check", "prefix"),
        ("api:domain_availability", "prefix"),
        ("activity:activity_list", "customer"),
        ("activity:activity_export", "customer"),
        ("relationships:invitation_list", "customer"),
        ("profiles:directory_search", "q"),
    ]:
        yield reverse(name) + "?" + param + "=" + quote(probe, safe="")
    yield reverse("leads:lead_detail", kwargs={"pk": world.extra["lead_declined"].pk})
    yield reverse("leads:lead_list") + "?q=" + quote(probe[:200], safe="")
    yield reverse("api:lead_detail", kwargs={"pk": world.extra["lead_declined"].pk})
    yield reverse("activity:activity_list") + "?date_from=2000-01-01"
    yield reverse("activity:activity_export") + "?date_from=2000-01-01"


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig", errors="replace")


def check_html(where: str, text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{where}: raw markup {raw!r} in the page"
    for evaluated in EVALUATED:
        assert evaluated not in text, f"{where}: a stored template was evaluated ({evaluated!r})"
    assert not JS_URL.search(text), f"{where}: a javascript: URL in an attribute"


def check_csv(where: str, text: str) -> int:
    carrying = 0
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if "alert(1)" in cell or "HYPERLINK" in cell:
                carrying += 1
                assert not cell.startswith(FORMULA_START), f"{where}: a cell starts a formula: {cell[:40]!r}"
    return carrying


@pytest.mark.parametrize("column", [*ROLE_COLUMNS, "reseller"])
def test_every_page_shows_the_stored_payloads_escaped(marked, db, column):
    """Every page the role reaches (and the query-echoing ones) renders the payloads escaped, never evaluated."""
    client = Client()
    # A task worker is running, so /readyz answers 200 like every other page (it shows no stored text either way).
    heartbeat_beat(kind=WorkerHeartbeat.Kind.TASKS)
    role = ROLE_COLUMNS.get(column)
    user = marked.extra["reseller_admin"] if column == "reseller" else role and marked.users[role]
    if user:
        client.force_login(user)
    read, with_payload = 0, 0
    # The API takes bearer tokens only: its routes are read with a token of the column's user.
    api = ApiClient(token_for(user)) if user else ApiClient()
    for url in _urls(marked):
        is_api = url.startswith("/api/v1/") and not url.startswith(("/api/v1/schema/", "/api/v1/docs/"))
        response = api.get(url) if is_api else client.get(url)
        assert response.status_code < 500, f"GET {url} as {column}: {response.status_code}"
        if response.status_code != 200:
            continue
        text = _body(response)
        content_type = response.get("Content-Type", "")
        where = f"GET {url} as {column}"
        if content_type.startswith("text/csv"):
            with_payload += bool(check_csv(where, text))
        elif content_type.startswith(("application/json", "application/vnd.oai.openapi+json")):
            assert response.get("X-Content-Type-Options") == "nosniff", f"{where}: JSON without nosniff"
            for evaluated in EVALUATED:
                assert evaluated not in text, where
        else:
            assert content_type.startswith("text/html"), f"{where}: {content_type}"
            check_html(where, text)
            with_payload += "&lt;script&gt;alert(1)" in text
        read += 1
    assert read >= 3, f"{column} reached only {read} pages"
    if column not in ("anon", "none"):
        assert with_payload >= 2, f"{column}: no page showed a payload at all (the sweep would prove nothing)"


def test_the_exports_neutralise_formulas_in_every_cell_that_carries_a_payload(marked, db):
    client = Client()
    client.force_login(marked.users["global_admin"])
    customers = _body(client.get(reverse("customers:customer_export")))
    assert check_csv("customer export", customers) >= 2  # company names and the tag
    activity = _body(client.get(reverse("activity:activity_export") + "?date_from=2000-01-01"))
    assert check_csv("activity export", activity) >= 2  # customer names and edited values


def test_every_email_escapes_the_payloads_in_any_html_part(marked, db):
    """Emails are plain text (the text part may hold the raw text, as typed); a message with an HTML part must
    escape it there. Every queued message is delivered through the real send task to the locmem backend."""
    mail.outbox.clear()
    pending = list(OutboundEmail.objects.values_list("pk", flat=True))
    assert len(pending) >= 3  # the invitation, the two partnership requests, the set-password link
    for pk in pending:
        assert email_send.call(pk) == "sent"
    carrying = 0
    for message in mail.outbox:
        carrying += "alert(1)" in message.body
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                check_html(f"email to {message.to} (HTML part)", content)
        assert not any(raw in message.subject for raw in ("<script>", "\n", "\r")), message.subject
    assert carrying >= 2, "no email carried a payload (the invitation and partnership messages should)"


def test_the_import_preview_shows_hostile_cells_escaped(marked, db):
    client = Client()
    client.force_login(marked.users["global_admin"])
    template = _body(client.get(reverse("relationships:customer_import_template")))
    header = next(csv.reader(io.StringIO(template)))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, [payload_for(40)] * len(header), [payload_for(None)] * len(header)])
    upload = SimpleUploadedFile("customers.csv", buffer.getvalue().encode(), content_type="text/csv")
    response = client.post(reverse("relationships:customer_import"), {"file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    check_html("import preview", text)
    assert "&lt;script&gt;alert(1)" in text, "the preview shows the cells (escaped)"


def test_the_acceptance_form_shows_what_was_typed_escaped(marked, db):
    data = acceptance_data(
        name=payload_for(81),
        email="not-an-email",
        **{"profile-company_name": payload_for(255), "profile-city": payload_for(100)},
    )
    response = Client().post(
        reverse("relationships:invitation_accept", kwargs={"token": marked.extra["invite_token"]}), data
    )
    assert response.status_code == 200
    text = response.content.decode()
    check_html("acceptance form", text)
    assert "&lt;script&gt;alert(1)" in text or "&quot;&gt;&lt;script" in text


def test_the_contact_form_shows_what_was_typed_escaped(marked, db):
    url = reverse("profiles:directory_contact", kwargs={"pk": marked.extra["profile_location"].pk})
    data = {"company_name": payload_for(255), "contact_name": payload_for(200), "message": payload_for(2000)}
    response = Client().post(url, {**data, "email": "not-an-email", "country": "US", "company_size": "small"})
    assert response.status_code == 200
    text = response.content.decode()
    check_html("contact form", text)
    assert "&lt;script&gt;alert(1)" in text


def test_the_payloads_are_really_stored(marked, db):
    """The sweep above proves something only if the payloads are where the pages read them."""
    assert "<script>alert(1)" in Customer.objects.get(pk=marked.customer_in.pk).company_name
    assert "<script>alert(1)" in Tag.objects.filter(partner=marked.partner_a).get().name
    assert "<script>alert(1)" in Subscription.objects.filter(customer=marked.customer_in).get().offer_name
    assert "<script>alert(1)" in Relationship.objects.get(pk=marked.extra["ended"].pk).end_reason_details
    assert "<script>alert(1)" in User.objects.get(pk=marked.extra["staff"].pk).first_name
    assert "<script>alert(1)" in Partner.objects.get(pk=marked.partner_a.pk).name
    assert "<script>alert(1)" in AdminRelationship.objects.get(pk=marked.extra["admin_approved"].pk).approved_name
    assert "<script>alert(1)" in AdminRelationship.objects.get(pk=marked.extra["admin_ended"].pk).termination_reason
    assert "<script>alert(1)" in RoleTemplate.objects.get(partner=marked.partner_a).name
    assert "<script>alert(1)" in SecurityGroup.objects.get(partner=marked.partner_a).name
    assert "<script>alert(1)" in BusinessProfile.objects.get(partner=marked.partner_a).description
    assert "<script>alert(1)" in marked.extra["profile_location"].address_line1
    # The Contact me form's lead and the three the leads' own writers made (received, accepted, declined).
    leads = Lead.objects.filter(partner=marked.partner_a)
    assert leads.count() == 4 and all("<script>alert(1)" in lead.message for lead in leads)
    assert "<script>alert(1)" in Lead.objects.get(pk=marked.extra["lead_accepted"].pk).deal_name
