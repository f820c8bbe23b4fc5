"""Activity actions: a stable code is stored, its label is shown in the reader's language."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Actions(models.TextChoices):
    """Every action the activity log records, spelled once.

    The value (e.g. `customer.create`) is what the log stores, the URL filter carries and the CSV exports; never
    change one (migrate the rows if you must). The label is translated and shown on pages.
    """

    CUSTOMER_CREATE = "customer.create", _("Create customer")
    CUSTOMER_UPDATE = "customer.update", _("Update customer")
    CUSTOMER_AGREEMENT_ATTEST = "customer.agreement_attest", _("Attest customer agreement")
    CUSTOMER_IMPORT = "customer.import", _("Import customer")
    TAGS_UPDATE = "customer.tags_update", _("Update customer tags")
    SUBSCRIPTION_CREATE = "subscription.create", _("Create subscription")
    SUBSCRIPTION_STATUS = "subscription.status_change", _("Change subscription status")
    INVITATION_CREATE = "invitation.create", _("Send invitation")
    INVITATION_RESEND = "invitation.resend", _("Resend invitation")
    INVITATION_REVOKE = "invitation.revoke", _("Revoke invitation")
    INVITATION_ACCEPT = "invitation.accept", _("Accept invitation")
    INVITATION_CODE_SEND = "invitation.code_send", _("Send acceptance code")
    INVITATION_CODE_WRONG = "invitation.code_wrong", _("Wrong acceptance code")
    INVITATION_CODE_VERIFY = "invitation.code_verify", _("Confirm acceptance code")
    RELATIONSHIP_END = "relationship.end", _("End relationship")
    RELATIONSHIP_RESTORE = "relationship.restore", _("Restore relationship")
    PARTNERSHIP_REQUEST = "partnership.request", _("Request partnership")
    PARTNERSHIP_AUTHORIZE = "partnership.authorize", _("Authorize partnership")
    PARTNERSHIP_REMOVE = "partnership.remove", _("Remove partnership")
    PURCHASE_PERMISSION_CREATE = "purchase_permission.create", _("Create customer purchase permission")
    PURCHASE_PERMISSION_DELETE = "purchase_permission.delete", _("Delete customer purchase permission")
    STAFF_CREATE = "staff.create", _("Add staff user")
    STAFF_UPDATE = "staff.update", _("Update staff user")
    STAFF_DEACTIVATE = "staff.deactivate", _("Deactivate staff user")
    STAFF_REACTIVATE = "staff.reactivate", _("Reactivate staff user")
    STAFF_PASSWORD_RESET = "staff.password_reset", _("Send password reset")
    STAFF_PASSWORD_SET = "staff.password_set", _("Set password")
    AUTH_SIGN_IN = "auth.sign_in", _("Sign in")
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed", _("Failed sign-in")
    AUTH_LOCKOUT = "auth.lockout", _("Sign-in locked out")
    AUTH_SIGN_OUT = "auth.sign_out", _("Sign out")
    AUTH_PASSWORD_CHANGE = "auth.password_change", _("Change password")
    AUTH_PASSWORD_RESET = "auth.password_reset", _("Reset password")
    MFA_ENROL = "mfa.enrol", _("Set up multi-factor sign-in")
    MFA_VERIFY = "mfa.verify", _("Sign in with a second factor")
    MFA_FAILED = "mfa.failed", _("Failed MFA code")
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used", _("Use recovery code")
    MFA_RECOVERY_CODES_REGENERATE = "mfa.recovery_codes_regenerate", _("Regenerate recovery codes")
    MFA_RESET = "mfa.reset", _("Reset multi-factor sign-in")
    MFA_REQUIREMENT_CHANGE = "mfa.requirement_change", _("Change MFA requirement")
    ADMIN_RELATIONSHIP_REQUEST = "admin_relationship.request", _("Request admin relationship")
    ADMIN_RELATIONSHIP_APPROVE = "admin_relationship.approve", _("Approve admin relationship")
    ADMIN_RELATIONSHIP_DECLINE = "admin_relationship.decline", _("Decline admin relationship")
    ADMIN_RELATIONSHIP_TERMINATE = "admin_relationship.terminate", _("Terminate admin relationship")
    ADMIN_RELATIONSHIP_ASSIGN = "admin_relationship.assign", _("Assign admin relationship roles")
    ADMIN_RELATIONSHIP_EXTEND = "admin_relationship.extend", _("Auto extend admin relationship")
    ADMIN_RELATIONSHIP_EXPIRE = "admin_relationship.expire", _("Admin relationship expired")
    SECURITY_GROUP_CREATE = "security_group.create", _("Create security group")
    SECURITY_GROUP_UPDATE = "security_group.update", _("Update security group")
    ROLE_TEMPLATE_CREATE = "role_template.create", _("Create role template")
    ROLE_TEMPLATE_UPDATE = "role_template.update", _("Update role template")
    ROLE_TEMPLATE_DELETE = "role_template.delete", _("Delete role template")
    ADMIN_RELATIONSHIP_CREATE_ACTIVE = "admin_relationship.create_active", _("Create default admin relationship")
    RELATIONSHIP_DAP_REMOVE = "relationship.dap_remove", _("Remove delegated admin privileges")
    API_TOKEN_CREATE = "api_token.create", _("Create API token")
    API_TOKEN_REVOKE = "api_token.revoke", _("Revoke API token")
    WEBHOOK_ENDPOINT_CREATE = "webhook_endpoint.create", _("Create webhook endpoint")
    WEBHOOK_ENDPOINT_UPDATE = "webhook_endpoint.update", _("Update webhook endpoint")
    WEBHOOK_SECRET_ROTATE = "webhook_endpoint.secret_rotate", _("Rotate webhook secret")
    WEBHOOK_ENDPOINT_DELETE = "webhook_endpoint.delete", _("Delete webhook endpoint")
    WEBHOOK_REDELIVER = "webhook_delivery.redeliver", _("Redeliver webhook")
