"""The webhook pages, under staff/webhooks/ (namespace "webhooks")."""

from django.urls import path

from partnerportal.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.WebhookEndpointListView.as_view(), name="endpoint_list"),
    path("<int:pk>/", views.WebhookEndpointDetailView.as_view(), name="endpoint_detail"),
    path("<int:pk>/edit/", views.WebhookEndpointUpdateView.as_view(), name="endpoint_update"),
    path("<int:pk>/rotate/", views.WebhookEndpointRotateView.as_view(), name="endpoint_rotate"),
    path("<int:pk>/pause/", views.WebhookEndpointPauseView.as_view(), name="endpoint_pause"),
    path("<int:pk>/delete/", views.WebhookEndpointDeleteView.as_view(), name="endpoint_delete"),
    path("deliveries/<int:pk>/redeliver/", views.WebhookDeliveryRedeliverView.as_view(), name="delivery_redeliver"),
]
