"""The customer pages of the `customers` namespace.

The root urlconf (`partnerportal.urls`) mounts these together with the customer pages of higher apps (Add customer
and End relationship from `relationships`, purchase permissions) in the one `customers` namespace, so this app
never imports the apps above it.
"""

from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer_list"),
    path("<uuid:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    # edit, agreement, domain check (Add customer is `relationships.urls.customer_urlpatterns`)
    path("domain-check/", views.DomainCheckView.as_view(), name="domain_check"),
    path("<uuid:pk>/edit/", views.CustomerUpdateView.as_view(), name="customer_update"),
    path("<uuid:pk>/agreement/", views.CustomerAgreementView.as_view(), name="customer_agreement"),
    # export, lookup, tags, subscriptions
    path("export.csv", views.CustomerExportView.as_view(), name="customer_export"),
    path("lookup/", views.CustomerLookupView.as_view(), name="customer_lookup"),
    path("<uuid:pk>/tags/", views.CustomerTagsView.as_view(), name="customer_tags"),
    path("<uuid:pk>/subscriptions/new/", views.SubscriptionCreateView.as_view(), name="subscription_create"),
    path(
        "<uuid:pk>/subscriptions/<int:subscription_pk>/status/",
        views.SubscriptionStatusView.as_view(),
        name="subscription_status",
    ),
    path(
        "<uuid:pk>/purchase-permissions/",
        views.PurchasePermissionView.as_view(),
        name="purchase_permissions",
    ),
]
