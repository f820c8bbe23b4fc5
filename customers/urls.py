from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer_list"),
    path("<uuid:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
]
