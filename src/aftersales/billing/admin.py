"""Back office for billing reference data: labour rates, travel fees, region classes and the company's designated
accounts (audited like every change). Bills, quotes and payments are read-only here: they change through the
billing services only, so that payment status stays the finance role's and every change keeps its audit entry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from aftersales.core.admin import AuditedAdmin

from .models import Bill, CompanyAccount, LabourRate, Payment, Quote, RegionTravelClass, TravelFee


@admin.register(LabourRate)
class LabourRateAdmin(AuditedAdmin):
    list_display = ("grade", "hourly_rate", "currency", "updated_at")
    exclude = ("version",)


@admin.register(TravelFee)
class TravelFeeAdmin(AuditedAdmin):
    list_display = ("region_class", "fee", "currency", "updated_at")
    exclude = ("version",)


@admin.register(RegionTravelClass)
class RegionTravelClassAdmin(AuditedAdmin):
    list_display = ("region", "region_class", "note")
    list_filter = ("region_class",)
    autocomplete_fields = ("region",)
    exclude = ("version",)


@admin.register(CompanyAccount)
class CompanyAccountAdmin(AuditedAdmin):
    list_display = ("name", "kind", "bank_name", "account_number", "holder", "active", "show_on_receipt")
    list_filter = ("kind", "active")
    exclude = ("version",)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # payments point to it: deactivate instead


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ("number", "customer", "work_order", "state", "payment_status", "total", "currency", "created_at")
    list_filter = ("state", "payment_status", "service_class")
    search_fields = ("number", "reference", "customer__name")
    list_select_related = ("customer", "work_order")


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ("number", "work_order", "state", "total", "approval_method", "approved_at")
    list_filter = ("state", "approval_method")
    search_fields = ("number",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("bill", "account", "method", "amount", "reference", "received_on", "recorded_by")
    list_filter = ("method", "account")
    search_fields = ("reference", "bill__number")
