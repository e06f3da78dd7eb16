"""Working-time calendars: the arithmetic behind every "within N working hours / days" promise.

A service centre promises things in working time ("contacted within 2 working hours", "answered
within 5 working days").  This module is the pure engine that turns such a promise into an instant:
it knows a site's working hours per weekday (with breaks), its time zone, and a per-date table of
statutory holidays and make-up workdays (调休上班).  It has no Django models; the SLA models feed it
plain values (see `WorkCalendar.__init__`) and cache the instance.

Definitions (what the functions promise):

* An instant is *working time* when it lies in one of the day's working intervals.  A day's interval
  ``(start, end)`` in local wall time covers the instants from the first moment the local clock
  reads ``start`` on that date to the first moment it reads ``end`` (``24:00`` = the next local
  midnight).  So a 24/7 calendar is one unbroken stretch of time — no minute is lost at midnight —
  and on daylight-saving days a working day really is 23 or 25 hours long.  A wall time that does
  not exist (in the spring-forward gap) starts at the instant the clocks jump.
* ``add(start, d)`` is the *earliest* instant at which ``d`` of working time has elapsed since
  ``start`` (so ``add(t, 0) == t``, and a 1 h target set at 17:00 with work until 18:00 is due at
  18:00 that day, not at the next morning's opening).  It returns the instant in **the input's
  time zone** (``result.at.tzinfo is start.tzinfo``).
* ``between(a, b)`` is the working time in ``[a, b)``; negative when ``b < a``.
  ``between(t, add(t, d)).duration == d`` and ``add(add(t, a), b) == add(t, a + b)`` hold exactly:
  all arithmetic is on integer microseconds.
* ``add_working_days(day, n)`` is the n-th working day after ``day`` ("answer within N working
  days"); a working day is a date with working hours.

Official data: the State Council publishes each year's holiday schedule in Oct–Dec for the next
year.  Years whose schedule is known are listed in ``official_years``; for any other year the
calendar falls back to its weekly hours minus the statutory fixed-date holidays (元旦 1 Jan,
劳动节 1–2 May, 国庆 1–3 Oct; lunar holidays only when entered in the override table), and every
result that touched such a year carries ``estimated=True`` so the UI and API can say so.

Speed: each calendar year is compiled once into sorted UTC intervals with cumulative working
time (``_YearTable``); ``add``/``between`` are then a bisect or two — no minute-by-minute loops.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo


def gettext_noop(message: str) -> str:
    """Mark a holiday name for the translation catalogue without needing Django settings at import.

    The engine stays importable outside Django (bench, scripts); makemessages still finds the
    msgids by this function's name.  Display code translates the name with ``gettext(name)``.
    """
    return message


__all__ = [
    "ALWAYS",
    "CHINA_STANDARD_HOURS",
    "CHINESECALENDAR_CORRECTIONS",
    "STATUTORY_FIXED_DATES",
    "CalendarError",
    "DayResult",
    "DayStatus",
    "HOLIDAY_NAMES",
    "Result",
    "SpanResult",
    "WorkCalendar",
    "always_open",
    "china_calendar",
    "china_data_years",
    "china_overrides",
    "missing_schedule_year",
    "weekdays",
]

_UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_ONE_US = dt.timedelta(microseconds=1)
_DAY_SECONDS = 86_400
_US = 1_000_000
# A calendar with no working time at all would make `add` search forever; give up after this many years.
_MAX_EMPTY_YEARS = 10
_MIN_YEAR, _MAX_YEAR = 1901, 9998
_FAST_YEARS = (1970, 2100)  # years located by bisection; others by a slower exact lookup

HoursSpec = Sequence[tuple["dt.time | str", "dt.time | str"]]
"""A day's working intervals in local wall time, e.g. ``[("08:30", "12:00"), ("13:30", "18:00")]``.

Each bound is a ``datetime.time`` or an ``"HH:MM[:SS]"`` string; ``"24:00"`` (or ``time(0)`` as an
end) means the end of the day."""

Override = tuple[bool, str]
"""``(is_workday, name)`` for one date: a holiday on a weekday or a make-up working weekend day."""

# Statutory holidays on fixed Gregorian dates (全国年节及纪念日放假办法, 2025 revision).  They are the
# fallback for a year the official schedule does not cover yet.  Lunar holidays (春节, 清明, 端午, 中秋)
# move, so they only count when an administrator has entered them in the override table.
STATUTORY_FIXED_DATES: tuple[tuple[int, int, str], ...] = (
    (1, 1, gettext_noop("New Year's Day")),
    (5, 1, gettext_noop("Labour Day")),
    (5, 2, gettext_noop("Labour Day")),
    (10, 1, gettext_noop("National Day")),
    (10, 2, gettext_noop("National Day")),
    (10, 3, gettext_noop("National Day")),
)

# Holiday names as the `chinesecalendar` seed spells them, marked so the catalogue translates them;
# display code shows ``gettext(name)``.
HOLIDAY_NAMES: tuple[str, ...] = (
    gettext_noop("New Year's Day"),
    gettext_noop("Spring Festival"),
    gettext_noop("Tomb-sweeping Day"),
    gettext_noop("Labour Day"),
    gettext_noop("Dragon Boat Festival"),
    gettext_noop("Mid-autumn Festival"),
    gettext_noop("National Day"),
    gettext_noop("Anti-Fascist 70th Day"),
)


class CalendarError(ValueError):
    """The calendar's configuration or a call's arguments cannot be used (a programming or setup error)."""


class Result(NamedTuple):
    """A deadline: the instant a working duration ends, and whether an estimated year was involved."""

    at: dt.datetime
    estimated: bool


class SpanResult(NamedTuple):
    """Working time measured between two instants, and whether an estimated year was involved."""

    duration: dt.timedelta
    estimated: bool


class DayResult(NamedTuple):
    """A working day found by counting working days, and whether an estimated year was involved."""

    day: dt.date
    estimated: bool


class DayStatus(NamedTuple):
    """What the calendar says about one date, for display: working or not, why, and how sure."""

    is_workday: bool
    name: str
    estimated: bool


def _parse_bound(value: dt.time | str, *, is_end: bool) -> int:
    """Seconds after local midnight for an interval bound (``24:00`` allowed as an end)."""
    if isinstance(value, str):
        parts = value.strip().split(":")
        if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise CalendarError(f"Not a time of day: {value!r} (use HH:MM).")
        h, m = int(parts[0]), int(parts[1])
        s = int(parts[2]) if len(parts) == 3 else 0
        if m > 59 or s > 59 or h > 24 or (h == 24 and (m or s)):
            raise CalendarError(f"Not a time of day: {value!r}.")
        seconds = h * 3600 + m * 60 + s
    elif isinstance(value, dt.time):
        if value.microsecond or value.tzinfo is not None:
            raise CalendarError("Working hours are whole seconds of naive local time.")
        seconds = value.hour * 3600 + value.minute * 60 + value.second
    else:
        raise CalendarError(f"Not a time of day: {value!r}.")
    if is_end and seconds == 0:
        seconds = _DAY_SECONDS
    if seconds == _DAY_SECONDS and not is_end:
        raise CalendarError("A working interval cannot start at 24:00.")
    return seconds


def _parse_day(spec: HoursSpec) -> tuple[tuple[int, int], ...]:
    """Validate one day's intervals: each start < end, sorted, not overlapping."""
    out: list[tuple[int, int]] = []
    for pair in spec:
        start, end = pair
        s, e = _parse_bound(start, is_end=False), _parse_bound(end, is_end=True)
        if s >= e:
            raise CalendarError(f"A working interval must end after it starts: {start}–{end}.")
        if out and s < out[-1][1]:
            raise CalendarError("Working intervals of a day must be in order and must not overlap.")
        out.append((s, e))
    return tuple(out)


def weekdays(spec: HoursSpec, days: Iterable[int] = range(5)) -> dict[int, HoursSpec]:
    """Hours for the given weekdays (0 = Monday; default Monday–Friday), the usual office week."""
    return dict.fromkeys(days, spec)


CHINA_STANDARD_HOURS: dict[int, HoursSpec] = weekdays([("08:30", "12:00"), ("13:30", "18:00")])
"""The office hours the seeds use: Monday–Friday 08:30–12:00 and 13:30–18:00."""

ALWAYS: dict[int, HoursSpec] = weekdays([("00:00", "24:00")], range(7))
"""Round the clock, every day: calendar time expressed as a working-time calendar."""


class _YearTable:
    """One calendar year compiled for arithmetic: sorted UTC working intervals with cumulative time."""

    __slots__ = ("cum", "cum_end", "ends", "estimated", "starts", "total", "workdays")

    def __init__(self, starts: list[int], ends: list[int], workdays: list[int], estimated: bool) -> None:
        self.starts = starts
        self.ends = ends
        cum: list[int] = []
        cum_end: list[int] = []
        total = 0
        for s, e in zip(starts, ends, strict=True):
            cum.append(total)
            total += e - s
            cum_end.append(total)
        self.cum = cum  # working µs in the year before interval i starts
        self.cum_end = cum_end  # working µs in the year up to the end of interval i
        self.total = total
        self.workdays = workdays  # proleptic ordinals of the year's working days, ascending
        self.estimated = estimated

    def elapsed_before(self, t: int) -> int:
        """Working µs of this year that lie before the instant ``t`` (µs since the epoch)."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(t - self.starts[i], self.ends[i] - self.starts[i])


class WorkCalendar:
    """A site's working time: weekly hours with breaks, a time zone and a table of exceptional dates.

    ``tz``: an IANA zone name (``"Asia/Shanghai"``).  ``hours``: weekday (0 = Monday) → that day's
    intervals; missing weekdays are days off.  ``overrides``: date → ``(is_workday, name)``; a
    working override on a day without weekly hours (a make-up Saturday) uses ``makeup_hours``
    (default: the first weekday that has hours, normally Monday).  ``official_years``: the years
    whose override table is complete (an official schedule); ``None`` means the calendar does not
    depend on an official schedule (24/7, a plain office week) and is never estimated.  For a year
    outside ``official_years`` the fixed ``fallback`` dates are days off too, and results are
    estimated.  Instances are immutable in use and cache their compiled years; build one per
    calendar and reuse it.
    """

    def __init__(
        self,
        tz: str,
        hours: Mapping[int, HoursSpec],
        overrides: Mapping[dt.date, Override] | None = None,
        *,
        official_years: Iterable[int] | None = None,
        makeup_hours: HoursSpec | None = None,
        fallback: Sequence[tuple[int, int, str]] = STATUTORY_FIXED_DATES,
        name: str = "",
    ) -> None:
        try:
            self.zone = ZoneInfo(tz)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError for malformed keys
            raise CalendarError(f"Unknown time zone: {tz!r}.") from exc
        self.tz = tz
        self.name = name
        self.week: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            _parse_day(hours.get(wd, ())) for wd in range(7)
        )
        bad = set(hours) - set(range(7))
        if bad:
            raise CalendarError(f"Weekdays are 0 (Monday) to 6 (Sunday), not {sorted(bad)}.")
        if makeup_hours is not None:
            self.makeup: tuple[tuple[int, int], ...] = _parse_day(makeup_hours)
        else:
            self.makeup = next((day for day in self.week if day), ())
        self.overrides: dict[dt.date, Override] = {}
        for day, value in (overrides or {}).items():
            is_workday, label = value
            self.overrides[day] = (bool(is_workday), str(label or ""))
        self.official_years: frozenset[int] | None = (
            None if official_years is None else frozenset(int(y) for y in official_years)
        )
        self.fallback: dict[tuple[int, int], str] = {(m, d): label for m, d, label in fallback}
        if not any(self.week) and not any(v[0] for v in self.overrides.values()):
            raise CalendarError("A calendar needs working hours on at least one day.")
        self._years: dict[int, _YearTable] = {}
        self._year_starts: dict[int, int] = {}
        self._bounds: list[int] | None = None  # year starts for _FAST_YEARS, to find a year by bisection

    def __repr__(self) -> str:
        return f"<WorkCalendar {self.name or self.tz}>"

    # -- what a date is ------------------------------------------------------------------------

    def is_estimated_year(self, year: int) -> bool:
        """True when ``year`` has no official schedule, so its dates are a best guess."""
        return self.official_years is not None and year not in self.official_years

    def day_status(self, day: dt.date) -> DayStatus:
        """Whether ``day`` is a working day, the holiday or make-up name if any, and if it is a guess."""
        estimated = self.is_estimated_year(day.year)
        override = self.overrides.get(day)
        if override is not None:
            return DayStatus(override[0], override[1], estimated)
        if estimated:
            label = self.fallback.get((day.month, day.day))
            if label is not None:
                return DayStatus(False, label, True)
        return DayStatus(bool(self.week[day.weekday()]), "", estimated)

    def hours_on(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """The day's working intervals as (start, end) seconds after local midnight (end ≤ 86400)."""
        override = self.overrides.get(day)
        if override is not None:
            if not override[0]:
                return ()
            return self.week[day.weekday()] or self.makeup
        if self.is_estimated_year(day.year) and (day.month, day.day) in self.fallback:
            return ()
        return self.week[day.weekday()]

    def is_working_day(self, day: dt.date) -> bool:
        """True when ``day`` has working hours."""
        return bool(self.hours_on(day))

    def working_days_in_year(self, year: int) -> int:
        """How many working days ``year`` has (2026 in mainland China: 248)."""
        return len(self._table(year).workdays)

    # -- compiling a year ------------------------------------------------------------------------

    def _first_instant(self, day: dt.date, seconds: int) -> int:
        """µs since the epoch of the first instant the local clock reads ``day`` + ``seconds``.

        Ordinary wall times have one instant; in the autumn overlap it is the earlier one (fold=0);
        a wall time in the spring gap does not exist, so it is the instant the clocks jump.
        """
        if seconds == _DAY_SECONDS:
            day, seconds = day + dt.timedelta(days=1), 0
        wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
        first = (wall.replace(tzinfo=self.zone) - _EPOCH) // _ONE_US
        second = (wall.replace(tzinfo=self.zone, fold=1) - _EPOCH) // _ONE_US
        if first == second:
            return first
        lo, hi = min(first, second), max(first, second)
        if self._wall(lo) == wall:
            return lo  # an overlap: both instants read `wall`; take the earlier
        # A gap: find the first whole second whose local reading is at or after `wall`.
        lo_s, hi_s = lo // _US, -(-hi // _US)
        while lo_s < hi_s:
            mid = (lo_s + hi_s) // 2
            if self._wall(mid * _US) >= wall:
                hi_s = mid
            else:
                lo_s = mid + 1
        return lo_s * _US

    def _wall(self, us: int) -> dt.datetime:
        """The naive local wall time at the instant ``us``."""
        return (_EPOCH + dt.timedelta(microseconds=us)).astimezone(self.zone).replace(tzinfo=None)

    def _year_start(self, year: int) -> int:
        start = self._year_starts.get(year)
        if start is None:
            if not _MIN_YEAR <= year <= _MAX_YEAR + 1:
                raise CalendarError(f"Year {year} is outside the supported range.")
            start = self._year_starts[year] = self._first_instant(dt.date(year, 1, 1), 0)
        return start

    def _table(self, year: int) -> _YearTable:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._compile(year)
        return table

    def _compile(self, year: int) -> _YearTable:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise CalendarError(f"Year {year} is outside the supported range.")
        starts: list[int] = []
        ends: list[int] = []
        workdays: list[int] = []
        day = dt.date(year, 1, 1)
        one = dt.timedelta(days=1)
        while day.year == year:
            intervals = self.hours_on(day)
            if intervals:
                workdays.append(day.toordinal())
            for s, e in intervals:
                us, ue = self._first_instant(day, s), self._first_instant(day, e)
                if ends and us < ends[-1]:
                    us = ends[-1]  # defensive: keep intervals ordered whatever the zone does
                if ue <= us:
                    continue  # the whole interval fell into a daylight-saving gap
                if ends and us == ends[-1]:
                    ends[-1] = ue  # touching intervals (24/7 over midnight) become one
                else:
                    starts.append(us)
                    ends.append(ue)
            day += one
        return _YearTable(starts, ends, workdays, self.is_estimated_year(year))

    def _year_of(self, t: int) -> int:
        """The local calendar year an instant belongs to (by the compiled year boundaries)."""
        bounds = self._bounds
        if bounds is None:
            bounds = self._bounds = [self._year_start(y) for y in range(_FAST_YEARS[0], _FAST_YEARS[1] + 1)]
        if bounds[0] <= t < bounds[-1]:
            return _FAST_YEARS[0] + bisect.bisect_right(bounds, t) - 1
        year = (_EPOCH + dt.timedelta(microseconds=t)).year
        if t < self._year_start(year):
            return year - 1
        if t >= self._year_start(year + 1):
            return year + 1
        return year

    # -- the arithmetic ------------------------------------------------------------------------

    def add(self, start: dt.datetime, duration: dt.timedelta) -> Result:
        """The earliest instant by which ``duration`` of working time has passed since ``start``.

        ``start`` must be aware; the result is in ``start``'s time zone.  ``duration`` must not be
        negative.  Never raises for years without official data — the result is flagged estimated.
        """
        if start.tzinfo is None or start.utcoffset() is None:
            raise CalendarError("Working-time arithmetic needs an aware datetime.")
        remaining = duration // _ONE_US
        if remaining < 0:
            raise CalendarError("A working duration cannot be negative.")
        t = (start - _EPOCH) // _ONE_US
        year = self._year_of(t)
        table = self._table(year)
        estimated = table.estimated
        if remaining == 0:
            return Result(start, estimated)
        remaining += table.elapsed_before(t)
        empty_years = 0
        while remaining > table.total:
            empty_years = empty_years + 1 if table.total == 0 else 0
            if empty_years > _MAX_EMPTY_YEARS:
                raise CalendarError("The calendar has no working time left to count.")
            remaining -= table.total
            year += 1
            table = self._table(year)
            estimated = estimated or table.estimated
        i = bisect.bisect_left(table.cum_end, remaining)
        at = table.starts[i] + (remaining - table.cum[i])
        return Result((_EPOCH + dt.timedelta(microseconds=at)).astimezone(start.tzinfo), estimated)

    def between(self, a: dt.datetime, b: dt.datetime) -> SpanResult:
        """Working time in ``[a, b)``; negative when ``b`` is before ``a``.  Both must be aware."""
        if a.tzinfo is None or b.tzinfo is None or a.utcoffset() is None or b.utcoffset() is None:
            raise CalendarError("Working-time arithmetic needs aware datetimes.")
        ta, tb = (a - _EPOCH) // _ONE_US, (b - _EPOCH) // _ONE_US
        sign = 1
        if tb < ta:
            ta, tb, sign = tb, ta, -1
        ya, yb = self._year_of(ta), self._year_of(tb)
        table_a = self._table(ya)
        estimated = table_a.estimated
        if ya == yb:
            total = self._table(yb).elapsed_before(tb) - table_a.elapsed_before(ta)
        else:
            total = table_a.total - table_a.elapsed_before(ta)
            for year in range(ya + 1, yb):
                table = self._table(year)
                total += table.total
                estimated = estimated or table.estimated
            table_b = self._table(yb)
            before_b = table_b.elapsed_before(tb)
            total += before_b
            # An end exactly at the new year's first instant touches nothing of that year.
            if tb > self._year_start(yb):
                estimated = estimated or table_b.estimated
        return SpanResult(dt.timedelta(microseconds=sign * total), estimated)

    def add_working_days(self, day: dt.date, n: int) -> DayResult:
        """The ``n``-th working day after ``day`` (before it when ``n`` < 0; ``day`` itself when 0)."""
        table = self._table(day.year)
        estimated = table.estimated
        if n == 0:
            return DayResult(day, estimated)
        year = day.year
        ordinal = day.toordinal()
        if n > 0:
            index = bisect.bisect_right(table.workdays, ordinal) + n - 1
            while index >= len(table.workdays):
                index -= len(table.workdays)
                year += 1
                if year - day.year > _MAX_EMPTY_YEARS and not table.workdays:
                    raise CalendarError("The calendar has no working days left to count.")
                table = self._table(year)
                estimated = estimated or table.estimated
        else:
            index = bisect.bisect_left(table.workdays, ordinal) + n
            while index < 0:
                year -= 1
                if day.year - year > _MAX_EMPTY_YEARS and not table.workdays:
                    raise CalendarError("The calendar has no working days left to count.")
                table = self._table(year)
                index += len(table.workdays)
                estimated = estimated or table.estimated
        return DayResult(dt.date.fromordinal(table.workdays[index]), estimated)


def always_open(tz: str = "UTC") -> WorkCalendar:
    """A 24/7 calendar: working time equals elapsed time, never estimated."""
    return WorkCalendar(tz, ALWAYS, name="24/7")


# Known errors in the `chinesecalendar` data, corrected when seeding.  Sat 2005-12-31 was a make-up
# workday for the 2006 New Year holiday (chinesecalendar issue #125; `holidays` agrees).
CHINESECALENDAR_CORRECTIONS: dict[dt.date, Override] = {
    dt.date(2005, 12, 31): (True, "New Year's Day"),
}


def china_overrides(years: Iterable[int], *, corrected: bool = True) -> dict[dt.date, Override]:
    """The official mainland-China exceptions for ``years`` from the ``chinesecalendar`` package.

    Holidays that fall on a weekday become ``(False, name)``; make-up working weekend days (调休上班)
    become ``(True, name)``.  Years the package has no data for (before 2004, after its last
    release's year — it raises ``NotImplementedError``) are skipped; ``china_data_years`` says which.
    With ``corrected`` the known data errors in ``CHINESECALENDAR_CORRECTIONS`` are fixed.
    """
    import chinese_calendar

    covered = china_data_years(years)
    out: dict[dt.date, Override] = {}
    for year in covered:
        day = dt.date(year, 1, 1)
        while day.year == year:
            is_workday = chinese_calendar.is_workday(day)
            if (day.weekday() >= 5) == is_workday:  # a weekday off, or a weekend day at work
                _on_holiday, label = chinese_calendar.get_holiday_detail(day)
                out[day] = (is_workday, label or "")
            day += dt.timedelta(days=1)
    if corrected:
        out.update({day: value for day, value in CHINESECALENDAR_CORRECTIONS.items() if day.year in covered})
    return out


def china_data_years(years: Iterable[int]) -> list[int]:
    """Those of ``years`` for which ``chinesecalendar`` has the official schedule."""
    import chinese_calendar

    covered = []
    for year in sorted(set(years)):
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
            chinese_calendar.is_workday(dt.date(year, 12, 31))
        except NotImplementedError:
            continue
        covered.append(year)
    return covered


def china_calendar(
    tz: str = "Asia/Shanghai",
    hours: Mapping[int, HoursSpec] | None = None,
    years: Iterable[int] = range(2004, 2027),
    *,
    extra_overrides: Mapping[dt.date, Override] | None = None,
    extra_official_years: Iterable[int] = (),
) -> WorkCalendar:
    """A mainland-China office calendar seeded from ``chinesecalendar`` (2004–2026).

    ``extra_overrides``/``extra_official_years`` add schedules an administrator entered for later
    years (the State Council notice); they win over the seed.
    """
    years = list(years)
    overrides = china_overrides(years)
    overrides.update(extra_overrides or {})
    official = set(china_data_years(years)) | set(extra_official_years)
    return WorkCalendar(
        tz, CHINA_STANDARD_HOURS if hours is None else hours, overrides, official_years=official, name="CN"
    )


def missing_schedule_year(official_years: Iterable[int], today: dt.date) -> int | None:
    """The next year whose official schedule an administrator should enter now, or None.

    From 1 November the coming year's schedule is due (notices appear late Oct to early Dec); a
    missing current year is always reported.
    """
    known = set(official_years)
    if today.year not in known:
        return today.year
    if today >= dt.date(today.year, 11, 1) and today.year + 1 not in known:
        return today.year + 1
    return None
