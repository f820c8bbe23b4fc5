from django.urls import path  # noqa: F401 -- routes are added here as the views land

from partnerportal import staff_views  # noqa: F401

app_name = "staff"

urlpatterns: list = []
