"""Demo data (PRODUCT.md §10): three partners, one staff user per role each, a few dozen customers each.

Run by `manage.py seed_demo`; everything is written through the same services the portal uses, except the admin
relationships' past (approvals a year ago, ends last month), inserted in bulk by `seeding.admin_relationships`.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from customers.models import Customer, CustomerTag, Subscription, Tag, domain_suffix
from partnerportal.models import Partner, User
from partnerportal.seeding.admin_relationships import seed_admin_relationships
from partnerportal.seeding.bulk import bulk_seed
from partnerportal.seeding.leads import seed_leads
from partnerportal.seeding.profiles import seed_profiles
from partnerportal.staff.services import partner_create, staff_user_create
from permissions import policy
from permissions.roles import Action, AdminRole, AgentRole
from relationships.models import Partnership, Relationship
from relationships.services import customer_onboard, invitation_create, relationship_end
from relationships.services.invitation_emails import default_message

DEMO_PASSWORD = "Portal-Demo-2026!"  # noqa: S105 -- the documented demo password, only ever used for demo data

ADMIN_ACCESS_NOTE = (
    "Admin relationships: every partner has one in each state under Admin relationships (sign in as admin.agent); "
    'helpdesk.agent sees the customers and roles it holds under "My admin access".'
)

PROFILES_NOTE = (
    "Business profiles: every partner has a published US profile (find it at /find-a-partner/, no sign-in) and a "
    "Canadian draft under Business profile."
)

PARTNERS = [
    ("Contoso Cloud", "CONTOSO-001", Partner.Type.DIRECT_BILL, "contoso.example"),
    ("Fabrikam Distribution", "FABRIKAM-001", Partner.Type.INDIRECT_PROVIDER, "fabrikam.example"),
    ("Northwind Traders", "NORTHWIND-001", Partner.Type.INDIRECT_RESELLER, "northwind.example"),
]
STAFF = [
    ("global.admin", AdminRole.GLOBAL_ADMIN, ""),
    ("admin.agent", "", AgentRole.ADMIN_AGENT),
    ("sales.agent", "", AgentRole.SALES_AGENT),
    ("helpdesk.agent", "", AgentRole.HELPDESK_AGENT),
]
NAME_PARTS = [
    *("Adatum", "Alpine", "Blue Yonder", "Coho", "Consolidated", "Datum", "Fourth Coffee", "Graphic Design"),
    *("Humongous", "Litware", "Lucerne", "Margie", "Proseware", "Relecloud", "Southridge", "Tailspin"),
    *("Trey Research", "Wide World", "Wingtip", "Woodgrove", "Bellows", "Fincher"),
]
SUFFIXES = ["Inc.", "Ltd", "GmbH", "LLC", "Corporation", "Group", "Partners", "Holdings"]
CITIES = [("US", "Seattle", "WA", "98052"), ("US", "Austin", "TX", "73301"), ("US", "Boston", "MA", "02108")]
TAGS = ["priority", "education", "healthcare", "renewal-q1", "migrating", "government", "smb", "enterprise"]
OFFERS = [("Microsoft 365 Business Premium", False), ("Azure plan", True), ("Microsoft 365 E3", False)]


def demo_logins() -> list[str]:
    """Every demo sign-in, for `make run` to print."""
    return [f"{local}@{domain}" for _name, _pid, _type, domain in PARTNERS for local, _a, _g in STAFF]


class DemoSeeder:
    """Create the demo partners, staff and customers through the real services (idempotent)."""

    def __init__(self, *, stdout, style):
        self.stdout = stdout
        self.style = style

    def run(self, *, customers: int = 0, seed: int = 2026) -> None:
        """The demo world, plus `customers` extra customers from the bulk seeder (benchmarks)."""
        rng = random.Random(seed)
        with transaction.atomic():
            partners = {pid: self._partner(name, pid, ptype, domain) for name, pid, ptype, domain in PARTNERS}
            contoso, fabrikam, northwind = (partners[p[1]] for p in PARTNERS)
            # The US Government cloud has no indirect model: there Northwind's and Fabrikam's customers are direct.
            indirect = policy.cloud_offers(Action.MANAGE_PARTNERSHIPS)
            if indirect:
                Partnership.objects.get_or_create(
                    provider=fabrikam,
                    reseller=northwind,
                    status=Partnership.Status.ACTIVE,
                    defaults={"activated_at": timezone.now()},
                )
            self._customers(contoso, "contoso", 30, rng)
            self._customers(fabrikam, "fabrikam", 24, rng)
            self._customers(northwind, "northwind", 6, rng, provider=fabrikam if indirect else None)
            self._customers(fabrikam, "fabnw", 12, rng, reseller=northwind if indirect else None)
            self._invitations(contoso, "contoso")
            self._invitations(fabrikam, "fabrikam")
            self._invitations(northwind, "northwind", provider=fabrikam if indirect else None)
            self._ended(contoso, ["contoso027", "contoso028", "contoso029"])
            self._ended(fabrikam, ["fabrikam022", "fabrikam023"])
            now = timezone.now()
            # The US Government cloud has no business profiles (nor the leads that come through them).
            growth = policy.cloud_offers(Action.MANAGE_BUSINESS_PROFILE)
            for partner, prefix in ((contoso, "contoso"), (fabrikam, "fabrikam"), (northwind, "northwind")):
                seed_admin_relationships(partner=partner, prefix=prefix, now=now)
                if growth:
                    seed_profiles(partner=partner)
            # Leads in every state; Contoso's go to its sales agent, the others' to their global admin.
            if growth:
                for partner in (contoso, fabrikam, northwind):
                    seed_leads(partner=partner, sales_contact=partner is contoso)
        if customers:
            bulk_seed(count=customers, rng=rng, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo user: " + DEMO_PASSWORD))
        for login in demo_logins():
            self.stdout.write(f"  {login}")
        self.stdout.write(self._mfa_note())
        self.stdout.write(ADMIN_ACCESS_NOTE)
        if policy.cloud_offers(Action.MANAGE_BUSINESS_PROFILE):
            self.stdout.write(PROFILES_NOTE)

    def _mfa_note(self) -> str:
        """How the demo users sign in as far as a second factor goes (no demo user has an authenticator)."""
        requiring = list(Partner.objects.filter(require_mfa=True).order_by("name").values_list("name", flat=True))
        if settings.PORTAL_REQUIRE_MFA:
            return (
                "Multi-factor sign-in is required by this deployment (PORTAL_REQUIRE_MFA): after the password each "
                "demo user sets up an authenticator app (the page shows a QR code and the key to type in)."
            )
        note = (
            "Multi-factor sign-in is off for the demo: no demo user has an authenticator, so the password is enough. "
            'To try it, use "Multi-factor sign-in" under "Your account" in the sidebar (scan the QR code or type the '
            "key into an authenticator app); a global admin can require it for their partner under Staff > Security "
            "settings."
        )
        if requiring:
            note += " Required now by: " + ", ".join(requiring) + " (their users set up an app after the password)."
        return note

    def _ended(self, partner, prefixes):
        """End a few relationships (their subscriptions suspended first, as ending requires) for the restore page."""
        actor = User.objects.filter(partner=partner, admin_role=AdminRole.GLOBAL_ADMIN).first()
        assert actor is not None  # seeded with the partner
        for prefix in prefixes:
            customer = Customer.objects.filter(
                primary_domain=prefix + domain_suffix(), relationships__partner=partner, relationships__status="active"
            ).first()
            if customer is None:
                continue  # already ended by an earlier run
            Subscription.objects.filter(customer=customer, partner=partner, status="active").update(status="suspended")
            relationship_end(actor=actor, customer=customer, reason=Relationship.EndReason.NO_LONGER_TRANSACTING)

    def _invitations(self, partner, prefix, provider=None):
        """A few pending invitations to organisations new to the portal, through the real service (idempotent)."""
        actor = User.objects.filter(partner=partner, agent_role=AgentRole.SALES_AGENT).first()
        assert actor is not None  # seeded with the partner
        for index in range(3):
            email = f"it.admin@{prefix}-prospect{index}.example.net"
            if partner.invitations.filter(email=email).exists():
                continue
            invitation_create(
                actor=actor,
                email=email,
                message=default_message(partner=partner),
                dap=index != 2,
                provider=provider,
            )

    def _partner(self, name, pid, ptype, domain) -> Partner:
        partner = Partner.objects.filter(partner_id=pid).first()
        if partner is None:
            partner = partner_create(name=name, partner_id=pid, type=ptype, market="US", email_domain=domain)
        for local, admin_role, agent_role in STAFF:
            email = f"{local}@{domain}"
            if not User.objects.filter(email=email).exists():
                first, last = local.split(".")
                staff_user_create(
                    partner=partner,
                    email=email,
                    admin_role=admin_role,
                    agent_role=agent_role,
                    first_name=first.title(),
                    last_name=last.title(),
                    password=DEMO_PASSWORD,
                )
        return partner

    def _customers(self, partner, prefix, count, rng, provider=None, reseller=None):
        actor = User.objects.filter(partner=partner, admin_role=AdminRole.GLOBAL_ADMIN).first()
        assert actor is not None  # seeded with the partner
        tags = [Tag.objects.get_or_create(partner=partner, name=name)[0] for name in TAGS]
        for index in range(count):
            domain_prefix = f"{prefix}{index:03d}"
            if Customer.objects.filter(primary_domain=domain_prefix + domain_suffix()).exists():
                continue
            country, city, state, postal = rng.choice(CITIES)
            name = f"{rng.choice(NAME_PARTS)} {rng.choice(NAME_PARTS)} {rng.choice(SUFFIXES)}"
            customer = customer_onboard(
                actor=actor,
                partner=partner,
                domain_prefix=domain_prefix,
                reseller=reseller,
                provider=provider,
                data={
                    "company_name": name,
                    "country": country,
                    "address_line1": f"{rng.randint(1, 9999)} Main Street",
                    "city": city,
                    "state": state,
                    "postal_code": postal,
                    "contact_first_name": rng.choice(["Ana", "Min-jun", "Priya", "Lars", "Chen", "Sam"]),
                    "contact_last_name": rng.choice(["Kim", "Smith", "Garcia", "Ito", "Novak", "Olsen"]),
                    "contact_email": f"admin@{domain_prefix}.example.net",
                    "created_at": timezone.now() - timedelta(days=rng.randint(0, 700)),
                },
            )
            for tag in rng.sample(tags, rng.randint(0, 4)):
                CustomerTag.objects.get_or_create(customer=customer, tag=tag)
            for offer, azure in rng.sample(OFFERS, rng.randint(0, 2)):
                Subscription.objects.create(
                    customer=customer,
                    partner=partner,
                    offer_name=offer,
                    quantity=rng.randint(1, 300) if not azure else 1,
                    is_azure_plan=azure,
                )
