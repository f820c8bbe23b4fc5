from django.urls import path

from adminrelationships import views

app_name = "adminrelationships"

# Mounted at /admin-relationships/ by partnerportal/urls.py.
urlpatterns: list = [
    path("", views.AdminRelationshipListView.as_view(), name="adminrelationship_list"),
    path("export.csv", views.AdminRelationshipExportView.as_view(), name="adminrelationship_export"),
    path("new/", views.AdminRelationshipCreateView.as_view(), name="adminrelationship_create"),
    path("<int:pk>/", views.AdminRelationshipDetailView.as_view(), name="adminrelationship_detail"),
    path("<int:pk>/terminate/", views.AdminRelationshipTerminateView.as_view(), name="adminrelationship_terminate"),
    path("<int:pk>/assign/", views.AdminRelationshipAssignView.as_view(), name="adminrelationship_assign"),
    path("mine/", views.MyAdminAccessView.as_view(), name="my_admin_access"),
    path("templates/", views.RoleTemplateListView.as_view(), name="roletemplate_list"),
    path("templates/<int:pk>/", views.RoleTemplateUpdateView.as_view(), name="roletemplate_update"),
    path("templates/<int:pk>/delete/", views.RoleTemplateDeleteView.as_view(), name="roletemplate_delete"),
    path("dap/", views.DapListView.as_view(), name="dap_list"),
    path("dap/<uuid:pk>/request/", views.DapRequestView.as_view(), name="dap_request"),
    path("dap/<uuid:pk>/remove/", views.DapRemoveView.as_view(), name="dap_remove"),
    path("groups/", views.SecurityGroupListView.as_view(), name="securitygroup_list"),
    path("groups/<int:pk>/", views.SecurityGroupUpdateView.as_view(), name="securitygroup_update"),
]

# Mounted at the site root (the link in the email is /admin-approval/<token>/), in this namespace.
public_urlpatterns: list = [
    path("admin-approval/<str:token>/", views.AdminRelationshipApproveView.as_view(), name="adminrelationship_approve"),
]
