"""Forms for the working-time calendars: weekly hours as people write them, and a year's holiday notice.

The notice form mirrors how the State Council writes it — one paragraph per holiday: "春节：2月15日至23日放假调休，
共9天。2月14日（周六）、2月28日（周六）上班。" — so an administrator copies each paragraph's dates into one row
(first day, last day, make-up workdays); the rows come pre-filled with the seven holiday names in the notice's
order.  Dates may be typed short ("2-15", "2/15", "02-15") since the year is given once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.core import calendars as engine

from . import calendar_services as cal
from .models import CalendarDay, WorkCalendar

_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–~]\s*(\d{1,2}:\d{2})\s*$")
_SHORT_DATE = re.compile(r"^\s*(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})\s*$")
# The seven holidays of a notice, in its order (the Anti-Fascist day of 2015 was a one-off).
NOTICE_HOLIDAYS = [name for name in engine.HOLIDAY_NAMES if name != "Anti-Fascist 70th Day"]


def hours_to_text(intervals: list[list[str]] | None) -> str:
    """[["08:30", "12:00"], ["13:30", "18:00"]] → "08:30-12:00, 13:30-18:00"."""
    return ", ".join(f"{start}-{end}" for start, end in intervals or [])


def text_to_hours(text: str) -> list[list[str]]:
    """ "08:30-12:00, 13:30-18:00" → [["08:30", "12:00"], ["13:30", "18:00"]]; blank → a day off."""
    out: list[list[str]] = []
    for part in re.split(r"[,;，；]", text or ""):
        if not part.strip():
            continue
        match = _INTERVAL.match(part)
        if match is None:
            raise ValidationError(_("Write hours as 08:30-12:00, 13:30-18:00 (blank for a day off)."))
        start, end = (value.zfill(5) for value in match.groups())
        out.append([start, end])
    try:
        engine.WorkCalendar("UTC", {0: [(s, e) for s, e in out]} if out else {0: [("00:00", "24:00")]})
    except engine.CalendarError as exc:
        raise ValidationError(str(exc)) from exc
    return out


def years_to_text(years: list[int] | None) -> str:
    """[2004, 2005, ..., 2026, 2028] → "2004-2026, 2028"."""
    ordered = sorted(set(years or []))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


def text_to_years(text: str) -> list[int]:
    """ "2004-2026, 2028" → the listed years."""
    years: set[int] = set()
    for part in re.split(r"[,;\s，；]+", text or ""):
        if not part:
            continue
        match = re.fullmatch(r"(\d{4})(?:[-–](\d{4}))?", part)
        if match is None:
            raise ValidationError(_("Write years as 2004-2026, 2028."))
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first or last - first > 200:
            raise ValidationError(_("Write years as 2004-2026, 2028."))
        years.update(range(first, last + 1))
    return sorted(years)


def parse_day(text: str, year: int) -> dt.date:
    """A date typed in the notice form: 2027-02-06, 2-6, 02/06 (the year is the notice's unless written)."""
    match = _SHORT_DATE.match(text or "")
    if match is None:
        raise ValidationError(_("%(value)s is not a date (use 2027-02-06 or 2-6)."), params={"value": text})
    try:
        return dt.date(int(match.group(1) or year), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise ValidationError(_("%(value)s is not a date (use 2027-02-06 or 2-6)."), params={"value": text}) from exc


class WorkCalendarForm(forms.ModelForm):
    """A calendar's settings with the week written as people write office hours, one line per weekday."""

    official_years_text = forms.CharField(
        label=_("Years with official data"), required=False,
        help_text=_("Years whose holiday table is complete (the State Council notice was entered), e.g. "
                    "2004-2026. Other years are estimated. Leave blank for a calendar without holidays (24/7)."))

    hours_0 = forms.CharField(label=cal.WEEKDAY_NAMES[0], required=False, help_text=_(
        "e.g. 08:30-12:00, 13:30-18:00; blank: not a working day; 00:00-24:00: all day."))
    hours_1 = forms.CharField(label=cal.WEEKDAY_NAMES[1], required=False)
    hours_2 = forms.CharField(label=cal.WEEKDAY_NAMES[2], required=False)
    hours_3 = forms.CharField(label=cal.WEEKDAY_NAMES[3], required=False)
    hours_4 = forms.CharField(label=cal.WEEKDAY_NAMES[4], required=False)
    hours_5 = forms.CharField(label=cal.WEEKDAY_NAMES[5], required=False)
    hours_6 = forms.CharField(label=cal.WEEKDAY_NAMES[6], required=False)

    class Meta:
        model = WorkCalendar
        fields = ["name", "time_zone", "is_default"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.hours or {}
        for weekday in range(7):
            self.fields[f"hours_{weekday}"].initial = hours_to_text(hours.get(str(weekday)))
        self.fields["official_years_text"].initial = years_to_text(self.instance.official_years)

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        try:
            ZoneInfo(value)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError
            raise ValidationError(_("Unknown time zone (use a name such as Asia/Shanghai).")) from exc
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        hours: dict[str, list[list[str]]] = {}
        for weekday in range(7):
            try:
                hours[str(weekday)] = text_to_hours(data.get(f"hours_{weekday}", ""))
            except ValidationError as exc:
                self.add_error(f"hours_{weekday}", exc)
        try:
            data["official_years"] = text_to_years(data.get("official_years_text", ""))
        except ValidationError as exc:
            self.add_error("official_years_text", exc)
        if not self.errors and not any(hours.values()):
            raise ValidationError(_("A calendar needs working hours on at least one day."))
        data["hours"] = hours
        return data

    def service_values(self) -> dict[str, Any]:
        """The cleaned values as `calendar_create`/`calendar_update` take them."""
        data = self.cleaned_data
        return {"name": data["name"], "time_zone": data["time_zone"], "is_default": data["is_default"],
                "hours": data["hours"], "official_years": data["official_years"]}


class NoticeForm(forms.Form):
    """Step 1 of entering a year's notice: the year, then either the paragraphs below or a CSV file."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2200)
    csv_file = forms.FileField(
        label=_("Or import a CSV file"), required=False,
        help_text=_("Columns date,is_workday,name — e.g. 2027-02-06,0,Spring Festival. 1 = working day "
                    "(make-up workday), 0 = day off. If a file is chosen, the rows above are ignored."))

    def clean_csv_file(self) -> Any:
        upload = self.cleaned_data.get("csv_file")
        if upload is not None and upload.size > 64 * 1024:
            raise ValidationError(_("The file is too large for a holiday schedule (at most 64 KB)."))
        return upload


class HolidayRangeForm(forms.Form):
    """One paragraph of the notice: a holiday's days off and the weekend days worked to make up for them."""

    name = forms.ChoiceField(label=_("Holiday"), choices=[(n, _(n)) for n in engine.HOLIDAY_NAMES])
    first = forms.CharField(label=_("First day off"), required=False, max_length=12,
                            widget=forms.TextInput(attrs={"size": 10, "placeholder": "2-15"}))
    last = forms.CharField(label=_("Last day off"), required=False, max_length=12,
                           widget=forms.TextInput(attrs={"size": 10, "placeholder": "2-23"}))
    makeup = forms.CharField(label=_("Make-up workdays"), required=False, max_length=80,
                             widget=forms.TextInput(attrs={"size": 22, "placeholder": "2-14, 2-28"}))

    def to_range(self, year: int) -> cal.HolidayRange | None:
        """The paragraph with its dates in `year`, None for an empty row; errors are added to the form."""
        data = self.cleaned_data
        first_text = (data.get("first") or "").strip()
        last_text = (data.get("last") or "").strip()
        makeup_text = (data.get("makeup") or "").strip()
        if not (first_text or last_text or makeup_text):
            return None
        if not first_text:
            self.add_error("first", _("Enter the first day off."))
            return None
        try:
            first = parse_day(first_text, year)
        except ValidationError as exc:
            self.add_error("first", exc)
            return None
        try:
            last = parse_day(last_text, year) if last_text else first
        except ValidationError as exc:
            self.add_error("last", exc)
            return None
        makeup: list[dt.date] = []
        for part in re.split(r"[,;\s，；、]+", makeup_text):
            if part:
                try:
                    makeup.append(parse_day(part, year))
                except ValidationError as exc:
                    self.add_error("makeup", exc)
                    return None
        return cal.HolidayRange(data["name"], first, last, makeup)


HolidayRangeFormSet = forms.formset_factory(HolidayRangeForm, extra=0)


def holiday_formset(data: Any = None) -> Any:
    """The notice's rows, pre-filled with the seven holidays in the notice's order, plus two spare rows."""
    initial = [{"name": name} for name in NOTICE_HOLIDAYS] + [{"name": NOTICE_HOLIDAYS[0]}] * 2
    return HolidayRangeFormSet(data, initial=initial, prefix="h")


class NoticeConfirmForm(forms.Form):
    """Step 2: the rows as previewed (carried as CSV text), the version they were checked against."""

    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2200)
    payload = forms.CharField(widget=forms.HiddenInput, max_length=64 * 1024)
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    source = forms.ChoiceField(choices=CalendarDay.Source.choices, widget=forms.HiddenInput)
    mark_official = forms.BooleanField(
        label=_("This is the official schedule (the State Council notice)"), required=False, initial=True,
        help_text=_("Deadlines in this year are then no longer marked estimated."))

    def rows(self) -> list[cal.DayRow]:
        return cal.parse_csv(self.cleaned_data["payload"], self.cleaned_data["year"])


def describe_errors(exc: cal.CalendarImportInvalid) -> list[str]:
    """The import errors as lines for the page."""
    return [(gettext("Line %(line)s: %(message)s") % e) if e.get("line") else e["message"] for e in exc.errors]
