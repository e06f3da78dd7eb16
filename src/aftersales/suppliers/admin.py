from django.contrib import admin

from aftersales.core.admin import AuditedAdmin

from .models import Supplier


@admin.register(Supplier)
class SupplierAdmin(AuditedAdmin):
    list_display = ("code", "name", "contact_name", "phone", "repairs_items", "is_active")
    list_filter = ("repairs_items", "is_active")
    search_fields = ("code", "name")
