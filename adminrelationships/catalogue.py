"""The Microsoft Entra built-in roles partners request most, as code: name, public role template ID, what it grants
and how privileged it is.

The template IDs are Microsoft's published, tenant-independent IDs, checked against the "All roles" table of
Microsoft's "Microsoft Entra built-in roles" reference (2026-01-20 edition). Role names stay in English, as
Microsoft keeps them; the one-line descriptions are translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Privilege(IntEnum):
    """How much a role lets its holder change: the request form lists lower levels first and warns on HIGH."""

    READ = 1
    LIMITED = 2
    HIGH = 3


@dataclass(frozen=True)
class EntraRole:
    """One built-in directory role."""

    template_id: str
    name: str
    description: Promise
    privilege: Privilege

    @property
    def highly_privileged(self) -> bool:
        return self.privilege is Privilege.HIGH


GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"

ROLES: tuple[EntraRole, ...] = (
    EntraRole(
        "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
        "Directory Readers",
        _("Reads basic directory information: users, groups and applications."),
        Privilege.READ,
    ),
    EntraRole(
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        "Global Reader",
        _("Reads everything a Global Administrator can, changes nothing."),
        Privilege.READ,
    ),
    EntraRole(
        "5d6b6bb7-de71-4623-b4af-96380a352509",
        "Security Reader",
        _("Reads security information and reports."),
        Privilege.READ,
    ),
    EntraRole(
        "f023fd81-a637-4b56-95fd-791ac0226033",
        "Service Support Administrator",
        _("Reads service health and opens support requests with Microsoft."),
        Privilege.LIMITED,
    ),
    EntraRole(
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
        _("Resets passwords of non-administrators and manages support requests."),
        Privilege.LIMITED,
    ),
    EntraRole(
        "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
        "License Administrator",
        _("Assigns and removes product licences on users and groups."),
        Privilege.LIMITED,
    ),
    EntraRole(
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "Billing Administrator",
        _("Makes purchases, manages subscriptions and support requests, reads service health."),
        Privilege.LIMITED,
    ),
    EntraRole(
        "7698a772-787b-4ac8-901f-60d6b08affd2",
        "Cloud Device Administrator",
        _("Enables, disables and deletes devices; reads BitLocker keys."),
        Privilege.LIMITED,
    ),
    EntraRole(
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
        "Teams Administrator",
        _("Manages the Microsoft Teams service."),
        Privilege.LIMITED,
    ),
    EntraRole(
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
        _("Manages the SharePoint Online service."),
        Privilege.LIMITED,
    ),
    EntraRole(
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
        _("Manages the Exchange Online service: mailboxes, mail flow, settings."),
        Privilege.LIMITED,
    ),
    EntraRole(
        "3a2c62db-5318-420d-8d74-23affee5d9d5",
        "Intune Administrator",
        _("Manages the Intune service: devices, apps and their policies."),
        Privilege.LIMITED,
    ),
    EntraRole(
        "fe930be7-5e62-47db-91af-98c3a49a38b1",
        "User Administrator",
        _("Creates and manages users and groups, resets passwords of limited administrators."),
        Privilege.HIGH,
    ),
    EntraRole(
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
        _("Creates and manages every aspect of app registrations and enterprise apps, including their credentials."),
        Privilege.HIGH,
    ),
    EntraRole(
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
        _("Reads security information and manages security policies."),
        Privilege.HIGH,
    ),
    EntraRole(
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
        _("Assigns any directory role, including Global Administrator, to anyone."),
        Privilege.HIGH,
    ),
    EntraRole(
        GLOBAL_ADMINISTRATOR,
        "Global Administrator",
        _("Changes everything in the customer's directory and every service."),
        Privilege.HIGH,
    ),
)

# Least-privileged first (the catalogue's own order within a level).
ROLES_BY_PRIVILEGE: tuple[EntraRole, ...] = tuple(sorted(ROLES, key=lambda role: role.privilege))
BY_ID: dict[str, EntraRole] = {role.template_id: role for role in ROLES}
TEMPLATE_IDS: tuple[str, ...] = tuple(role.template_id for role in ROLES)
CHOICES: list[tuple[str, str]] = [(role.template_id, role.name) for role in ROLES_BY_PRIVILEGE]


def roles_of(template_ids: list[str] | tuple[str, ...]) -> list[EntraRole]:
    """The catalogue roles for stored template IDs, least-privileged first (unknown IDs are skipped)."""
    wanted = set(template_ids)
    return [role for role in ROLES_BY_PRIVILEGE if role.template_id in wanted]
