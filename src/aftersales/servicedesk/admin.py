from django.contrib import admin

from aftersales.core.admin import AuditedAdmin

from .models import FaultCategory


@admin.register(FaultCategory)
class FaultCategoryAdmin(AuditedAdmin):
    """The fault tree is reference data an administrator edits; requests point at its nodes."""

    list_display = ("code", "name", "name_en", "parent", "sort", "is_active")
    list_filter = ("is_active",)
    list_editable = ("sort", "is_active")
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("parent",)
