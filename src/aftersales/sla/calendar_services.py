"""Working-time calendars as the business keeps them: the stored calendars, their per-date tables, and the writes.

`engine_for(calendar)` turns a stored `WorkCalendar` into the pure arithmetic engine of `core.calendars`
(compiled once per calendar version in the process).  Every change of a calendar — a day set by hand, a year's
State Council notice imported from a form or a CSV file, new weekly hours — goes through a service here: one
transaction, audited in the change log, the calendar's version bumped (which invalidates every process's cached
engine), and then the SLA clocks already running on the calendar are recomputed
(`sla.services.clocks_recompute_for_calendar`), so their deadlines follow the new table.

A calendar with an empty `official_years` list does not depend on an official schedule (24/7, a plain office
week): it is never estimated and has no statutory fallback.  One with official years is "estimated" for any other
year (see `core.calendars`), and `calendar_warnings` tells administrators when next year's notice is missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.core import audit
from aftersales.core import calendars as engine
from aftersales.core import services as core
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.core.models import AuditEntry
from aftersales.core.permissions import CONFIGURE, has_perm, require

from .models import CalendarDay, WorkCalendar

WEEKDAY_NAMES = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
                 _("Sunday"))
MAX_IMPORT_ROWS = 400  # a year's notice has ~30 dates; anything near 366 is a mistake, not a notice


# -- errors -------------------------------------------------------------------------------------------------------

class CalendarInvalid(ValidationFailed):
    """The calendar's hours, time zone or years cannot be used."""

    code = "calendar_invalid"
    default_message = _("The calendar's settings are not valid.")


class CalendarImportInvalid(ValidationFailed):
    """A holiday notice (form or CSV) has errors; `errors` lists them by line, nothing was saved."""

    code = "calendar_import_invalid"
    default_message = _("The holiday schedule has errors; nothing was saved.")


class NoDefaultCalendar(NotFound):
    code = "no_default_calendar"
    default_message = _("No working-time calendar is set up. An administrator must create one.")


# -- the engine ---------------------------------------------------------------------------------------------------

_cache_lock = threading.Lock()
# calendar pk -> ((version, updated_at), engine).  Keyed by version *and* updated_at: on SQLite a rolled-back
# test can hand the same pk and version to a different calendar; updated_at tells them apart.
_engines: dict[int, tuple[tuple[int, Any], engine.WorkCalendar]] = {}


def hours_from_json(hours: Mapping[str, Any]) -> dict[int, engine.HoursSpec]:
    """The stored weekly hours ({"0": [["08:30", "12:00"], ...], ...}) as the engine's {weekday: intervals}."""
    out: dict[int, engine.HoursSpec] = {}
    for key, intervals in (hours or {}).items():
        try:
            weekday = int(key)
        except (TypeError, ValueError) as exc:
            raise engine.CalendarError(f"Not a weekday number: {key!r}.") from exc
        if intervals:
            out[weekday] = [(str(start), str(end)) for start, end in intervals]
    return out


def build_engine(calendar: WorkCalendar, overrides: Mapping[dt.date, engine.Override] | None = None,
                 official_years: Iterable[int] | None = None) -> engine.WorkCalendar:
    """A fresh engine for `calendar`, from its stored days unless `overrides` are given (used by previews)."""
    if overrides is None:
        overrides = {day: (is_workday, name) for day, is_workday, name in
                     CalendarDay.objects.filter(calendar=calendar).values_list("date", "is_workday", "name")}
    years = list(calendar.official_years if official_years is None else official_years)
    return engine.WorkCalendar(calendar.time_zone, hours_from_json(calendar.hours), overrides,
                               official_years=years or None, name=calendar.name)


def engine_for(calendar: WorkCalendar) -> engine.WorkCalendar:
    """The arithmetic engine for a stored calendar, compiled once per calendar version in this process.

    Every write to a calendar or its days bumps its version, so a changed calendar gets a new engine here and in
    every other process that reads the fresh row."""
    key = (calendar.version, calendar.updated_at)
    cached = _engines.get(calendar.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    built = build_engine(calendar)
    with _cache_lock:
        _engines[calendar.pk] = (key, built)
    return built


def engine_cache_clear() -> None:
    """Forget every compiled calendar (tests; a process that wants to free memory)."""
    with _cache_lock:
        _engines.clear()


def calendar_default() -> WorkCalendar:
    """The calendar working-time targets use when they name none: the one marked default, else the oldest."""
    calendar = (WorkCalendar.objects.filter(is_default=True).order_by("pk").first()
                or WorkCalendar.objects.order_by("pk").first())
    if calendar is None:
        raise NoDefaultCalendar()
    return calendar


# -- reading a notice: rows, CSV, date ranges ---------------------------------------------------------------------

class DayRow(NamedTuple):
    """One date of a holiday notice: a day off (a holiday) or a working day (a make-up workday, 调休上班)."""

    date: dt.date
    is_workday: bool
    name: str


@dataclass
class HolidayRange:
    """One paragraph of a State Council notice: a holiday's days off and the weekend days worked to make up."""

    name: str
    first: dt.date
    last: dt.date
    makeup_days: list[dt.date] = field(default_factory=list)


_TRUE = {"1", "true", "yes", "y", "work", "workday", "working"}
_FALSE = {"0", "false", "no", "n", "off", "holiday", "rest"}


def _error(line: int | None, message: str) -> dict[str, Any]:
    return {"line": line, "message": message}


def _refuse(errors: list[dict[str, Any]]) -> None:
    if errors:
        lines = [(gettext("Line %(line)s: %(message)s") % e) if e["line"] else e["message"] for e in errors]
        raise CalendarImportInvalid(
            gettext("The holiday schedule has errors; nothing was saved.") + " " + " ".join(lines[:10]),
            errors=errors)


def check_rows(year: int, rows: Sequence[DayRow], lines: Sequence[int | None] | None = None) -> list[DayRow]:
    """Refuse rows outside `year`, dates listed twice, over-long names; returns the rows sorted by date."""
    errors: list[dict[str, Any]] = []
    seen: dict[dt.date, int | None] = {}
    if len(rows) > MAX_IMPORT_ROWS:
        errors.append(_error(None, gettext("A holiday schedule lists at most %(n)s dates.") % {"n": MAX_IMPORT_ROWS}))
    for i, row in enumerate(rows):
        line = lines[i] if lines is not None else i + 1
        if row.date.year != year:
            errors.append(_error(line, gettext("%(date)s is not in %(year)s.") % {"date": row.date, "year": year}))
        if row.date in seen:
            errors.append(_error(line, gettext("%(date)s is listed twice.") % {"date": row.date}))
        seen.setdefault(row.date, line)
        if len(row.name) > 60:
            errors.append(_error(line, gettext("The name is longer than 60 characters.")))
    _refuse(errors)
    return sorted(rows)


def parse_csv(data: bytes | str, year: int) -> list[DayRow]:
    """Read a notice as CSV (`date,is_workday,name`; header optional; UTF-8, UTF-8 with BOM or GB18030 as Excel
    saves it).  Every bad line is reported at once; nothing is returned unless the whole file is good."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                _refuse([_error(None, gettext("The file is not text (save it as CSV, UTF-8)."))])
                return []
    else:
        text = data.lstrip("\ufeff")
    rows: list[DayRow] = []
    lines: list[int | None] = []
    errors: list[dict[str, Any]] = []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in record]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if cells[0].lower() == "date" and not rows:  # the header
            continue
        if len(cells) < 2:
            errors.append(_error(number, gettext("Expected date,is_workday,name.")))
            continue
        try:
            day = dt.date.fromisoformat(cells[0])
        except ValueError:
            errors.append(_error(number, gettext("%(value)s is not a date (use YYYY-MM-DD).") % {"value": cells[0]}))
            continue
        flag = cells[1].lower()
        if flag not in _TRUE | _FALSE:
            errors.append(_error(number, gettext("%(value)s is not 1 (working day) or 0 (day off).")
                                 % {"value": cells[1]}))
            continue
        rows.append(DayRow(day, flag in _TRUE, ",".join(cells[2:]).strip()))
        lines.append(number)
    if not rows and not errors:
        errors.append(_error(None, gettext("The file lists no dates.")))
    _refuse(errors)
    return check_rows(year, rows, lines)


def rows_from_ranges(year: int, ranges: Sequence[HolidayRange]) -> list[DayRow]:
    """The notice's paragraphs as dated rows: every day of each holiday off, each make-up day worked."""
    rows: list[DayRow] = []
    errors: list[dict[str, Any]] = []
    for number, item in enumerate(ranges, start=1):
        if item.last < item.first:
            errors.append(_error(number, gettext("%(name)s: the last day is before the first.")
                                 % {"name": gettext(item.name)}))
            continue
        if (item.last - item.first).days > 15:
            errors.append(_error(number, gettext("%(name)s: a holiday of more than 16 days is surely a typo.")
                                 % {"name": gettext(item.name)}))
            continue
        day = item.first
        while day <= item.last:
            rows.append(DayRow(day, False, item.name))
            day += dt.timedelta(days=1)
        rows.extend(DayRow(d, True, item.name) for d in item.makeup_days)
    _refuse(errors)
    return check_rows(year, rows, None)


def rows_to_csv(rows: Iterable[DayRow]) -> str:
    """Rows as the CSV `parse_csv` reads (the preview carries them to the confirm step this way)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "is_workday", "name"])
    for row in rows:
        writer.writerow([row.date.isoformat(), "1" if row.is_workday else "0", row.name])
    return out.getvalue()


# -- preview ------------------------------------------------------------------------------------------------------

@dataclass
class PreviewLine:
    date: dt.date
    weekday: str
    is_workday: bool
    name: str
    status: str  # "new", "changed", "same" or "removed"


@dataclass
class ImportPreview:
    """What importing a year's notice would change, for the administrator to check before confirming."""

    year: int
    lines: list[PreviewLine]
    working_days_before: int
    working_days_after: int
    replaces_official: bool
    warnings: list[str]

    @property
    def changes(self) -> int:
        return sum(1 for line in self.lines if line.status != "same")


def calendar_import_preview(*, calendar: WorkCalendar, year: int, rows: Sequence[DayRow]) -> ImportPreview:
    """Compare a notice with the calendar's current table for `year`; count the working days before and after."""
    rows = check_rows(year, rows)
    current = {d.date: d for d in CalendarDay.objects.filter(calendar=calendar, date__year=year)}
    given = {row.date for row in rows}
    lines: list[PreviewLine] = []
    warnings: list[str] = []
    for row in rows:
        old = current.get(row.date)
        if old is None:
            status = "new"
        elif old.is_workday != row.is_workday or old.name != row.name:
            status = "changed"
        else:
            status = "same"
        lines.append(PreviewLine(row.date, str(WEEKDAY_NAMES[row.date.weekday()]), row.is_workday, row.name, status))
        if row.is_workday and row.date.weekday() < 5:
            warnings.append(gettext("%(date)s is a weekday: marking it a working day changes nothing. Is the "
                                    "date right?") % {"date": row.date})
    for day, old in current.items():
        if day not in given:
            lines.append(PreviewLine(day, str(WEEKDAY_NAMES[day.weekday()]), old.is_workday, old.name, "removed"))
    lines.sort(key=lambda line: line.date)
    after_overrides = {d: (o.is_workday, o.name) for d, o in
                       ((d.date, d) for d in CalendarDay.objects.filter(calendar=calendar).exclude(date__year=year))}
    after_overrides.update({row.date: (row.is_workday, row.name) for row in rows})
    before = build_engine(calendar, {d: (o.is_workday, o.name) for d, o in current.items()})
    after = build_engine(calendar, after_overrides, [*calendar.official_years, year])
    days_after = after.working_days_in_year(year)
    if not 230 <= days_after <= 260 and calendar.official_years:
        warnings.append(gettext("%(year)s would have %(n)s working days; a year in mainland China has about 250. "
                                "Check the dates.") % {"year": year, "n": days_after})
    return ImportPreview(year=year, lines=lines, working_days_before=before.working_days_in_year(year),
                         working_days_after=days_after, replaces_official=year in calendar.official_years,
                         warnings=warnings)


# -- writes -------------------------------------------------------------------------------------------------------

def _may_configure(actor: Any) -> None:
    # `actor=None` is the system itself (a migration, a management command run by the operator); a superuser
    # made with `createsuperuser` keeps the default role, yet administers the site.
    if actor is not None and not (getattr(actor, "is_superuser", False) and actor.is_active):
        require(actor, CONFIGURE)


def _lock(calendar: WorkCalendar) -> WorkCalendar:
    return WorkCalendar.objects.select_for_update().get(pk=calendar.pk)


def _sync(target: WorkCalendar, source: WorkCalendar) -> None:
    """Copy the fresh row into the caller's instance, so it sees the new version."""
    for name in ("name", "time_zone", "hours", "official_years", "is_default", "version", "updated_at"):
        setattr(target, name, getattr(source, name))


def recompute_clocks(calendar: WorkCalendar, *, actor: Any = None) -> int | None:
    """Recompute the running clocks on `calendar` through `sla.services`, if that hook exists yet."""
    if importlib.util.find_spec("aftersales.sla.services") is None:
        return None
    from aftersales.sla import services

    hook = getattr(services, "clocks_recompute_for_calendar", None)
    if hook is None:
        return None
    return hook(calendar, actor=actor)


def _validate(time_zone: str, hours: Mapping[str, Any], official_years: Iterable[int]) -> None:
    try:
        engine.WorkCalendar(time_zone, hours_from_json(hours), official_years=list(official_years) or None)
    except engine.CalendarError as exc:
        raise CalendarInvalid(str(exc)) from exc


def _set_default(calendar: WorkCalendar, actor: Any) -> None:
    for other in WorkCalendar.objects.select_for_update().filter(is_default=True).exclude(pk=calendar.pk):
        core.save_changes(other, actor=actor, values={"is_default": False}, verb="calendar_default_moved")


@transaction.atomic
def calendar_create(*, actor: Any, name: str, time_zone: str, hours: Mapping[str, Any],
                    official_years: Iterable[int] = (), is_default: bool = False) -> WorkCalendar:
    """A new working-time calendar (e.g. for a region with other office hours)."""
    _may_configure(actor)
    years = sorted(set(official_years))
    _validate(time_zone, hours, years)
    calendar = core.create(WorkCalendar, actor=actor, name=name, time_zone=time_zone, hours=dict(hours),
                           official_years=years, is_default=is_default)
    if is_default:
        _set_default(calendar, actor)
    return calendar


@transaction.atomic
def calendar_update(*, actor: Any, calendar: WorkCalendar, values: Mapping[str, Any],
                    expected_version: int | None = None) -> WorkCalendar:
    """Change a calendar's name, time zone, weekly hours, official years or default flag; running clocks follow."""
    _may_configure(actor)
    allowed = {"name", "time_zone", "hours", "official_years", "is_default"}
    unknown = set(values) - allowed
    if unknown:
        raise CalendarInvalid(gettext("These fields cannot be changed here: %(fields)s.")
                              % {"fields": ", ".join(sorted(unknown))})
    fresh = _lock(calendar)
    if expected_version is None:
        expected_version = calendar.version
    changes = {k: v for k, v in values.items() if getattr(fresh, k) != v}
    if "official_years" in changes:
        changes["official_years"] = sorted({int(y) for y in changes["official_years"]})
    _validate(changes.get("time_zone", fresh.time_zone), changes.get("hours", fresh.hours),
              changes.get("official_years", fresh.official_years))
    core.save_changes(fresh, actor=actor, values=changes, expected_version=expected_version)
    if changes.get("is_default"):
        _set_default(fresh, actor)
    _sync(calendar, fresh)
    if changes.keys() & {"time_zone", "hours", "official_years"}:
        recompute_clocks(calendar, actor=actor)
    return calendar


def _apply_days(*, actor: Any, calendar: WorkCalendar, upserts: Sequence[DayRow], deletes: Iterable[dt.date],
                source: str) -> tuple[int, int, int]:
    """Write day rows and remove dates, auditing each one under the calendar; (added, changed, removed)."""
    existing = {d.date: d for d in CalendarDay.objects.filter(
        calendar=calendar, date__in=[r.date for r in upserts] + list(deletes))}
    added = changed = removed = 0
    for day in deletes:
        old = existing.get(day)
        if old is None:
            continue
        audit.record(actor=actor, instance=old, action=AuditEntry.Action.DELETE, verb="calendar_day_removed",
                     changes=audit.snapshot(old), parent=calendar)
        old.delete()
        removed += 1
    new_rows: list[CalendarDay] = []
    for row in upserts:
        old = existing.get(row.date)
        if old is None:
            new_rows.append(CalendarDay(calendar=calendar, date=row.date, is_workday=row.is_workday,
                                        name=row.name, source=source))
            continue
        if old.is_workday == row.is_workday and old.name == row.name:
            continue
        before = audit.snapshot(old)
        old.is_workday, old.name, old.source = row.is_workday, row.name, source
        old.save(update_fields=["is_workday", "name", "source"])
        audit.record_update(actor=actor, instance=old, before=before, parent=calendar, verb="calendar_day_changed")
        changed += 1
    if new_rows:
        CalendarDay.objects.bulk_create(new_rows)
        # bulk_create sets pks on PostgreSQL and SQLite ≥ 3.35; re-read to be safe elsewhere.
        created = CalendarDay.objects.filter(calendar=calendar, date__in=[r.date for r in new_rows])
        audit.record_create_bulk(actor=actor, items=[(day, calendar) for day in created], verb="calendar_day_added")
        added = len(new_rows)
    return added, changed, removed


@transaction.atomic
def calendar_set_day(*, actor: Any, calendar: WorkCalendar, date: dt.date, is_workday: bool, name: str = "",
                     source: str = CalendarDay.Source.ADMIN) -> CalendarDay:
    """Mark one date a holiday or a (make-up) working day; the calendar's running clocks are recomputed."""
    _may_configure(actor)
    fresh = _lock(calendar)
    check_rows(date.year, [DayRow(date, is_workday, name)])
    _apply_days(actor=actor, calendar=fresh, upserts=[DayRow(date, is_workday, name)], deletes=(), source=source)
    core.save_changes(fresh, actor=actor, values={})
    _sync(calendar, fresh)
    recompute_clocks(calendar, actor=actor)
    return CalendarDay.objects.get(calendar=calendar, date=date)


@transaction.atomic
def calendar_remove_day(*, actor: Any, calendar: WorkCalendar, date: dt.date) -> None:
    """Forget a date's exception: it follows the weekly hours again; running clocks are recomputed."""
    _may_configure(actor)
    fresh = _lock(calendar)
    _apply_days(actor=actor, calendar=fresh, upserts=(), deletes=[date], source=CalendarDay.Source.ADMIN)
    core.save_changes(fresh, actor=actor, values={})
    _sync(calendar, fresh)
    recompute_clocks(calendar, actor=actor)


@transaction.atomic
def calendar_edit_days(*, actor: Any, calendar: WorkCalendar, upserts: Sequence[DayRow],
                       deletes: Iterable[dt.date] = (), source: str = CalendarDay.Source.ADMIN) -> tuple[int, int, int]:
    """Several dates at once (the admin's table of days): set `upserts`, forget `deletes`; one recomputation."""
    _may_configure(actor)
    upserts = list(upserts)
    deletes = [d for d in deletes if d not in {row.date for row in upserts}]
    for year in {row.date.year for row in upserts}:
        check_rows(year, [row for row in upserts if row.date.year == year])
    fresh = _lock(calendar)
    counts = _apply_days(actor=actor, calendar=fresh, upserts=upserts, deletes=deletes, source=source)
    if any(counts):
        core.save_changes(fresh, actor=actor, values={})
        _sync(calendar, fresh)
        recompute_clocks(calendar, actor=actor)
    return counts


@dataclass
class ImportResult:
    year: int
    added: int
    changed: int
    removed: int
    clocks_recomputed: int | None


@transaction.atomic
def calendar_import_year(*, actor: Any, calendar: WorkCalendar, year: int, rows: Sequence[DayRow],
                         mark_official: bool = True, source: str = CalendarDay.Source.IMPORT,
                         expected_version: int | None = None) -> ImportResult:
    """Enter a year's State Council notice: the given dates become the year's whole table (dates of that year
    not listed are removed), the year becomes official, and deadlines already running are recomputed."""
    _may_configure(actor)
    rows = check_rows(year, rows)
    if not rows:
        _refuse([_error(None, gettext("The schedule lists no dates."))])
    fresh = _lock(calendar)
    if expected_version is None:
        expected_version = calendar.version
    given = {row.date for row in rows}
    stale = [d for d in CalendarDay.objects.filter(calendar=fresh, date__year=year).values_list("date", flat=True)
             if d not in given]
    added, changed, removed = _apply_days(actor=actor, calendar=fresh, upserts=rows, deletes=stale, source=source)
    years = sorted({*fresh.official_years, year}) if mark_official else list(fresh.official_years)
    core.save_changes(fresh, actor=actor, values={"official_years": years}, expected_version=expected_version,
                      verb="calendar_year_imported", reason=str(year))
    _sync(calendar, fresh)
    recomputed = recompute_clocks(calendar, actor=actor)
    return ImportResult(year, added, changed, removed, recomputed)


# -- warnings -----------------------------------------------------------------------------------------------------

def calendars_missing_schedule(today: dt.date | None = None) -> list[tuple[WorkCalendar, int]]:
    """Calendars that depend on an official schedule and lack the one due now (the coming year from 1 November)."""
    today = today or timezone.localdate()
    out = []
    for calendar in WorkCalendar.objects.order_by("-is_default", "name"):
        if not calendar.official_years:
            continue  # 24/7 or a plain office week: nothing official to enter
        year = engine.missing_schedule_year(calendar.official_years, today)
        if year is not None:
            out.append((calendar, year))
    return out


def calendar_warnings(user: Any, today: dt.date | None = None) -> list[str]:
    """What an administrator must be told on the admin index and his dashboard: missing holiday schedules."""
    if not (has_perm(user, CONFIGURE) or getattr(user, "is_superuser", False)):
        return []
    return [
        gettext("The official holiday schedule for %(year)s is missing in the calendar “%(calendar)s”: deadlines "
                "that reach into %(year)s are estimated. Enter the State Council notice.")
        % {"year": year, "calendar": calendar.name}
        for calendar, year in calendars_missing_schedule(today)
    ]
