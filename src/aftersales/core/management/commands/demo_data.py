"""`aftersales demo-data`: load the demo company (staff, customers, equipment, ten months of service history)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aftersales.core.demo.builder import DemoBuilder, Summary, demo_password, is_loaded, logins, password_file
from aftersales.core.models import Region
from aftersales.servicedesk.models import ServiceRequest


class Command(BaseCommand):
    help = ("Load the demo company: an after-sales centre in Wuhan, its staff (one user per role), customers, "
            "equipment and a history of service requests built through the real services. Prints the logins.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true",
                            help="Do nothing (except print the logins) if the demo data is already loaded.")
        parser.add_argument("--requests", type=int, default=300, help="How many historical requests (default 300).")
        parser.add_argument("--seed", type=int, default=20260101, help="Random seed, for a reproducible company.")
        parser.add_argument("--force", action="store_true",
                            help="Load even though the database already holds service requests that are not demo data.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["requests"] < 0:
            raise CommandError("--requests must be 0 or more.")
        if is_loaded():
            if not options["once"]:
                self.stderr.write(self.style.WARNING("The demo data is already loaded; nothing to do."))
            self._print_logins(None)
            return
        if not Region.objects.filter(code="420100").exists():
            raise CommandError("Regions are missing: run `aftersales migrate` first.")
        if ServiceRequest.objects.exists() and not options["force"]:
            raise CommandError("This database already holds service requests; the demo is meant for an empty one. "
                               "Use --force to load it anyway.")
        started = time.perf_counter()
        self.stdout.write(f"Loading the demo company with {options['requests']} historical requests ...")
        summary = DemoBuilder(requests=options["requests"], seed=options["seed"]).build()
        self._settle_escalations()
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Demo data loaded in {elapsed:.1f} s: {summary.customers} customers, {summary.equipment} equipment "
            f"units, {summary.requests} requests, {summary.work_orders} work orders, {summary.receipts} signed "
            f"receipts, {summary.callbacks} rated callbacks, {summary.complaints} complaints."))
        self.stdout.write("Money and material: " + ", ".join(f"{n} {what}" for what, n in summary.material.items()))
        states = ", ".join(f"{state} {n}" for state, n in sorted(summary.by_state.items()))
        self.stdout.write(f"Requests by state: {states}")
        self._print_logins(summary)

    def _settle_escalations(self) -> None:
        """The demo's history breached clocks months ago: sweep once now so those escalations land in the inboxes as
        history, and count the historical emails as sent (to memory) instead of printing hundreds on the console."""
        from django.core import mail
        from django.test.utils import override_settings

        from aftersales.notifications.services import deliver_pending
        from aftersales.sla.sweep import sweep

        swept = 0
        while True:
            n = sweep(limit=500)
            swept += n
            if n < 500:
                break
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            while deliver_pending(limit=500) >= 500:
                pass
            mail.outbox = []
        read = self._date_alerts()
        self.stdout.write(f"Escalations of the demo's history settled ({swept} clocks checked, {read} old alerts "
                          "filed as read).")

    @staticmethod
    def _date_alerts() -> int:
        """Each alert the sweep just wrote gets the time its clock passed the threshold, and the alerts of clocks
        that are no longer running are filed as read (someone dealt with them then): an inbox shows today's
        breaches unread, not a year's history."""
        import datetime as dt

        from django.utils import timezone

        from aftersales.notifications.models import Notification
        from aftersales.sla.models import SlaClock

        alerts = list(Notification.objects.filter(outbox__isnull=False).select_related("outbox"))
        clock_ids = {int(a.outbox.key.split(":", 1)[0]) for a in alerts if a.outbox.key.split(":", 1)[0].isdigit()}
        clocks = SlaClock.objects.in_bulk(clock_ids)
        now, read = timezone.now(), 0
        for alert in alerts:
            head = alert.outbox.key.split(":", 1)[0]
            clock = clocks.get(int(head)) if head.isdigit() else None
            if clock is None or clock.due_at is None:
                continue
            alert.created_at = min(clock.due_at, now)
            if clock.state != "running":
                alert.read_at = min(alert.created_at + dt.timedelta(hours=2), now)
                read += 1
        Notification.objects.bulk_update(alerts, ["created_at", "read_at"], batch_size=500)
        return read

    def _print_logins(self, summary: Summary | None) -> None:
        password = summary.password if summary else demo_password()
        rows = logins()
        if not rows:
            return
        kept = set()
        if summary is not None:
            kept = {row.username for row in rows} - set(summary.created_users)
        width = max(len(row.username) for row in rows) + 2
        self.stdout.write("")
        self.stdout.write("Demo logins (http://127.0.0.1:8000/):")
        self.stdout.write(f"  {'username'.ljust(width)}{'role'.ljust(12)}name")
        for row in rows:
            note = "  (existing user, password unchanged)" if row.username in kept else ""
            self.stdout.write(f"  {row.username.ljust(width)}{row.role.ljust(12)}{row.name} {row.region}{note}")
        source = "AFTERSALES_DEMO_PASSWORD" if password != _file_password() else str(password_file())
        self.stdout.write(f"  password for all: {password}   (from {source})")


def _file_password() -> str:
    path = password_file()
    return path.read_text().strip() if path.exists() else ""
