from django.contrib import admin

from aftersales.core.admin import AuditedAdmin

from .models import ProductModel


@admin.register(ProductModel)
class ProductModelAdmin(AuditedAdmin):
    list_display = ("code", "name", "category", "manufacturer", "warranty_months")
    search_fields = ("code", "name")
    filter_horizontal = ("skills",)
