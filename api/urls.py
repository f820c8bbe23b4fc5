"""The API's routes (`/api/v1/`, namespace "api") and the token pages (namespace "apitokens").

Every API view is exempt from the portal's sign-in redirect: the API answers 401 itself and takes no session.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path

from api import pages
from api.problems import not_found
from api.views import (
    activity,
    admin_relationships,
    customer_actions,
    docs,
    invitations,
    leads,
    partnerships,
    profiles,
    purchase_permissions,
    relationships,
    staff,
    subscriptions,
)
from api.views.customers import CustomerDetailView, CustomerListView
from api.views.tags import CustomerTagsView

app_name = "api"

urlpatterns = [
    path("customers/", login_not_required(CustomerListView.as_view()), name="customer_list"),
    path("customers/<uuid:pk>/", login_not_required(CustomerDetailView.as_view()), name="customer_detail"),
    path("customers/<uuid:pk>/tags/", login_not_required(CustomerTagsView.as_view()), name="customer_tags"),
    path("schema/", login_not_required(docs.SchemaView.as_view()), name="schema"),
    path("docs/", login_not_required(docs.docs), name="docs"),
    # ---- relationships: a customer's, ending one (preflight first), the ended ones and restoring one
    path(
        "customers/<uuid:pk>/relationships/",
        login_not_required(relationships.CustomerRelationshipListView.as_view()),
        name="customer_relationships",
    ),
    path(
        "customers/<uuid:pk>/relationships/end-preflight/",
        login_not_required(relationships.RelationshipEndPreflightView.as_view()),
        name="relationship_end_preflight",
    ),
    path(
        "customers/<uuid:pk>/relationships/end/",
        login_not_required(relationships.RelationshipEndView.as_view()),
        name="relationship_end",
    ),
    path(
        "relationships/ended/",
        login_not_required(relationships.EndedRelationshipListView.as_view()),
        name="relationship_ended_list",
    ),
    path(
        "relationships/ended/<int:pk>/restore/",
        login_not_required(relationships.RelationshipRestoreView.as_view()),
        name="relationship_restore",
    ),
    # ---- invitations: the list, a new one, resend and revoke
    path("invitations/", login_not_required(invitations.InvitationListView.as_view()), name="invitation_list"),
    path(
        "invitations/<int:pk>/resend/",
        login_not_required(invitations.InvitationResendView.as_view()),
        name="invitation_resend",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        login_not_required(invitations.InvitationRevokeView.as_view()),
        name="invitation_revoke",
    ),
    # ---- the activity log
    path("activity/", login_not_required(activity.ActivityListView.as_view()), name="activity_list"),
    # ---- staff users (global admins): list, add, get, change, deactivate, reactivate, password link
    path("staff/", login_not_required(staff.StaffUserListView.as_view()), name="staff_list"),
    path("staff/<int:pk>/", login_not_required(staff.StaffUserDetailView.as_view()), name="staff_detail"),
    path(
        "staff/<int:pk>/deactivate/",
        login_not_required(staff.StaffUserDeactivateView.as_view()),
        name="staff_deactivate",
    ),
    path(
        "staff/<int:pk>/reactivate/",
        login_not_required(staff.StaffUserReactivateView.as_view()),
        name="staff_reactivate",
    ),
    path(
        "staff/<int:pk>/password-reset/",
        login_not_required(staff.StaffUserPasswordResetView.as_view()),
        name="staff_password_reset",
    ),
    # ---- admin relationships: the list and a customer's, one, request, terminate, assign; templates and groups
    path(
        "admin-relationships/",
        login_not_required(admin_relationships.AdminRelationshipListView.as_view()),
        name="admin_relationship_list",
    ),
    path(
        "admin-relationships/<int:pk>/",
        login_not_required(admin_relationships.AdminRelationshipDetailView.as_view()),
        name="admin_relationship_detail",
    ),
    path(
        "admin-relationships/<int:pk>/terminate/",
        login_not_required(admin_relationships.AdminRelationshipTerminateView.as_view()),
        name="admin_relationship_terminate",
    ),
    path(
        "admin-relationships/<int:pk>/assignments/",
        login_not_required(admin_relationships.AdminRelationshipAssignView.as_view()),
        name="admin_relationship_assign",
    ),
    path(
        "customers/<uuid:pk>/admin-relationships/",
        login_not_required(admin_relationships.CustomerAdminRelationshipListView.as_view()),
        name="customer_admin_relationships",
    ),
    path(
        "role-templates/",
        login_not_required(admin_relationships.RoleTemplateListView.as_view()),
        name="role_template_list",
    ),
    path(
        "security-groups/",
        login_not_required(admin_relationships.SecurityGroupListView.as_view()),
        name="security_group_list",
    ),
    # ---- a customer's agreement, subscriptions and purchase permissions; the domain check; partnerships
    path(
        "customers/<uuid:pk>/agreement/",
        login_not_required(customer_actions.CustomerAgreementView.as_view()),
        name="customer_agreement",
    ),
    path(
        "domains/availability/",
        login_not_required(customer_actions.DomainAvailabilityView.as_view()),
        name="domain_availability",
    ),
    path(
        "customers/<uuid:pk>/subscriptions/",
        login_not_required(subscriptions.CustomerSubscriptionListView.as_view()),
        name="customer_subscriptions",
    ),
    path(
        "customers/<uuid:pk>/subscriptions/<int:subscription_pk>/",
        login_not_required(subscriptions.SubscriptionDetailView.as_view()),
        name="subscription_detail",
    ),
    path(
        "customers/<uuid:pk>/purchase-permissions/",
        login_not_required(purchase_permissions.CustomerPurchasePermissionsView.as_view()),
        name="customer_purchase_permissions",
    ),
    path("partnerships/", login_not_required(partnerships.PartnershipListView.as_view()), name="partnership_list"),
    path(
        "partnerships/authorize/",
        login_not_required(partnerships.PartnershipAuthorizeView.as_view()),
        name="partnership_authorize",
    ),
    path(
        "partnerships/<int:pk>/remove/",
        login_not_required(partnerships.PartnershipRemoveView.as_view()),
        name="partnership_remove",
    ),
    # ---- leads: the list, one lead and editing its deal, and its steps
    path("leads/", login_not_required(leads.LeadListView.as_view()), name="lead_list"),
    path("leads/<int:pk>/", login_not_required(leads.LeadDetailView.as_view()), name="lead_detail"),
    path("leads/<int:pk>/accept/", login_not_required(leads.LeadAcceptView.as_view()), name="lead_accept"),
    path("leads/<int:pk>/decline/", login_not_required(leads.LeadDeclineView.as_view()), name="lead_decline"),
    path("leads/<int:pk>/win/", login_not_required(leads.LeadWinView.as_view()), name="lead_win"),
    path("leads/<int:pk>/lose/", login_not_required(leads.LeadLoseView.as_view()), name="lead_lose"),
    path("leads/<int:pk>/close/", login_not_required(leads.LeadCloseView.as_view()), name="lead_close"),
    # ---- business profiles: the list, one, publish and unpublish
    path(
        "business-profiles/",
        login_not_required(profiles.BusinessProfileListView.as_view()),
        name="business_profile_list",
    ),
    path(
        "business-profiles/<int:pk>/",
        login_not_required(profiles.BusinessProfileDetailView.as_view()),
        name="business_profile_detail",
    ),
    path(
        "business-profiles/<int:pk>/publish/",
        login_not_required(profiles.BusinessProfilePublishView.as_view()),
        name="business_profile_publish",
    ),
    path(
        "business-profiles/<int:pk>/unpublish/",
        login_not_required(profiles.BusinessProfileUnpublishView.as_view()),
        name="business_profile_unpublish",
    ),
    # ----
    # Anything else under /api/v1/ is a 404 problem document, not the HTML page.
    re_path(r"^.*$", login_not_required(not_found)),
]

token_urlpatterns = [
    path("accounts/api-tokens/", pages.ApiTokenListView.as_view(), name="token_list"),
    path("accounts/api-tokens/<int:pk>/revoke/", pages.ApiTokenRevokeView.as_view(), name="token_revoke"),
    path("staff/api-tokens/", pages.PartnerApiTokenListView.as_view(), name="partner_token_list"),
]
