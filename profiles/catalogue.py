"""The fixed expertise lists of a business profile (Partner Center's tags): codes stored, labels translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    """Industry focus."""

    AGRICULTURE = "agriculture", _("Agriculture")
    DEFENSE = "defense", _("Defense and intelligence")
    DISTRIBUTION = "distribution", _("Distribution")
    EDUCATION = "education", _("Education")
    ENERGY = "energy", _("Energy")
    FINANCIAL_SERVICES = "financial_services", _("Financial services")
    GOVERNMENT = "government", _("Government")
    HEALTHCARE = "healthcare", _("Healthcare")
    HOSPITALITY = "hospitality", _("Hospitality and travel")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    MEDIA = "media", _("Media and communications")
    NONPROFIT = "nonprofit", _("Nonprofit")
    PROFESSIONAL_SERVICES = "professional_services", _("Professional services")
    RETAIL = "retail", _("Retail and consumer goods")
    TELECOMMUNICATIONS = "telecommunications", _("Telecommunications")


class Product(models.TextChoices):
    """Products (limited to Microsoft products, as Partner Center's list)."""

    AZURE = "azure", _("Azure")
    DYNAMICS_365 = "dynamics_365", _("Dynamics 365")
    MICROSOFT_365 = "microsoft_365", _("Microsoft 365")
    MICROSOFT_TEAMS = "microsoft_teams", _("Microsoft Teams")
    POWER_PLATFORM = "power_platform", _("Power Platform")
    SECURITY = "security", _("Microsoft Security")
    WINDOWS = "windows", _("Windows")
    SURFACE = "surface", _("Surface")


class ServiceType(models.TextChoices):
    """Service types."""

    CONSULTING = "consulting", _("Consulting")
    DEPLOYMENT = "deployment", _("Deployment or migration")
    INTEGRATION = "integration", _("Integration")
    LICENSING = "licensing", _("Licensing")
    MANAGED_SERVICES = "managed_services", _("Managed services")
    PROJECT_MANAGEMENT = "project_management", _("Project management")
    SUPPORT = "support", _("Support")
    TRAINING = "training", _("Training")
    CUSTOM_DEVELOPMENT = "custom_development", _("Custom development")


CODE_MAX_LENGTH = 32
SKILL_MAX_LENGTH = 50
SKILLS_MAX = 20
