"""Stored working-time calendars: the seed, the engine cache, entering a year's notice, and the warnings.

No test depends on today's date: `today` is passed explicitly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aftersales.core.errors import PermissionDenied, StaleVersion
from aftersales.core.models import AuditEntry
from aftersales.sla import calendar_services as cal
from aftersales.sla.models import CalendarDay, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
SAMPLE = Path(cal.__file__).parent / "sample" / "holidays-2027-example.csv"
NOTICE_2027 = [
    cal.HolidayRange("Spring Festival", dt.date(2027, 2, 6), dt.date(2027, 2, 13),
                     [dt.date(2027, 2, 14), dt.date(2027, 2, 20)]),
    cal.HolidayRange("National Day", dt.date(2027, 10, 1), dt.date(2027, 10, 7), [dt.date(2027, 9, 26)]),
]


@pytest.fixture
def default(db) -> WorkCalendar:
    cal.engine_cache_clear()
    return cal.calendar_default()


@pytest.fixture
def recompute_calls(monkeypatch) -> list[tuple[Any, Any]]:
    """Stands in for S2's `clocks_recompute_for_calendar` and records its calls."""
    from aftersales.sla import services

    calls: list[tuple[Any, Any]] = []

    def hook(calendar: WorkCalendar, *, actor: Any = None) -> int:
        calls.append((calendar.pk, actor))
        return 3

    monkeypatch.setattr(services, "clocks_recompute_for_calendar", hook, raising=False)
    return calls


def days_of(calendar: WorkCalendar, year: int) -> dict[dt.date, tuple[bool, str]]:
    return {d.date: (d.is_workday, d.name) for d in CalendarDay.objects.filter(calendar=calendar, date__year=year)}


# -- the seed (data migration 0002) -------------------------------------------------------------------------------

def test_migration_seeds_the_default_and_the_24_7_calendar(default: WorkCalendar) -> None:
    assert default.is_default and default.time_zone == "Asia/Shanghai"
    assert default.official_years == list(range(2004, 2027))
    assert default.hours["0"] == [["08:30", "12:00"], ["13:30", "18:00"]] and default.hours["6"] == []
    assert set(CalendarDay.objects.filter(calendar=default).values_list("source", flat=True)) == {"seed"}
    always = WorkCalendar.objects.get(name="全天候 / 24/7")
    assert not always.is_default and always.official_years == []
    assert not always.days.exists()


def test_seeded_table_gives_the_known_vectors(default: WorkCalendar) -> None:
    engine = cal.engine_for(default)
    assert engine.add_working_days(dt.date(2026, 9, 30), 3).day == dt.date(2026, 10, 10)
    assert engine.add_working_days(dt.date(2026, 2, 13), 1).day == dt.date(2026, 2, 14)
    assert engine.working_days_in_year(2026) == 248
    assert engine.is_working_day(dt.date(2025, 1, 26))
    assert engine.is_working_day(dt.date(2005, 12, 31))  # the corrected chinesecalendar error


def test_seeded_table_matches_the_holidays_package(default: WorkCalendar) -> None:
    import holidays

    engine = cal.engine_for(default)
    reference = holidays.China(years=range(2004, 2027))
    day, wrong = dt.date(2004, 1, 1), []
    while day.year < 2027:
        if engine.is_working_day(day) != reference.is_working_day(day):
            wrong.append(day)
        day += dt.timedelta(days=1)
    assert wrong == []


def test_24_7_calendar_is_never_estimated_and_loses_no_minute_at_midnight(db) -> None:
    engine = cal.engine_for(WorkCalendar.objects.get(name="全天候 / 24/7"))
    start = dt.datetime(2031, 12, 31, 23, 30, tzinfo=SHANGHAI)
    result = engine.add(start, dt.timedelta(hours=1))
    assert result == (dt.datetime(2032, 1, 1, 0, 30, tzinfo=SHANGHAI), False)


def test_a_deadline_into_a_year_without_official_data_is_estimated(default: WorkCalendar) -> None:
    engine = cal.engine_for(default)
    result = engine.add(dt.datetime(2026, 12, 31, 17, 0, tzinfo=SHANGHAI), dt.timedelta(hours=2))
    assert result.estimated
    assert result.at == dt.datetime(2027, 1, 4, 9, 30, tzinfo=SHANGHAI)  # 1 Jan is the statutory fallback


def test_engine_is_compiled_once_per_version(default: WorkCalendar, users, recompute_calls) -> None:
    first = cal.engine_for(default)
    assert cal.engine_for(WorkCalendar.objects.get(pk=default.pk)) is first
    cal.calendar_set_day(actor=users["admin"], calendar=default, date=dt.date(2026, 6, 1), is_workday=False,
                         name="Company anniversary")
    second = cal.engine_for(default)
    assert second is not first
    assert not second.is_working_day(dt.date(2026, 6, 1)) and first.is_working_day(dt.date(2026, 6, 1))


def test_calendar_default_falls_back_to_the_oldest(default: WorkCalendar) -> None:
    WorkCalendar.objects.update(is_default=False)
    assert cal.calendar_default() == WorkCalendar.objects.order_by("pk").first()
    WorkCalendar.objects.all().delete()
    with pytest.raises(cal.NoDefaultCalendar):
        cal.calendar_default()


# -- entering a year's notice -------------------------------------------------------------------------------------

def test_import_year_turns_an_estimated_year_official(default: WorkCalendar, users, recompute_calls) -> None:
    before = cal.engine_for(default)
    assert before.is_estimated_year(2027) and before.is_working_day(dt.date(2027, 2, 8))
    version = default.version
    rows = cal.rows_from_ranges(2027, NOTICE_2027)
    result = cal.calendar_import_year(actor=users["admin"], calendar=default, year=2027, rows=rows)

    assert (result.added, result.changed, result.removed) == (len(rows), 0, 0)
    assert result.clocks_recomputed == 3
    default.refresh_from_db()
    assert 2027 in default.official_years and default.version == version + 1
    after = cal.engine_for(default)
    assert not after.is_estimated_year(2027)
    assert not after.is_working_day(dt.date(2027, 2, 8))  # Spring Festival
    assert after.is_working_day(dt.date(2027, 2, 14))  # a make-up Sunday
    deadline = after.add(dt.datetime(2027, 2, 5, 17, 0, tzinfo=SHANGHAI), dt.timedelta(hours=2))
    assert deadline == (dt.datetime(2027, 2, 14, 9, 30, tzinfo=SHANGHAI), False)
    assert days_of(default, 2027)[dt.date(2027, 2, 14)] == (True, "Spring Festival")
    assert set(CalendarDay.objects.filter(calendar=default, date__year=2027).values_list("source", flat=True)) == {
        "import"}
    # Audited: one entry per added date under the calendar, and the calendar's own update.
    assert AuditEntry.objects.filter(verb="calendar_day_added", parent_id=default.pk).count() == len(rows)
    assert AuditEntry.objects.filter(verb="calendar_year_imported", object_id=default.pk).exists()


def test_recompute_hook_is_called_with_the_calendar_and_actor(default: WorkCalendar, users,
                                                               recompute_calls) -> None:
    cal.calendar_import_year(actor=users["admin"], calendar=default, year=2027,
                             rows=cal.rows_from_ranges(2027, NOTICE_2027))
    assert recompute_calls == [(default.pk, users["admin"])]
    cal.calendar_set_day(actor=users["admin"], calendar=default, date=dt.date(2027, 3, 1), is_workday=False)
    assert len(recompute_calls) == 2


def test_a_failing_recompute_rolls_the_import_back(default: WorkCalendar, users, monkeypatch) -> None:
    from aftersales.sla import services

    def broken(calendar: WorkCalendar, *, actor: Any = None) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "clocks_recompute_for_calendar", broken, raising=False)
    version = default.version
    with pytest.raises(RuntimeError):
        cal.calendar_import_year(actor=users["admin"], calendar=default, year=2027,
                                 rows=cal.rows_from_ranges(2027, NOTICE_2027))
    default.refresh_from_db()
    assert default.version == version and 2027 not in default.official_years
    assert days_of(default, 2027) == {}


def test_import_replaces_the_years_table(default: WorkCalendar, users, recompute_calls) -> None:
    cal.calendar_set_day(actor=users["admin"], calendar=default, date=dt.date(2027, 3, 1), is_workday=False,
                         name="A guess")
    cal.calendar_set_day(actor=users["admin"], calendar=default, date=dt.date(2027, 2, 8), is_workday=False,
                         name="Old name")
    result = cal.calendar_import_year(actor=users["admin"], calendar=default, year=2027,
                                      rows=cal.rows_from_ranges(2027, NOTICE_2027))
    assert (result.changed, result.removed) == (1, 1)
    table = days_of(default, 2027)
    assert dt.date(2027, 3, 1) not in table and table[dt.date(2027, 2, 8)] == (False, "Spring Festival")
    assert days_of(default, 2026)  # other years untouched


def test_import_without_mark_official_keeps_the_year_estimated(default: WorkCalendar, users,
                                                               recompute_calls) -> None:
    cal.calendar_import_year(actor=users["admin"], calendar=default, year=2027, mark_official=False,
                             rows=cal.rows_from_ranges(2027, NOTICE_2027))
    default.refresh_from_db()
    assert 2027 not in default.official_years
    assert cal.engine_for(default).is_estimated_year(2027)


def test_import_refuses_a_stale_version(default: WorkCalendar, users, recompute_calls) -> None:
    with pytest.raises(StaleVersion):
        cal.calendar_import_year(actor=users["admin"], calendar=default, year=2027,
                                 rows=cal.rows_from_ranges(2027, NOTICE_2027), expected_version=default.version - 1
                                 if default.version > 1 else default.version + 5)
    assert days_of(default, 2027) == {}


@pytest.mark.parametrize("role", ["agent", "dispatcher", "engineer", "lead"])
def test_only_administrators_change_calendars(default: WorkCalendar, users, role: str, recompute_calls) -> None:
    with pytest.raises(PermissionDenied):
        cal.calendar_import_year(actor=users[role], calendar=default, year=2027,
                                 rows=cal.rows_from_ranges(2027, NOTICE_2027))
    with pytest.raises(PermissionDenied):
        cal.calendar_set_day(actor=users[role], calendar=default, date=dt.date(2027, 1, 1), is_workday=False)


def test_preview_counts_working_days_and_flags_suspicious_dates(default: WorkCalendar) -> None:
    rows = cal.parse_csv(SAMPLE.read_bytes(), 2027)
    rows.append(cal.DayRow(dt.date(2027, 3, 3), True, "Typo"))  # a Wednesday "make-up" day
    preview = cal.calendar_import_preview(calendar=default, year=2027, rows=rows)
    assert preview.working_days_before == 259  # 261 weekdays minus the fallback 1 Jan and 1 Oct (Fridays)
    assert 240 <= preview.working_days_after < 259
    assert not preview.replaces_official
    assert any("2027-03-03" in w for w in preview.warnings)
    assert {line.status for line in preview.lines} == {"new"}
    assert days_of(default, 2027) == {}  # a preview saves nothing


# -- reading CSV and date ranges ----------------------------------------------------------------------------------

def test_sample_csv_parses_and_is_marked_as_an_example() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert "EXAMPLE ONLY" in text and "NOT OFFICIAL" in text
    rows = cal.parse_csv(SAMPLE.read_bytes(), 2027)
    assert len(rows) == 34 and rows == sorted(rows)
    assert cal.DayRow(dt.date(2027, 2, 14), True, "Spring Festival") in rows


def test_csv_in_excel_encodings_and_round_trip() -> None:
    text = "date,is_workday,name\n2027-02-08,0,春节\n2027-02-14,1,春节\n"
    assert cal.parse_csv(("\ufeff" + text).encode("utf-8"), 2027) == cal.parse_csv(text.encode("gb18030"), 2027)
    rows = cal.parse_csv(text, 2027)
    assert rows[0] == cal.DayRow(dt.date(2027, 2, 8), False, "春节")
    assert cal.parse_csv(cal.rows_to_csv(rows), 2027) == rows


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("date,is_workday,name\n2027-02-30,0,Spring Festival\n", 2, "not a date"),
    ("2027-02-08,0,A\n2027-02-09,0,A\n2027-02-08,0,B\n", 3, "listed twice"),
    ("2026-02-08,0,Spring Festival\n", 1, "not in 2027"),
    ("2027-02-08,maybe,Spring Festival\n", 1, "not 1"),
    ("2027-02-08\n", 1, "Expected date,is_workday,name"),
])
def test_csv_errors_are_refused_clearly(text: str, line: int, fragment: str) -> None:
    with pytest.raises(cal.CalendarImportInvalid) as caught:
        cal.parse_csv(text, 2027)
    assert any(e["line"] == line and fragment in e["message"] for e in caught.value.errors), caught.value.errors
    assert caught.value.code == "calendar_import_invalid"


def test_csv_with_errors_saves_nothing(default: WorkCalendar, users, recompute_calls) -> None:
    version = default.version
    bad = "2027-02-08,0,A\n2027-02-08,0,A\n2027-13-01,0,B\n"
    with pytest.raises(cal.CalendarImportInvalid) as caught:
        cal.calendar_import_year(actor=users["admin"], calendar=default, year=2027, rows=cal.parse_csv(bad, 2027))
    assert len(caught.value.errors) == 1  # the bad date; duplicates are checked once every line is a date
    with pytest.raises(cal.CalendarImportInvalid):
        cal.calendar_import_year(actor=users["admin"], calendar=default, year=2027,
                                 rows=[cal.DayRow(dt.date(2027, 2, 8), False, "A")] * 2)
    default.refresh_from_db()
    assert default.version == version and days_of(default, 2027) == {} and recompute_calls == []


def test_ranges_expand_to_days_off_and_make_up_days() -> None:
    rows = cal.rows_from_ranges(2027, NOTICE_2027)
    assert len(rows) == 8 + 2 + 7 + 1
    assert rows[0] == cal.DayRow(dt.date(2027, 2, 6), False, "Spring Festival")
    with pytest.raises(cal.CalendarImportInvalid):
        cal.rows_from_ranges(2027, [cal.HolidayRange("Labour Day", dt.date(2027, 5, 5), dt.date(2027, 5, 1))])
    with pytest.raises(cal.CalendarImportInvalid):  # two paragraphs claiming one date
        cal.rows_from_ranges(2027, [*NOTICE_2027, cal.HolidayRange("Labour Day", dt.date(2027, 2, 8),
                                                                   dt.date(2027, 2, 8))])


# -- other calendar writes ----------------------------------------------------------------------------------------

def test_update_hours_recomputes_and_moves_the_default(default: WorkCalendar, users, recompute_calls) -> None:
    other = cal.calendar_create(actor=users["admin"], name="Urumqi office", time_zone="Asia/Urumqi",
                                hours={str(d): [["10:00", "19:30"]] for d in range(5)})
    assert cal.engine_for(other).add(dt.datetime(2026, 3, 2, 21, 0, tzinfo=SHANGHAI),  # 19:00 in Urumqi
                                     dt.timedelta(hours=1)).at == dt.datetime(2026, 3, 3, 10, 30,
                                                                              tzinfo=ZoneInfo("Asia/Urumqi"))
    cal.calendar_update(actor=users["admin"], calendar=other, values={"is_default": True,
                                                                      "hours": {"0": [["09:00", "17:00"]]}})
    default.refresh_from_db()
    assert not default.is_default and cal.calendar_default() == other
    assert recompute_calls == [(other.pk, users["admin"])]
    with pytest.raises(cal.CalendarInvalid):
        cal.calendar_update(actor=users["admin"], calendar=other, values={"time_zone": "Mars/Olympus"})
    with pytest.raises(cal.CalendarInvalid):
        cal.calendar_update(actor=users["admin"], calendar=other, values={"hours": {"0": [["18:00", "09:00"]]}})


def test_remove_day_and_edit_days(default: WorkCalendar, users, recompute_calls) -> None:
    cal.calendar_set_day(actor=users["admin"], calendar=default, date=dt.date(2027, 3, 1), is_workday=False)
    cal.calendar_remove_day(actor=users["admin"], calendar=default, date=dt.date(2027, 3, 1))
    assert days_of(default, 2027) == {}
    counts = cal.calendar_edit_days(actor=users["admin"], calendar=default,
                                    upserts=[cal.DayRow(dt.date(2027, 3, 2), False, "X")], deletes=[])
    assert counts == (1, 0, 0)
    assert cal.calendar_edit_days(actor=users["admin"], calendar=default, upserts=[], deletes=[]) == (0, 0, 0)
    assert AuditEntry.objects.filter(verb="calendar_day_removed", parent_id=default.pk).count() == 1


# -- warnings -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("today", "missing"), [
    (dt.date(2026, 10, 31), None),
    (dt.date(2026, 11, 1), 2027),
    (dt.date(2026, 12, 31), 2027),
    (dt.date(2027, 1, 5), 2027),
    (dt.date(2026, 3, 1), None),
])
def test_warning_from_1_november_when_next_year_is_missing(default: WorkCalendar, users, today: dt.date,
                                                           missing: int | None) -> None:
    warnings = cal.calendar_warnings(users["admin"], today=today)
    if missing is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and str(missing) in warnings[0] and default.name in warnings[0]


def test_warning_only_for_administrators_and_gone_once_entered(default: WorkCalendar, users,
                                                               recompute_calls) -> None:
    today = dt.date(2026, 11, 20)
    assert cal.calendar_warnings(users["manager"], today=today)  # managers hold the configure permission
    for role in ("agent", "dispatcher", "engineer", "lead"):
        assert cal.calendar_warnings(users[role], today=today) == []
    cal.calendar_import_year(actor=users["admin"], calendar=default, year=2027,
                             rows=cal.rows_from_ranges(2027, NOTICE_2027))
    assert cal.calendar_warnings(users["admin"], today=today) == []


# -- the management command ---------------------------------------------------------------------------------------

def test_calendar_import_command(default: WorkCalendar, users, recompute_calls, tmp_path) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("calendar_import", str(SAMPLE), "--year", "2027", "--dry-run", stdout=out)
    assert "34 changes" in out.getvalue() and days_of(default, 2027) == {}
    call_command("calendar_import", str(SAMPLE), "--year", "2027", "--user", "admin", stdout=out)
    assert len(days_of(default, 2027)) == 34 and "Imported 2027: 34 added" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-02-08,0,A\n2027-02-08,0,A\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("calendar_import", str(bad), "--year", "2027", stdout=out)
