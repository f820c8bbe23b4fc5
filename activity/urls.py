from django.urls import path

from activity import views

app_name = "activity"

urlpatterns: list = [
    path("", views.ActivityListView.as_view(), name="activity_list"),
    path("export.csv", views.ActivityExportView.as_view(), name="activity_export"),
]
