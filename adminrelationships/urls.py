from django.urls import path

from adminrelationships import views

app_name = "adminrelationships"

# Mounted at /admin-relationships/ by partnerportal/urls.py.
urlpatterns: list = [
    path("", views.AdminRelationshipListView.as_view(), name="adminrelationship_list"),
    path("new/", views.AdminRelationshipCreateView.as_view(), name="adminrelationship_create"),
    path("<int:pk>/", views.AdminRelationshipDetailView.as_view(), name="adminrelationship_detail"),
    path("<int:pk>/terminate/", views.AdminRelationshipTerminateView.as_view(), name="adminrelationship_terminate"),
]

# Mounted at the site root (the link in the email is /admin-approval/<token>/), in this namespace.
public_urlpatterns: list = [
    path("admin-approval/<str:token>/", views.AdminRelationshipApproveView.as_view(), name="adminrelationship_approve"),
]
