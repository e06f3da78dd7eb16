"""Background work of the SLA context (django-tasks, run by `aftersales worker`).

- `sla_sweep`: check the due clocks and queue their escalations (sla.sweep), then deliver the outbox.
  Idempotent: running it twice at once, or again after a crash, sends nothing twice (outbox keys are unique).
- `schedule_sweep()`: what the worker's scheduler calls every 60 s — enqueue `sla_sweep` unless one is already
  waiting in the queue (several workers, or a restart, do not pile sweeps up).
- `requeue_stale_running(older_than)`: django-tasks-db leaves a task RUNNING for ever when the worker running
  it is killed (it has no heartbeat or lease). The scheduler calls this reaper every minute: a RUNNING task
  started more than `older_than` ago (default 10 minutes, `aftersales worker --reap-after`) goes back to READY
  and is picked up again. A task that is merely slow may thus run twice; every task of ours is idempotent, and
  the sweep is bounded (500 clocks) to finish well within the timeout.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import TaskResultStatus, task

logger = logging.getLogger("aftersales.sla.tasks")

STALE_RUNNING_AFTER = dt.timedelta(minutes=10)


@task()
def sla_sweep(limit: int = 500) -> dict[str, int]:
    """Check due clocks, queue escalation messages, deliver pending messages; returns counts for the task log."""
    from aftersales.notifications.services import deliver_pending

    from .sweep import run_sweep

    result = run_sweep(limit=limit)
    sent = deliver_pending()
    return {"clocks": result.clocks, "escalations": result.escalations, "messages": result.messages,
            "failed": result.failed, "sent": sent}


def _uses_database_backend() -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(sla_sweep.get_backend(), DatabaseBackend)


def schedule_sweep() -> bool:
    """Enqueue `sla_sweep` unless one is already queued (READY); returns whether one was enqueued."""
    if _uses_database_backend():
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.ready().filter(task_path=sla_sweep.module_path).exists():
            return False
    sla_sweep.enqueue()
    return True


def requeue_stale_running(older_than: dt.timedelta = STALE_RUNNING_AFTER, *, now: dt.datetime | None = None) -> int:
    """Put tasks left RUNNING by a dead worker back in the queue; returns how many (see the module docstring)."""
    if not _uses_database_backend():
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = (now or timezone.now()) - older_than
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    count = stale.update(status=TaskResultStatus.READY)
    if count:
        logger.warning("Re-queued %s task(s) left running for more than %s (their worker died?)", count, older_than)
    return count
