from django.urls import path

from relationships import views

app_name = "relationships"

urlpatterns: list = [
    # invitations (staff pages); the public acceptance page is in `public_urlpatterns` below
    path("invitations/", views.InvitationListView.as_view(), name="invitation_list"),
    path("invitations/new/", views.InvitationCreateView.as_view(), name="invitation_create"),
    path("invitations/<int:pk>/resend/", views.InvitationResendView.as_view(), name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation_revoke"),
    # end, restore, partnerships, import
    path("ended/", views.RelationshipEndedListView.as_view(), name="relationship_ended_list"),
    path("ended/<int:pk>/restore/", views.RelationshipRestoreView.as_view(), name="relationship_restore"),
    path("partnerships/", views.PartnershipListView.as_view(), name="partnership_list"),
    path("partnerships/new/", views.PartnershipCreateView.as_view(), name="partnership_create"),
    path(
        "partnerships/authorize/<str:token>/",
        views.PartnershipAuthorizeView.as_view(),
        name="partnership_authorize",
    ),
    path("partnerships/<int:pk>/remove/", views.PartnershipRemoveView.as_view(), name="partnership_remove"),
    path("import/", views.CustomerImportView.as_view(), name="customer_import"),
    path("import/template.csv", views.CustomerImportTemplateView.as_view(), name="customer_import_template"),
]

# Mounted by partnerportal/urls.py in the `customers` namespace: pages about one customer that begin or end its
# relationship (their names stay customers:customer_create and customers:relationship_end).
customer_urlpatterns: list = [
    path("new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path("<uuid:pk>/relationship/end/", views.RelationshipEndView.as_view(), name="relationship_end"),
]

# Mounted at the site root by partnerportal/urls.py (the link in the email is /invite/<token>/), in this namespace.
public_urlpatterns: list = [
    path("invite/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path(
        "invite/<str:token>/domain-check/",
        views.InvitationDomainCheckView.as_view(),
        name="invitation_domain_check",
    ),
    path("customer-agreement/", views.CustomerAgreementView.as_view(), name="customer_agreement"),
]
