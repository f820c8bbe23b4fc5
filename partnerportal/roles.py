"""The staff roles and scopes a user holds, as stored on the staff model.

Core vocabulary: `partnerportal.models.User` stores them, and `permissions.roles` maps them to actions (the role
table). Defined here so the core never imports `permissions`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminRole(models.TextChoices):
    """The admin-category role a staff user holds (at most one)."""

    NONE = "", _("No admin role")
    GLOBAL_ADMIN = "global_admin", _("Global admin")


class AgentRole(models.TextChoices):
    """The agent-category role a staff user holds (at most one)."""

    NONE = "", _("No agent role")
    ADMIN_AGENT = "admin_agent", _("Admin agent")
    SALES_AGENT = "sales_agent", _("Sales agent")
    HELPDESK_AGENT = "helpdesk_agent", _("Helpdesk agent")


class Role(models.TextChoices):
    """Every role, admin and agent alike; a user's effective actions are the union over the roles they hold."""

    GLOBAL_ADMIN = "global_admin", _("Global admin")
    ADMIN_AGENT = "admin_agent", _("Admin agent")
    SALES_AGENT = "sales_agent", _("Sales agent")
    HELPDESK_AGENT = "helpdesk_agent", _("Helpdesk agent")


class Scope(models.TextChoices):
    """Which customers a staff user reaches: every customer of the partner, or only those assigned to them."""

    PARTNER = "partner", _("Whole partner")
    ASSIGNED = "assigned", _("Assigned customers only")
