from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin import AuditedAdmin

from .models import ApiToken, ServiceCenter, Skill, User


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ("username", "display_name", "role", "region", "is_active", "last_login")
    list_filter = ("role", "is_active", "region")
    search_fields = ("username", "display_name", "phone", "email")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("After-sales"), {"fields": ("role", "display_name", "phone", "region", "service_center", "skills",
                                       "grade", "language", "time_zone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("After-sales"), {"fields": ("role", "display_name", "region", "language")}),
    )
    filter_horizontal = ("skills", "groups", "user_permissions")


@admin.register(Skill)
class SkillAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(ServiceCenter)
class ServiceCenterAdmin(AuditedAdmin):
    list_display = ("code", "name", "city", "phone")
    autocomplete_fields = ("city",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("user", "key_hash", "prefix", "created_at", "expires_at", "last_used_at")
    actions = ["revoke"]

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):  # noqa: ANN001, ANN201
        from django.utils import timezone

        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False
