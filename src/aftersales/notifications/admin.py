"""Administration of the outbox and inbox, and of the background tasks (queued, running, failed; retry)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Notification, OutboxMessage
from .task_admin import register_task_admin


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "key", "recipient", "channel", "state", "attempts", "sent_at")
    list_filter = ("state", "channel")
    search_fields = ("key", "subject", "recipient__username")
    ordering = ["-created_at"]
    list_select_related = ("recipient",)
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send again (failed messages)"))
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = services.outbox_resend(messages=queryset)
        self.message_user(request, ngettext("%(n)d message queued again.", "%(n)d messages queued again.",
                                            count) % {"n": count}, messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "subject", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter),)
    search_fields = ("subject", "recipient__username")
    ordering = ["-created_at"]
    list_select_related = ("recipient",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


register_task_admin()
