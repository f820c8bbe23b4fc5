from django.urls import path

from partnerportal.staff import views as staff_views

app_name = "staff"

urlpatterns: list = [
    path("", staff_views.StaffUserListView.as_view(), name="user_list"),
    path("new/", staff_views.StaffUserCreateView.as_view(), name="user_create"),
    path("<int:pk>/", staff_views.StaffUserUpdateView.as_view(), name="user_update"),
    path("<int:pk>/deactivate/", staff_views.StaffUserDeactivateView.as_view(), name="user_deactivate"),
    path("<int:pk>/reactivate/", staff_views.StaffUserReactivateView.as_view(), name="user_reactivate"),
    path("<int:pk>/reset-password/", staff_views.StaffUserResetPasswordView.as_view(), name="user_reset_password"),
    path("<int:pk>/reset-mfa/", staff_views.StaffUserMFAResetView.as_view(), name="user_mfa_reset"),
    path("security/", staff_views.PartnerSecurityView.as_view(), name="partner_security"),
    path("set-password/<str:token>/", staff_views.SetPasswordView.as_view(), name="set_password"),
]
