from typing import Any

from django.contrib import admin

from . import audit
from .models import AuditEntry, Region


class AuditedAdmin(admin.ModelAdmin):
    """Back-office edits are changes like any other: they bump the version and land in the change log."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk:
            fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
            before = audit.snapshot(fresh) if fresh is not None else None
        if hasattr(obj, "version") and change:
            obj.version += 1
        super().save_model(request, obj, form, change)
        if before is None:
            audit.record_create(actor=request.user, instance=obj, verb="created_in_admin")
        else:
            audit.record_update(actor=request.user, instance=obj, before=before, verb="updated_in_admin")

    def delete_model(self, request: Any, obj: Any) -> None:
        audit.record(actor=request.user, instance=obj, action=AuditEntry.Action.DELETE, verb="deleted_in_admin",
                     changes=audit.snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name", "name_en")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the change log is append-only, even for administrators."""

    list_display = ("at", "actor", "action", "verb", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "verb")
    date_hierarchy = "at"
    list_select_related = ("actor", "content_type")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
