"""Background work of RMA: the daily reminder sweep (chase vendors, tell customers), run by the worker."""

from __future__ import annotations

from django_tasks import task


@task()
def rma_reminder_sweep() -> dict[str, int]:
    from aftersales.notifications.services import deliver_pending

    from .services import rma_reminder_sweep as sweep

    result = sweep()
    result["sent"] = deliver_pending()
    return result


def schedule_reminder_sweep() -> bool:
    """Enqueue the sweep unless one is already waiting (the scheduler calls this every minute; the sweep itself
    does nothing twice, see services.rma_reminder_sweep)."""
    from aftersales.sla.tasks import _uses_database_backend

    if _uses_database_backend():
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.ready().filter(task_path=rma_reminder_sweep.module_path).exists():
            return False
    rma_reminder_sweep.enqueue()
    return True
