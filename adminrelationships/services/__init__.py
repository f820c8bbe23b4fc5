"""Admin-relationship writes: requests and their answers (`requests`), templates, groups and assignments (`teams`),
DAP to admin relationships and the default one on add customer (`dap`)."""

from adminrelationships.services.dap import (
    admin_relationship_create_active,
    dap_admin_relationship_request,
    dap_remove,
    default_relationship_apply,
)
from adminrelationships.services.requests import (
    admin_relationship_approve,
    admin_relationship_decline,
    admin_relationship_end_by_customer,
    admin_relationship_request,
    admin_relationship_terminate,
)
from adminrelationships.services.teams import (
    access_assignment_set,
    role_template_create,
    role_template_delete,
    role_template_update,
    security_group_save,
)

__all__ = [
    "access_assignment_set",
    "admin_relationship_approve",
    "admin_relationship_create_active",
    "admin_relationship_decline",
    "admin_relationship_end_by_customer",
    "admin_relationship_request",
    "admin_relationship_terminate",
    "dap_admin_relationship_request",
    "dap_remove",
    "default_relationship_apply",
    "role_template_create",
    "role_template_delete",
    "role_template_update",
    "security_group_save",
]
