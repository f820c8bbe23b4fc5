from django.urls import path  # noqa: F401 -- routes are added here as the views land

from relationships import views  # noqa: F401

app_name = "relationships"

urlpatterns: list = []
