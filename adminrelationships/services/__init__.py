"""Admin-relationship writes: requests and their answers (`requests`), templates, groups and assignments (`teams`)."""

from adminrelationships.services.requests import (
    admin_relationship_approve,
    admin_relationship_decline,
    admin_relationship_end_by_customer,
    admin_relationship_request,
    admin_relationship_terminate,
)
from adminrelationships.services.teams import access_assignment_set, role_template_create, security_group_save

__all__ = [
    "access_assignment_set",
    "admin_relationship_approve",
    "admin_relationship_decline",
    "admin_relationship_end_by_customer",
    "admin_relationship_request",
    "admin_relationship_terminate",
    "role_template_create",
    "security_group_save",
]
