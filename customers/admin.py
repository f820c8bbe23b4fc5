"""Customers in the operators' Django admin."""

from django.contrib import admin

from customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["company_name", "id", "primary_domain", "country", "created_at"]
    search_fields = ["company_name", "primary_domain", "contact_email", "id"]
    list_filter = ["country", "agreement_status"]
    readonly_fields = ["id", "primary_domain", "created_at"]
