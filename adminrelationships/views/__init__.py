"""Admin-relationship pages: the staff's (`relationships`, `teams`) and the customer's approval page (`approval`)."""

from adminrelationships.views.approval import AdminRelationshipApproveView
from adminrelationships.views.relationships import (
    AdminRelationshipCreateView,
    AdminRelationshipDetailView,
    AdminRelationshipExportView,
    AdminRelationshipListView,
    AdminRelationshipTerminateView,
    customer_panel_context,
)
from adminrelationships.views.teams import (
    AdminRelationshipAssignView,
    MyAdminAccessView,
    RoleTemplateListView,
    SecurityGroupListView,
    SecurityGroupUpdateView,
)

__all__ = [
    "AdminRelationshipApproveView",
    "AdminRelationshipAssignView",
    "AdminRelationshipCreateView",
    "AdminRelationshipDetailView",
    "AdminRelationshipExportView",
    "AdminRelationshipListView",
    "AdminRelationshipTerminateView",
    "MyAdminAccessView",
    "RoleTemplateListView",
    "SecurityGroupListView",
    "SecurityGroupUpdateView",
    "customer_panel_context",
]
