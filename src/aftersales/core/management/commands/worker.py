"""Run the background task worker (django-tasks with the database backend) and the SLA sweep's scheduler.

`aftersales worker` runs django-tasks-db's `db_worker` in the main thread, and a scheduler thread that every
`--sweep-every` seconds (default 60):
- re-queues tasks left RUNNING by a killed worker for more than `--reap-after` minutes (sla.tasks);
- enqueues the SLA sweep unless one is already waiting.
Any number of workers may run; each has a scheduler. Double firing is impossible by construction: the sweep holds
the clocks it checks, and every message goes through the outbox, whose unique key lets it be sent once only.
A restart simply carries on: clocks keep their `next_check_at`, so what fell due while no worker ran is found
by the next sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

logger = logging.getLogger("aftersales.worker")


def scheduler_tick(*, reap_after: dt.timedelta) -> None:
    """One round of the scheduler: reap dead workers' tasks, then enqueue the sweep."""
    from aftersales.sla.tasks import requeue_stale_running, schedule_sweep

    requeue_stale_running(reap_after)
    schedule_sweep()
    __import__("aftersales.contracts.tasks").contracts.tasks.schedule_daily()  # contracts: renewal reminders, expiry
    __import__("aftersales.rma.tasks").rma.tasks.schedule_reminder_sweep()  # RMA: chase vendors, tell customers


class Scheduler(threading.Thread):
    """Enqueues the SLA sweep every `every` seconds until stopped; survives database errors (logs and retries)."""

    def __init__(self, *, every: float, reap_after: dt.timedelta) -> None:
        super().__init__(name="sla-scheduler", daemon=True)
        self.every = every
        self.reap_after = reap_after
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                scheduler_tick(reap_after=self.reap_after)
            except Exception:
                logger.exception("Scheduler tick failed; trying again in %s s", self.every)
            finally:
                connection.close()
            self.stopped.wait(self.every)

    def stop(self) -> None:
        self.stopped.set()


class Command(BaseCommand):
    help = ("Run the background worker that executes queued tasks (notifications, SLA sweeps, imports), and "
            "enqueue the SLA sweep every minute.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true",
                            help="Enqueue one sweep, run the queue until it is empty, then exit.")
        parser.add_argument("--sweep-every", type=float, default=60.0,
                            help="Seconds between SLA sweeps (default 60).")
        parser.add_argument("--reap-after", type=float, default=10.0,
                            help="Minutes after which a task still RUNNING is taken for dead and re-queued.")
        parser.add_argument("--no-scheduler", action="store_true",
                            help="Only run queued tasks; do not enqueue the SLA sweep.")
        parser.add_argument("--worker-id", default="", help="A unique name for this worker (default: random).")

    def handle(self, *args: Any, **options: Any) -> None:
        reap_after = dt.timedelta(minutes=options["reap_after"])
        extra = ["--no-reload"]
        if options["worker_id"]:
            extra += ["--worker-id", options["worker_id"]]
        scheduler: Scheduler | None = None
        if options["batch"]:
            extra.append("--batch")
            if not options["no_scheduler"]:
                scheduler_tick(reap_after=reap_after)
        elif not options["no_scheduler"]:
            scheduler = Scheduler(every=options["sweep_every"], reap_after=reap_after)
            scheduler.start()
        try:
            call_command("db_worker", "--interval", str(options["interval"]), *extra,
                         verbosity=options.get("verbosity", 1))
        finally:
            if scheduler is not None:
                scheduler.stop()
