"""The Django admin, for platform operators (superusers) only; partner staff are never `is_staff`."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from partnerportal.models import OutboundEmail, Partner, User


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "partner_id", "type", "market"]
    search_fields = ["name", "partner_id"]
    list_filter = ["type", "market"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "partner", "admin_role", "agent_role", "scope", "is_active"]
    list_filter = ["partner", "admin_role", "agent_role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name"]}),
        ("Partner", {"fields": ["partner", "admin_role", "agent_role", "scope"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ()


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    # Never the secret column: the raw link token it holds until delivery is not for anyone's eyes.
    readonly_fields = [f.name for f in OutboundEmail._meta.fields if f.name != "secret"]
