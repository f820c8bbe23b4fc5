from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("", views.LeadListView.as_view(), name="lead_list"),
    path("export.csv", views.LeadExportView.as_view(), name="lead_export"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="lead_detail"),
    path("<int:pk>/accept/", views.LeadAcceptView.as_view(), name="lead_accept"),
    path("<int:pk>/edit/", views.LeadUpdateView.as_view(), name="lead_update"),
    path("<int:pk>/decline/", views.LeadDeclineView.as_view(), name="lead_decline"),
    path("<int:pk>/won/", views.LeadWinView.as_view(), name="lead_win"),
    path("<int:pk>/lost/", views.LeadLoseView.as_view(), name="lead_lose"),
    path("<int:pk>/close/", views.LeadCloseView.as_view(), name="lead_close"),
    path("<int:pk>/favourite/", views.LeadFavouriteView.as_view(), name="lead_favourite"),
]
