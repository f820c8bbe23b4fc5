"""URL configuration: every route is named, and every named route has rows in tests/access.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from adminrelationships import urls as adminrelationships_urls
from api import urls as api_urls
from customers import urls as customers_urls
from partnerportal.accounts import views as accounts_views
from partnerportal.forms import LoginForm
from partnerportal.views import pages as views
from profiles import urls as profiles_urls
from relationships import urls as relationships_urls

auth_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", accounts_views.PortalPasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        accounts_views.PortalPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts_views.PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include(auth_patterns)),
    path("accounts/", include("partnerportal.mfa.urls")),
    path("account/preferences/", accounts_views.PreferencesView.as_view(), name="preferences"),
    # One "customers" namespace built here from the pattern lists of several apps, so no app imports one above it.
    path(
        "customers/",
        include(
            (
                [
                    *customers_urls.urlpatterns,
                    *relationships_urls.customer_urlpatterns,
                ],
                customers_urls.app_name,
            )
        ),
    ),
    # One "relationships" namespace holding the staff pages under relationships/ and the public /invite/<token>/.
    path(
        "",
        include(
            (
                [
                    path("relationships/", include(relationships_urls.urlpatterns)),
                    *relationships_urls.public_urlpatterns,
                ],
                relationships_urls.app_name,
            )
        ),
    ),
    # Staff pages under admin-relationships/ and the customer's public /admin-approval/<token>/, in one namespace.
    path(
        "",
        include(
            (
                [
                    path("admin-relationships/", include(adminrelationships_urls.urlpatterns)),
                    *adminrelationships_urls.public_urlpatterns,
                ],
                adminrelationships_urls.app_name,
            )
        ),
    ),
    # The business profile's staff pages under profile/ and the public directory under find-a-partner/, one namespace.
    path(
        "",
        include(
            (
                [
                    path("profile/", include(profiles_urls.urlpatterns)),
                    path("find-a-partner/", include(profiles_urls.public_urlpatterns)),
                ],
                profiles_urls.app_name,
            )
        ),
    ),
    path("activity/", include("activity.urls")),
    path("leads/", include("leads.urls")),
    path("staff/webhooks/", include("partnerportal.webhooks.urls")),
    path("staff/", include("partnerportal.staff.urls")),
    path("api/v1/", include(api_urls)),
    # The API token pages (own tokens under accounts/, the partner's under staff/), in one namespace.
    path("", include((api_urls.token_urlpatterns, "apitokens"))),
    path("admin/", admin.site.urls),
]

handler403 = "partnerportal.views.pages.permission_denied"
handler404 = "partnerportal.views.pages.page_not_found"
handler500 = "partnerportal.views.pages.server_error"
