"""Working-time calendar engine: known vectors, regressions, and properties against a brute-force walk.

The reference below is deliberately naive and independent of the engine: it looks at every UTC minute
of a window, converts it to the site's local time, and asks the day's rule (written here, from
`chinese_calendar` directly or from plain weekday lists) whether that local minute is working time.
`add` walks it minute by minute; `between` counts.  The engine must agree with it exactly.

Known differences between the seed sources (2004–2026, day by day):
* Sat 2005-12-31: `chinesecalendar` calls it a day off, `holidays` a make-up workday.  It was a
  make-up workday for the 2006 New Year (chinesecalendar issue #125); our seed corrects it
  (`CHINESECALENDAR_CORRECTIONS`), so the seeded table matches `holidays` on every day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.core.calendars import (
    ALWAYS,
    CHINA_STANDARD_HOURS,
    HOLIDAY_NAMES,
    CalendarError,
    WorkCalendar,
    always_open,
    china_calendar,
    china_data_years,
    china_overrides,
    missing_schedule_year,
    weekdays,
)

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MINUTE = dt.timedelta(minutes=1)
H = 3600

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
INPUT_ZONES = [UTC, SHANGHAI, BERLIN, NEW_YORK, ZoneInfo("Asia/Kathmandu")]


@cache
def cn() -> WorkCalendar:
    """The seeded mainland-China office calendar, official for 2004–2026 only."""
    return china_calendar(years=range(2004, 2027))


# -- the brute-force reference -----------------------------------------------------------------

OFFICE = [(8 * H + 30 * 60, 12 * H), (13 * H + 30 * 60, 18 * H)]
FIXED = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def cn_rule(day: dt.date) -> list[tuple[int, int]]:
    import chinese_calendar

    if day.year <= 2026:
        working = chinese_calendar.is_workday(day)
    else:  # no official data: weekdays minus the fixed-date statutory holidays
        working = day.weekday() < 5 and (day.month, day.day) not in FIXED
    return OFFICE if working else []


def week_rule(week: dict[int, list[tuple[int, int]]]) -> Callable[[dt.date], list[tuple[int, int]]]:
    return lambda day: week.get(day.weekday(), [])


@dataclass(frozen=True)
class Scenario:
    """A calendar, the same calendar written as a reference rule, and a window to test it in."""

    name: str
    make: Callable[[], WorkCalendar] = field(hash=False, compare=False)
    zone: ZoneInfo
    rule: Callable[[dt.date], list[tuple[int, int]]] = field(hash=False, compare=False)
    window_start: dt.datetime
    window_end: dt.datetime
    starts_until: dt.datetime  # starts are drawn from [window_start, starts_until)
    max_minutes: int  # longest duration drawn: 30 working days

    def __str__(self) -> str:
        return self.name


BERLIN_WEEK = {wd: [(8 * H, 12 * H), (13 * H, 17 * H)] for wd in range(5)} | {5: [(9 * H, 13 * H)]}
NIGHT_WEEK = {wd: [(0, 6 * H), (22 * H, 24 * H)] for wd in range(5)} | {6: [(22 * H, 24 * H)]}


def _spec(week: dict[int, list[tuple[int, int]]]) -> dict[int, list[tuple[str, str]]]:
    def fmt(s: int) -> str:
        return f"{s // H:02d}:{s % H // 60:02d}"

    return {wd: [(fmt(s), fmt(e)) for s, e in intervals] for wd, intervals in week.items()}


SCENARIOS = [
    Scenario(
        "china-office",
        cn,
        SHANGHAI,
        cn_rule,
        dt.datetime(2025, 12, 20, tzinfo=SHANGHAI),
        dt.datetime(2027, 3, 20, tzinfo=SHANGHAI),
        dt.datetime(2027, 1, 5, tzinfo=SHANGHAI),
        30 * 8 * 60,
    ),
    Scenario(
        "berlin-office-dst",
        lambda: WorkCalendar("Europe/Berlin", _spec(BERLIN_WEEK)),
        BERLIN,
        week_rule(BERLIN_WEEK),
        dt.datetime(2026, 3, 1, tzinfo=BERLIN),
        dt.datetime(2026, 12, 31, tzinfo=BERLIN),
        dt.datetime(2026, 11, 1, tzinfo=BERLIN),
        30 * 8 * 60,
    ),
    Scenario(
        "new-york-night-shift",
        lambda: WorkCalendar("America/New_York", _spec(NIGHT_WEEK)),
        NEW_YORK,
        week_rule(NIGHT_WEEK),
        dt.datetime(2026, 2, 20, tzinfo=NEW_YORK),
        dt.datetime(2026, 12, 31, tzinfo=NEW_YORK),
        dt.datetime(2026, 11, 15, tzinfo=NEW_YORK),
        30 * 8 * 60,
    ),
    Scenario(
        "berlin-24x7-dst",
        lambda: always_open("Europe/Berlin"),
        BERLIN,
        week_rule({wd: [(0, 24 * H)] for wd in range(7)}),
        dt.datetime(2026, 3, 1, tzinfo=BERLIN),
        dt.datetime(2026, 12, 1, tzinfo=BERLIN),
        dt.datetime(2026, 10, 31, tzinfo=BERLIN),
        30 * 24 * 60,
    ),
    Scenario(
        "utc-24x7-year-end",
        lambda: always_open("UTC"),
        ZoneInfo("UTC"),
        week_rule({wd: [(0, 24 * H)] for wd in range(7)}),
        dt.datetime(2026, 12, 1, tzinfo=UTC),
        dt.datetime(2027, 3, 1, tzinfo=UTC),
        dt.datetime(2027, 1, 20, tzinfo=UTC),
        30 * 24 * 60,
    ),
]


@cache
def calendar_for(scenario: Scenario) -> WorkCalendar:
    return scenario.make()


@cache
def minutes_for(scenario: Scenario) -> tuple[bool, ...]:
    """Whether each UTC minute of the window is working time, by looking at the local clock."""
    rules: dict[dt.date, list[tuple[int, int]]] = {}
    out = []
    t = scenario.window_start.astimezone(UTC)
    end = scenario.window_end.astimezone(UTC)
    while t < end:
        local = t.astimezone(scenario.zone)
        day = local.date()
        if day not in rules:
            rules[day] = scenario.rule(day)
        sec = local.hour * H + local.minute * 60
        out.append(any(s <= sec < e for s, e in rules[day]))
        t += MINUTE
    return tuple(out)


def _index(scenario: Scenario, t: dt.datetime) -> int:
    # in UTC: two datetimes with the same tzinfo subtract as wall times, ignoring DST
    return (t.astimezone(UTC) - scenario.window_start.astimezone(UTC)) // MINUTE


def _at(scenario: Scenario, minute: int) -> dt.datetime:
    """The instant ``minute`` minutes into the window (in UTC: adding to local times is wall arithmetic)."""
    return scenario.window_start.astimezone(UTC) + minute * MINUTE


def _plus(t: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``t`` + ``delta`` of elapsed time, in ``t``'s zone."""
    return (t.astimezone(UTC) + delta).astimezone(t.tzinfo)


def ref_add(scenario: Scenario, start: dt.datetime, minutes: int) -> dt.datetime:
    if minutes == 0:
        return start
    work = minutes_for(scenario)
    i = _index(scenario, start)
    count = 0
    while True:
        assert i < len(work), "reference window too short for this scenario"
        if work[i]:
            count += 1
            if count == minutes:
                return _at(scenario, i + 1)
        i += 1


def ref_between(scenario: Scenario, a: dt.datetime, b: dt.datetime) -> int:
    return sum(minutes_for(scenario)[_index(scenario, a) : _index(scenario, b)])


@st.composite
def minute_case(draw: st.DrawFn) -> tuple[Scenario, dt.datetime, int]:
    scenario = draw(st.sampled_from(SCENARIOS))
    last = _index(scenario, scenario.starts_until)
    start = _at(scenario, draw(st.integers(0, last))).astimezone(draw(st.sampled_from(INPUT_ZONES)))
    minutes = draw(st.one_of(st.integers(0, 600), st.integers(0, scenario.max_minutes)))
    return scenario, start, minutes


@st.composite
def micro_case(draw: st.DrawFn) -> tuple[Scenario, dt.datetime, dt.timedelta, dt.timedelta]:
    scenario = draw(st.sampled_from(SCENARIOS))
    span = scenario.starts_until - scenario.window_start
    offset = dt.timedelta(microseconds=draw(st.integers(0, span // dt.timedelta(microseconds=1))))
    start = _plus(scenario.window_start, offset).astimezone(draw(st.sampled_from(INPUT_ZONES)))
    max_us = scenario.max_minutes * 60_000_000
    a = dt.timedelta(microseconds=draw(st.integers(0, max_us)))
    b = dt.timedelta(microseconds=draw(st.integers(0, max_us)))
    return scenario, start, a, b


# -- properties against the reference --------------------------------------------------------------


@PROPS
@given(minute_case())
def test_add_matches_minute_walk(case: tuple[Scenario, dt.datetime, int]) -> None:
    scenario, start, minutes = case
    result = calendar_for(scenario).add(start, dt.timedelta(minutes=minutes))
    assert result.at == ref_add(scenario, start, minutes), scenario
    assert result.at.tzinfo is start.tzinfo  # results come back in the input's time zone
    if scenario.name == "china-office":  # only 2027 lacks official data
        touched = {start.astimezone(SHANGHAI).year, result.at.astimezone(SHANGHAI).year}
        assert result.estimated == (2027 in touched)
    else:
        assert result.estimated is False


@PROPS
@given(minute_case(), st.integers(0, 60 * 24 * 40))
def test_between_matches_minute_count(case: tuple[Scenario, dt.datetime, int], gap: int) -> None:
    scenario, a, _ = case
    b = min(_plus(a, gap * MINUTE), scenario.window_end)
    result = calendar_for(scenario).between(a, b)
    assert result.duration == ref_between(scenario, a, b) * MINUTE, scenario
    assert calendar_for(scenario).between(b, a).duration == -result.duration


# -- algebraic properties at microsecond resolution ----------------------------------------------


@PROPS
@given(micro_case())
def test_add_is_additive(case: tuple[Scenario, dt.datetime, dt.timedelta, dt.timedelta]) -> None:
    scenario, start, a, b = case
    cal = calendar_for(scenario)
    assert cal.add(cal.add(start, a).at, b).at == cal.add(start, a + b).at


@PROPS
@given(micro_case())
def test_add_is_monotonic(case: tuple[Scenario, dt.datetime, dt.timedelta, dt.timedelta]) -> None:
    scenario, start, a, b = case
    cal = calendar_for(scenario)
    small, large = sorted((a, b))
    assert start <= cal.add(start, small).at <= cal.add(start, large).at
    later = _plus(start, large - small)
    assert cal.add(start, small).at <= cal.add(later, small).at


@PROPS
@given(micro_case())
def test_between_inverts_add(case: tuple[Scenario, dt.datetime, dt.timedelta, dt.timedelta]) -> None:
    scenario, start, a, b = case
    cal = calendar_for(scenario)
    end = cal.add(start, a)
    span = cal.between(start, end.at)
    assert span.duration == a
    assert span.estimated == end.estimated
    # and the other way round: `add` finds the earliest instant with that much working time
    other = _plus(start, b)
    measured = cal.between(start, other).duration
    back = cal.add(start, measured).at
    assert back <= other
    assert cal.between(back, other).duration == dt.timedelta(0)


@PROPS
@given(micro_case())
def test_between_is_additive(case: tuple[Scenario, dt.datetime, dt.timedelta, dt.timedelta]) -> None:
    scenario, start, a, b = case
    cal = calendar_for(scenario)
    mid, end = _plus(start, a), _plus(start, a + b)
    assert (
        cal.between(start, mid).duration + cal.between(mid, end).duration == cal.between(start, end).duration
    )


# -- known vectors (domain reference §4) -------------------------------------------------------


def test_third_working_day_after_national_day_eve_is_saturday() -> None:
    assert cn().add_working_days(dt.date(2026, 9, 30), 3) == (dt.date(2026, 10, 10), False)


def test_working_day_after_spring_festival_friday_is_makeup_saturday() -> None:
    assert cn().add_working_days(dt.date(2026, 2, 13), 1) == (dt.date(2026, 2, 14), False)


def test_2026_has_248_working_days() -> None:
    assert cn().working_days_in_year(2026) == 248


def test_sunday_2025_01_26_was_a_working_day() -> None:
    assert cn().is_working_day(dt.date(2025, 1, 26))
    assert cn().day_status(dt.date(2025, 1, 26)) == (True, "Spring Festival", False)


def test_add_working_days_backwards_and_zero() -> None:
    assert cn().add_working_days(dt.date(2026, 10, 10), -3).day == dt.date(2026, 9, 30)
    assert cn().add_working_days(dt.date(2026, 10, 4), 0).day == dt.date(2026, 10, 4)
    assert cn().add_working_days(dt.date(2027, 1, 8), -6) == (dt.date(2026, 12, 30), True)


def test_makeup_saturday_uses_weekday_hours() -> None:
    # Fri 2026-02-13 17:00 + 2 working hours: 1 h on Friday, then Sat 02-14 (make-up) from 08:30.
    start = dt.datetime(2026, 2, 13, 17, 0, tzinfo=SHANGHAI)
    assert cn().add(start, dt.timedelta(hours=2)).at == dt.datetime(2026, 2, 14, 9, 30, tzinfo=SHANGHAI)


def test_lunch_break_is_skipped() -> None:
    start = dt.datetime(2026, 3, 3, 11, 0, tzinfo=SHANGHAI)
    assert cn().add(start, dt.timedelta(hours=2)).at == dt.datetime(2026, 3, 3, 14, 30, tzinfo=SHANGHAI)
    assert cn().between(start, dt.datetime(2026, 3, 3, 14, 30, tzinfo=SHANGHAI)).duration == dt.timedelta(
        hours=2
    )


def test_weekend_adds_no_working_time() -> None:
    friday_close = dt.datetime(2026, 3, 6, 18, 0, tzinfo=SHANGHAI)
    monday_open = dt.datetime(2026, 3, 9, 8, 30, tzinfo=SHANGHAI)
    assert cn().between(friday_close, monday_open).duration == dt.timedelta(0)
    assert cn().add(friday_close, dt.timedelta(minutes=1)).at == monday_open + MINUTE


def test_national_day_week_is_skipped() -> None:
    start = dt.datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)
    result = cn().add(start, dt.timedelta(hours=2))
    assert result == (dt.datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI), False)


def test_day_status_names_holidays_and_estimates() -> None:
    assert cn().day_status(dt.date(2026, 10, 1)) == (False, "National Day", False)
    assert cn().day_status(dt.date(2026, 2, 14)) == (True, "Spring Festival", False)
    assert cn().day_status(dt.date(2027, 10, 1)) == (False, "National Day", True)
    assert cn().day_status(dt.date(2027, 3, 1)) == (True, "", True)


# -- regressions from other systems --------------------------------------------------------------


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "Europe/Berlin"])
def test_24x7_calendar_loses_no_minute_at_midnight(zone: str) -> None:
    cal = always_open(zone)
    tz = ZoneInfo(zone)
    for day in (dt.date(2026, 6, 30), dt.date(2026, 12, 31)):
        before = dt.datetime.combine(day, dt.time(23, 59), tzinfo=tz)
        assert cal.add(before, MINUTE).at == before + MINUTE
        assert cal.add(before, 2 * MINUTE).at == before + 2 * MINUTE
        assert cal.between(before, before + 2 * MINUTE).duration == 2 * MINUTE
    start = dt.datetime(2026, 6, 1, tzinfo=tz)
    assert cal.between(start, start + dt.timedelta(days=10)).duration == dt.timedelta(days=10)
    assert cal.add(start, dt.timedelta(days=400)).at == start + dt.timedelta(days=400)
    assert len(cal._table(2026).starts) == 1  # one unbroken interval, no seam at any midnight


def test_dst_days_are_23_and_25_hours_long() -> None:
    cal = always_open("Europe/Berlin")
    spring = dt.datetime(2026, 3, 29, tzinfo=BERLIN), dt.datetime(2026, 3, 30, tzinfo=BERLIN)
    autumn = dt.datetime(2026, 10, 25, tzinfo=BERLIN), dt.datetime(2026, 10, 26, tzinfo=BERLIN)
    assert cal.between(*spring).duration == dt.timedelta(hours=23)
    assert cal.between(*autumn).duration == dt.timedelta(hours=25)


def test_working_hours_in_dst_gap_start_when_clocks_jump() -> None:
    # 02:00–03:00 does not exist on 2026-03-29 in Berlin: 01:00–02:30 is 1 h, 03:00–04:00 is 1 h.
    cal = WorkCalendar("Europe/Berlin", weekdays([("01:00", "02:30"), ("03:00", "04:00")], range(7)))
    day = dt.datetime(2026, 3, 29, tzinfo=BERLIN), dt.datetime(2026, 3, 30, tzinfo=BERLIN)
    assert cal.between(*day).duration == dt.timedelta(hours=2)
    assert cal.add(day[0], dt.timedelta(hours=1, minutes=30)).at == dt.datetime(
        2026, 3, 29, 3, 30, tzinfo=BERLIN
    )


def test_office_hours_keep_wall_clock_across_dst() -> None:
    cal = WorkCalendar("Europe/Berlin", weekdays([("09:00", "17:00")]))
    friday = dt.datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)  # the weekend of the spring change
    assert cal.add(friday, dt.timedelta(hours=2)).at == dt.datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)


def test_deadline_crossing_into_year_without_data_is_estimated() -> None:
    start = dt.datetime(2026, 12, 31, 17, 0, tzinfo=SHANGHAI)
    result = cn().add(start, dt.timedelta(hours=5))  # Jan 1 2027 falls back to a statutory day off
    assert result == (dt.datetime(2027, 1, 4, 14, 0, tzinfo=SHANGHAI), True)
    assert cn().between(start, result.at) == (dt.timedelta(hours=5), True)
    assert cn().add_working_days(dt.date(2026, 12, 30), 5) == (dt.date(2027, 1, 7), True)
    assert cn().add(start, dt.timedelta(minutes=30)) == (start + dt.timedelta(minutes=30), False)
    far = cn().add(start, dt.timedelta(days=500))  # years ahead: still no exception
    assert far.estimated and far.at.year >= 2030


def test_year_without_data_uses_admin_entered_schedule() -> None:
    cal = china_calendar(
        years=range(2025, 2027),
        # an official year's table is complete: the notice's days off replace the fixed-date fallback
        extra_overrides={
            dt.date(2027, 1, 1): (False, "New Year's Day"),
            dt.date(2027, 1, 4): (False, "New Year's Day"),
        },
        extra_official_years=[2027],
    )
    start = dt.datetime(2026, 12, 31, 17, 0, tzinfo=SHANGHAI)
    assert cal.add(start, dt.timedelta(hours=5)) == (dt.datetime(2027, 1, 5, 14, 0, tzinfo=SHANGHAI), False)


def test_zero_duration_and_results_keep_input_zone() -> None:
    start = dt.datetime(2026, 10, 3, 12, 0, tzinfo=NEW_YORK)  # a holiday in China
    assert cn().add(start, dt.timedelta(0)).at is start
    result = cn().add(start, MINUTE)
    assert result.at.tzinfo is NEW_YORK
    assert result.at == dt.datetime(2026, 10, 8, 8, 31, tzinfo=SHANGHAI)


# -- seeding from chinesecalendar, cross-checked against holidays -------------------------------


def test_seed_matches_holidays_package_day_by_day() -> None:
    import holidays

    years = range(2004, 2027)
    reference = holidays.China(years=years)
    raw = WorkCalendar(
        "Asia/Shanghai", CHINA_STANDARD_HOURS, china_overrides(years, corrected=False), official_years=years
    )
    seeded = cn()
    raw_diff, seeded_diff = [], []
    day = dt.date(2004, 1, 1)
    while day.year < 2027:
        expected = reference.is_working_day(day)
        if raw.is_working_day(day) != expected:
            raw_diff.append(day)
        if seeded.is_working_day(day) != expected:
            seeded_diff.append(day)
        day += dt.timedelta(days=1)
    assert raw_diff == [dt.date(2005, 12, 31)]  # chinesecalendar issue #125, see the module docstring
    assert seeded_diff == []


def test_seed_holds_weekday_holidays_and_weekend_workdays_only() -> None:
    table = china_overrides([2026])
    assert all((day.weekday() >= 5) == working for day, (working, _) in table.items())
    assert table[dt.date(2026, 2, 14)] == (True, "Spring Festival")
    assert table[dt.date(2026, 10, 7)] == (False, "National Day")
    assert dt.date(2026, 10, 4) not in table  # a Sunday off is not an exception


def test_every_seeded_holiday_name_is_marked_for_translation() -> None:
    names = {label for _, label in china_overrides(range(2004, 2027)).values()}
    assert names <= set(HOLIDAY_NAMES)


def test_seed_skips_years_without_data_instead_of_raising() -> None:
    covered = china_data_years(range(2000, 2100))
    assert set(range(2004, 2027)) <= set(covered)
    assert 2000 not in covered and 2099 not in covered
    assert china_overrides([2099]) == {}


def test_missing_schedule_warning_from_first_of_november() -> None:
    official = range(2004, 2027)
    assert missing_schedule_year(official, dt.date(2026, 10, 31)) is None
    assert missing_schedule_year(official, dt.date(2026, 11, 1)) == 2027
    assert missing_schedule_year(official, dt.date(2027, 2, 1)) == 2027
    assert missing_schedule_year([*official, 2027], dt.date(2026, 11, 1)) is None


# -- bad configuration and arguments -------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "tz"),
    [
        ({0: [("12:00", "08:00")]}, "UTC"),
        ({0: [("08:00", "12:00"), ("11:00", "13:00")]}, "UTC"),
        ({0: [("8h", "12:00")]}, "UTC"),
        ({0: [("24:00", "24:00")]}, "UTC"),
        ({7: [("08:00", "12:00")]}, "UTC"),
        ({}, "UTC"),
        (ALWAYS, "Mars/Olympus_Mons"),
    ],
)
def test_bad_configuration_is_refused(hours: dict, tz: str) -> None:
    with pytest.raises(CalendarError):
        WorkCalendar(tz, hours)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(CalendarError):
        cn().add(dt.datetime(2026, 1, 5, 9, 0), dt.timedelta(hours=1))
    with pytest.raises(CalendarError):
        cn().add(dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC), dt.timedelta(hours=-1))
    with pytest.raises(CalendarError):
        cn().between(dt.datetime(2026, 1, 5, 9, 0), dt.datetime(2026, 1, 6, 9, 0, tzinfo=UTC))


def test_time_objects_and_midnight_end_are_accepted() -> None:
    cal = WorkCalendar("UTC", {wd: [(dt.time(22, 0), dt.time(0, 0))] for wd in range(7)})
    start = dt.datetime(2026, 5, 4, 23, 0, tzinfo=UTC)
    assert cal.add(start, dt.timedelta(hours=2)).at == dt.datetime(2026, 5, 5, 23, 0, tzinfo=UTC)
