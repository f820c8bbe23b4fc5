from django.urls import path  # noqa: F401 -- routes are added here as the views land

from activity import views  # noqa: F401

app_name = "activity"

urlpatterns: list = []
