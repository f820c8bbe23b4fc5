"""Admin-relationship pages: the staff's (`relationships`, `teams`, `dap`) and the customer's approval page
(`approval`)."""

from adminrelationships.views.approval import AdminRelationshipApproveView
from adminrelationships.views.dap import DapListView, DapRemoveView, DapRequestView
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
    RoleTemplateDeleteView,
    RoleTemplateListView,
    RoleTemplateUpdateView,
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
    "DapListView",
    "DapRemoveView",
    "DapRequestView",
    "MyAdminAccessView",
    "RoleTemplateDeleteView",
    "RoleTemplateListView",
    "RoleTemplateUpdateView",
    "SecurityGroupListView",
    "SecurityGroupUpdateView",
    "customer_panel_context",
]
