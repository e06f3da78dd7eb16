"""The admin page of background tasks: queued, running and failed ones, and "retry" for a failed one.

It replaces django_tasks_db's own admin for `DBTaskResult` with a subclass that adds the retry action. A retry
enqueues a fresh copy of the task with the same arguments (the failed row stays as the record of the failure);
our tasks are idempotent, so a retry never does the work twice.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("task_name", "status", "enqueued_at", "started_at", "finished_at", "queue_name", "worker")
    actions = ["retry"]

    @admin.display(description=_("worker"))
    def worker(self, obj: DBTaskResult) -> str:
        return (obj.worker_ids or [""])[-1]

    @admin.action(description=_("Retry (failed tasks)"))
    def retry(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        count = retry_failed(queryset)
        skipped = queryset.count() - count
        self.message_user(request, ngettext("%(n)d task queued again.", "%(n)d tasks queued again.", count)
                          % {"n": count}, messages.SUCCESS)
        if skipped:
            self.message_user(request, ngettext("%(n)d task was not failed and was left alone.",
                                                "%(n)d tasks were not failed and were left alone.", skipped)
                              % {"n": skipped}, messages.WARNING)


def retry_failed(queryset: QuerySet[DBTaskResult]) -> int:
    """Enqueue a fresh copy of each failed task in `queryset`; returns how many were queued."""
    count = 0
    for row in queryset.filter(status=TaskResultStatus.FAILED):
        row.task.enqueue(*row.args_kwargs.get("args", []), **row.args_kwargs.get("kwargs", {}))
        count += 1
    return count


def register_task_admin() -> None:
    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, TaskResultAdmin)
