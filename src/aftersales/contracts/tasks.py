"""Background work of the contracts context (django-tasks, run by `aftersales worker`).

- `contracts_daily`: renewal reminders 60 and 30 days before a contract's last day, and expiry of active contracts
  past it (contracts.services.contracts_daily), then delivery of the outbox. Idempotent: reminders have unique
  outbox keys, expiry is a state transition of still-active contracts only.
- `schedule_daily()`: called by the worker's scheduler every minute; enqueues `contracts_daily` once per local day
  (unless one was already enqueued since local midnight). Running it more often would do no harm, only work.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def contracts_daily() -> dict[str, int]:
    from aftersales.notifications.services import deliver_pending

    from .services import contracts_daily as run

    result = run()
    return {"reminders": result.reminders, "messages": result.messages, "expired": result.expired,
            "sent": deliver_pending()}


def schedule_daily(*, now: dt.datetime | None = None) -> bool:
    """Enqueue the daily contract check unless one was enqueued since local midnight; returns whether it did."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(contracts_daily.get_backend(), DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        local = timezone.localtime(now or timezone.now())
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if DBTaskResult.objects.filter(task_path=contracts_daily.module_path, enqueued_at__gte=midnight).exists():
            return False
    contracts_daily.enqueue()
    return True
