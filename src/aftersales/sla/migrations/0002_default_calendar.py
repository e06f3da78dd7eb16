"""Data migration: the default working-time calendar (mainland China office hours) and a 24/7 calendar.

The default calendar's per-date table for 2004–2026 comes from `chinesecalendar` through
`aftersales.core.calendars.china_overrides`.  Migrations normally must not import app code (it changes while
the migration must not); `core.calendars` is the exception we accept: it is pure Python (no models, no
settings), its seeding function is stable, and the alternative — copying the package's 23 years of dates
here — would be worse.  If `chinesecalendar` ever drops a year, the migration still runs: `china_data_years`
says which years it seeded, and only those become official.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULT_NAME = "中国大陆工作日 / Mainland China office hours"
ALWAYS_NAME = "全天候 / 24/7"
OFFICE_DAY = [["08:30", "12:00"], ["13:30", "18:00"]]
SEED_YEARS = range(2004, 2027)


def create_calendars(apps: Any, schema_editor: Any) -> None:
    from aftersales.core.calendars import china_data_years, china_overrides

    WorkCalendar = apps.get_model("sla", "WorkCalendar")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    official = china_data_years(SEED_YEARS)
    office, created = WorkCalendar.objects.get_or_create(
        name=DEFAULT_NAME,
        defaults={
            "time_zone": "Asia/Shanghai",
            "hours": {str(wd): (OFFICE_DAY if wd < 5 else []) for wd in range(7)},
            "official_years": official,
            "is_default": not WorkCalendar.objects.filter(is_default=True).exists(),
        },
    )
    if created:
        CalendarDay.objects.bulk_create(
            CalendarDay(calendar=office, date=day, is_workday=is_workday, name=label, source="seed")
            for day, (is_workday, label) in sorted(china_overrides(official).items())
        )
    WorkCalendar.objects.get_or_create(
        name=ALWAYS_NAME,
        defaults={
            "time_zone": "Asia/Shanghai",
            "hours": {str(wd): [["00:00", "24:00"]] for wd in range(7)},
            "official_years": [],
            "is_default": False,
        },
    )


def remove_calendars(apps: Any, schema_editor: Any) -> None:
    # Reversible as long as no SLA target or clock uses them (those references are PROTECT).
    WorkCalendar = apps.get_model("sla", "WorkCalendar")
    WorkCalendar.objects.filter(name__in=[DEFAULT_NAME, ALWAYS_NAME]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_calendars, remove_calendars),
    ]
