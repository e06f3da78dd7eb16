"""Background work of the notifications context (django-tasks): deliver what the outbox holds."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def deliver_outbox(limit: int = 500) -> int:
    """Send pending outbox messages; idempotent (a sent row is never sent again), returns how many were sent."""
    return services.deliver_pending(limit=limit)
