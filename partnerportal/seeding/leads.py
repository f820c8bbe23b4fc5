"""Demo leads (issue 14): for each partner, a lead in every state, through the real services.

Received (one fresh with the flame, one a few days old), accepted, won, lost, declined, expired (received 20 days
ago and never answered: it reads expired, with its contact hidden) and closed as error. The lead contact is the
partner's sales agent (the global admin for every other partner), so the notification emails go to a demo login.
Idempotent: a partner that has leads already gets none.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from leads import services
from leads.models import Lead
from partnerportal.models import Partner, User
from permissions.roles import AdminRole, AgentRole

# company, contact, country, size, hours ago, the state to bring it to
LEADS = [
    ("Alpine Ski House", "Jana Novak", "AT", "small", 2, "received"),
    ("Blue Yonder Airlines", "Min-jun Lee", "KR", "large", 96, "received"),
    ("Coho Winery", "Ana Kim", "US", "medium", 150, "accepted"),
    ("Datum Analytics", "Carlos Ruiz", "ES", "enterprise", 300, "won"),
    ("Fourth Coffee", "Dana Lee", "US", "small", 260, "lost"),
    ("Graphic Design Institute", "Ole Hansen", "DK", "medium", 200, "declined"),
    ("Humongous Insurance", "Priya Patel", "IN", "enterprise", 20 * 24, "expired"),
    ("Lamna Healthcare", "Test Entry", "US", "small", 30, "closed_as_error"),
]


def seed_leads(*, partner: Partner, sales_contact: bool) -> int:
    """A lead in every state for the partner (nothing when it has leads); returns how many were made."""
    if Lead.objects.filter(partner=partner).exists():
        return 0
    admin = User.objects.filter(partner=partner, admin_role=AdminRole.GLOBAL_ADMIN).order_by("pk").first()
    assert admin is not None  # seeded with the partner
    agent = User.objects.filter(partner=partner, agent_role=AgentRole.SALES_AGENT).order_by("pk").first() or admin
    contact = agent if sales_contact else admin
    now = timezone.now()
    domain = partner.email_domain.split(".")[0]
    for company, person, country, size, hours, state in LEADS:
        slug = company.split()[0].lower()
        lead = services.lead_submit(
            partner=partner,
            profile_country="US",
            lead_contact=contact,
            company_name=company,
            contact_name=person,
            email=f"{person.split()[0].lower()}@{slug}-{domain}.example.net",
            phone="+1 425 555 0100",
            country=country,
            company_size=size,
            message=f"{company} would like help moving to Microsoft 365.",
            received_at=now - timedelta(hours=hours),
        )
        if state in ("accepted", "won", "lost"):
            services.lead_accept(
                actor=contact,
                lead=lead,
                deal_name=f"{company} — Microsoft 365",
                estimated_value=Decimal("24000.00"),
                currency="USD",
                estimated_purchase_date=date.today() + timedelta(days=60),
                team_members=[contact, admin] if contact != admin else [admin],
                notes="First call done.",
                crm_id=f"CRM-{lead.pk}",
            )
        if state == "won":
            services.lead_win(actor=contact, lead=lead)
        elif state == "lost":
            services.lead_lose(actor=contact, lead=lead)
        elif state == "declined":
            services.lead_decline(actor=contact, lead=lead, reason="outside_region", notes="We do not serve Denmark.")
        elif state == "closed_as_error":
            services.lead_close_as_error(actor=contact, lead=lead)
    return len(LEADS)
