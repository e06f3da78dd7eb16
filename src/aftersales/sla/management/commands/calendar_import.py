"""`aftersales calendar_import --year 2027 notice.csv`: enter a year's holiday notice from a CSV file.

The same service as the admin page (`calendar_import_year`): the file's dates become the year's whole table, the year
becomes official (unless --not-official), and deadlines already running are recomputed.  --dry-run prints the
preview only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from aftersales.core.errors import DomainError
from aftersales.sla import calendar_services as cal
from aftersales.sla.models import WorkCalendar


class Command(BaseCommand):
    help = ("Import a year's official holidays and make-up workdays (date,is_workday,name) into a working-time "
            "calendar (the default one unless --calendar is given).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="CSV file: date,is_workday,name (UTF-8 or GB18030).")
        parser.add_argument("--year", type=int, required=True, help="The year the notice is for.")
        parser.add_argument("--calendar", help="Calendar id or exact name (default: the default calendar).")
        parser.add_argument("--user", help="Username recorded in the change log (default: the system).")
        parser.add_argument("--not-official", action="store_true",
                            help="Import the dates but keep the year marked estimated.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        calendar = self._calendar(options.get("calendar"))
        actor = None
        if options.get("user"):
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user named {options['user']!r}.")
        year = options["year"]
        try:
            rows = cal.parse_csv(path.read_bytes(), year)
            preview = cal.calendar_import_preview(calendar=calendar, year=year, rows=rows)
        except cal.CalendarImportInvalid as exc:
            lines = [f"line {e['line']}: {e['message']}" if e.get("line") else e["message"] for e in exc.errors]
            raise CommandError("Nothing was imported:\n  " + "\n  ".join(lines)) from exc
        self.stdout.write(f"{calendar.name}, {year}: {preview.changes} changes; working days "
                          f"{preview.working_days_before} -> {preview.working_days_after}.")
        for line in preview.lines:
            if line.status != "same":
                kind = "work" if line.is_workday else "off"
                self.stdout.write(f"  {line.status:8} {line.date} {line.weekday[:3]} {kind:4} {line.name}")
        for warning in preview.warnings:
            self.stdout.write(self.style.WARNING(f"  {warning}"))
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing saved.")
            return
        try:
            result = cal.calendar_import_year(actor=actor, calendar=calendar, year=year, rows=rows,
                                              mark_official=not options["not_official"])
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        recomputed = "" if result.clocks_recomputed is None else f"; {result.clocks_recomputed} clocks recomputed"
        self.stdout.write(self.style.SUCCESS(
            f"Imported {year}: {result.added} added, {result.changed} changed, {result.removed} removed{recomputed}."))

    def _calendar(self, key: str | None) -> WorkCalendar:
        if not key:
            try:
                return cal.calendar_default()
            except DomainError as exc:
                raise CommandError(str(exc)) from exc
        calendar = WorkCalendar.objects.filter(pk=int(key)).first() if key.isdigit() else None
        calendar = calendar or WorkCalendar.objects.filter(name=key).first()
        if calendar is None:
            raise CommandError(f"No calendar {key!r}.")
        return calendar
