from django.urls import path

from partnerportal.mfa import views

app_name = "mfa"

urlpatterns = [
    path("login/verify/", views.MFAVerifyView.as_view(), name="verify"),
    path("reauth/", views.ReauthView.as_view(), name="reauth"),
    path("mfa/", views.MFAOverviewView.as_view(), name="overview"),
    path("mfa/setup/", views.MFASetupView.as_view(), name="setup"),
    path("mfa/setup/confirm/", views.MFAConfirmView.as_view(), name="confirm"),
    path("mfa/recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery_codes"),
]
