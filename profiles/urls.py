"""The business profile's staff pages (under /profile/) and the public directory (/find-a-partner/), namespace
"profiles"."""

from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("", views.BusinessProfileListView.as_view(), name="profile_list"),
    path("new/", views.BusinessProfileCreateView.as_view(), name="profile_create"),
    path("<int:pk>/", views.BusinessProfileDetailView.as_view(), name="profile_detail"),
    path("<int:pk>/edit/", views.BusinessProfileUpdateView.as_view(), name="profile_update"),
    path("<int:pk>/publish/", views.BusinessProfilePublishView.as_view(), name="profile_publish"),
    path("<int:pk>/unpublish/", views.BusinessProfileUnpublishView.as_view(), name="profile_unpublish"),
    path("<int:pk>/delete/", views.BusinessProfileDeleteView.as_view(), name="profile_delete"),
    path("<int:pk>/logo/", views.BusinessProfileLogoView.as_view(), name="profile_logo"),
    path("<int:pk>/locations/new/", views.ProfileLocationAddView.as_view(), name="location_add"),
    path("locations/<uuid:pk>/delete/", views.ProfileLocationDeleteView.as_view(), name="location_delete"),
]

public_urlpatterns = [
    path("", views.DirectorySearchView.as_view(), name="directory_search"),
    path("<uuid:pk>/", views.DirectoryLocationView.as_view(), name="directory_location"),
    path("<uuid:pk>/contact/", views.DirectoryContactView.as_view(), name="directory_contact"),
    path("logos/<int:pk>/<str:digest>.png", views.DirectoryLogoView.as_view(), name="directory_logo"),
]
