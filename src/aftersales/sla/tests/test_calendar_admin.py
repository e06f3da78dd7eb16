"""The calendar back office: pages render in both languages, a year's notice goes in by form or CSV through a
preview, bad files are refused with nothing saved, and administrators are warned when next year is missing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from aftersales.sla import calendar_services as cal
from aftersales.sla.models import CalendarDay, WorkCalendar

SAMPLE = Path(cal.__file__).parent / "sample" / "holidays-2027-example.csv"
LANGUAGES = [("en", "Enter a year's holiday notice"), ("zh-hans", "")]


@pytest.fixture
def default(db) -> WorkCalendar:
    cal.engine_cache_clear()
    return cal.calendar_default()


@pytest.fixture(autouse=True)
def recompute_calls(monkeypatch) -> list[Any]:
    from aftersales.sla import services

    calls: list[Any] = []
    monkeypatch.setattr(services, "clocks_recompute_for_calendar",
                        lambda calendar, *, actor=None: calls.append(calendar.pk) or 0, raising=False)
    return calls


def admin_client(users, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(users["admin"])
    return client


def notice_url(calendar: WorkCalendar) -> str:
    return reverse("admin:sla_workcalendar_notice", args=[calendar.pk])


def ranges_post(year: int = 2027, **rows: dict[str, str]) -> dict[str, str]:
    """The notice form's POST: the year and the nine rows (seven holidays, two spare), some filled."""
    from aftersales.sla.forms import NOTICE_HOLIDAYS

    data = {"step": "preview", "year": str(year), "h-TOTAL_FORMS": "9", "h-INITIAL_FORMS": "9",
            "h-MIN_NUM_FORMS": "0", "h-MAX_NUM_FORMS": "1000"}
    names = [*NOTICE_HOLIDAYS, NOTICE_HOLIDAYS[0], NOTICE_HOLIDAYS[0]]
    for i, name in enumerate(names):
        data[f"h-{i}-name"] = name
        for key in ("first", "last", "makeup"):
            data[f"h-{i}-{key}"] = rows.get(str(i), {}).get(key, "")
    return data


@pytest.mark.parametrize(("language", "text"), LANGUAGES)
def test_calendar_pages_render_in_both_languages(default: WorkCalendar, users, language: str, text: str) -> None:
    client = admin_client(users, language)
    pages = [
        reverse("admin:sla_workcalendar_changelist"),
        reverse("admin:sla_workcalendar_change", args=[default.pk]) + "?year=2026",
        reverse("admin:sla_workcalendar_add"),
        notice_url(default),
        reverse("admin:sla_slapolicy_changelist"),
        reverse("admin:sla_slapolicy_add"),
        reverse("admin:sla_slatarget_changelist"),
        reverse("admin:sla_slaclock_changelist"),
        reverse("admin:sla_progressreport_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Language"] == language
    change = client.get(reverse("admin:sla_workcalendar_change", args=[default.pk]) + "?year=2026").content.decode()
    assert "2026-10-10" in change and "08:30-12:00, 13:30-18:00" in change and "2004-2026" in change
    if text:
        assert text in change


def test_non_staff_cannot_reach_the_notice_page(default: WorkCalendar, users) -> None:
    client = Client()
    client.force_login(users["manager"])
    response = client.get(notice_url(default))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_notice_by_date_ranges_preview_then_confirm(default: WorkCalendar, users, recompute_calls) -> None:
    client = admin_client(users)
    data = ranges_post(**{
        "1": {"first": "2-6", "last": "2-13", "makeup": "2-14, 2-20"},  # Spring Festival
        "6": {"first": "10-1", "last": "10-7", "makeup": "9-26 10/9"},  # National Day
        "0": {"first": "2027-01-01"},  # New Year's Day, one day
    })
    preview = client.post(notice_url(default), data)
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "2027-02-14" in body and "Confirm and save" in body
    assert CalendarDay.objects.filter(calendar=default, date__year=2027).count() == 0  # nothing saved yet
    confirm = {key: preview.context["confirm"].initial[key] for key in
               ("year", "payload", "expected_version", "source")}
    response = client.post(notice_url(default), {**confirm, "mark_official": "on", "step": "confirm"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/sla/workcalendar/{default.pk}/change/?year=2027")
    default.refresh_from_db()
    assert 2027 in default.official_years
    days = {d.date: d for d in CalendarDay.objects.filter(calendar=default, date__year=2027)}
    assert len(days) == 1 + 8 + 2 + 7 + 2
    assert days[dt.date(2027, 10, 9)].is_workday and days[dt.date(2027, 10, 9)].name == "National Day"
    assert {d.source for d in days.values()} == {"admin"}
    assert recompute_calls == [default.pk]


def test_notice_form_errors_are_shown_and_nothing_is_saved(default: WorkCalendar, users) -> None:
    client = admin_client(users)
    response = client.post(notice_url(default), ranges_post(**{"1": {"first": "2-30"}, "2": {"last": "4-5"}}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "2-30 is not a date" in body and "Enter the first day off." in body
    overlap = client.post(notice_url(default), ranges_post(**{"1": {"first": "2-6", "last": "2-13"},
                                                               "7": {"first": "2-8"}}))
    assert "listed twice" in overlap.content.decode()
    assert not CalendarDay.objects.filter(calendar=default, date__year=2027).exists()


def test_notice_by_csv_upload(default: WorkCalendar, users) -> None:
    client = admin_client(users)
    upload = SimpleUploadedFile("holidays.csv", SAMPLE.read_bytes(), content_type="text/csv")
    preview = client.post(notice_url(default), {**ranges_post(), "csv_file": upload})
    assert preview.status_code == 200 and "preview" in preview.context
    assert len(preview.context["preview"].lines) == 34
    confirm = preview.context["confirm"].initial
    response = client.post(notice_url(default), {"step": "confirm", "mark_official": "on", **{
        key: confirm[key] for key in ("year", "payload", "expected_version", "source")}})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(calendar=default, date__year=2027, source="import").count() == 34


@pytest.mark.parametrize(("content", "message"), [
    (b"date,is_workday,name\n2027-02-31,0,Spring Festival\n", "Line 2: 2027-02-31 is not a date"),
    (b"2027-02-08,0,Spring Festival\n2027-02-08,0,Spring Festival\n", "Line 2: 2027-02-08 is listed twice"),
])
def test_bad_csv_is_refused_clearly(default: WorkCalendar, users, content: bytes, message: str) -> None:
    client = admin_client(users)
    upload = SimpleUploadedFile("holidays.csv", content, content_type="text/csv")
    response = client.post(notice_url(default), {**ranges_post(), "csv_file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarDay.objects.filter(calendar=default, date__year=2027).exists()


def test_confirm_against_a_changed_calendar_is_refused(default: WorkCalendar, users) -> None:
    client = admin_client(users)
    payload = cal.rows_to_csv([cal.DayRow(dt.date(2027, 2, 8), False, "Spring Festival")])
    response = client.post(notice_url(default), {"step": "confirm", "year": "2027", "payload": payload,
                                                 "expected_version": str(default.version + 7), "source": "admin",
                                                 "mark_official": "on"})
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert not CalendarDay.objects.filter(calendar=default, date__year=2027).exists()


def test_change_form_edits_hours_and_days_through_the_services(default: WorkCalendar, users,
                                                                 recompute_calls) -> None:
    from aftersales.core.models import AuditEntry

    client = admin_client(users)
    url = reverse("admin:sla_workcalendar_change", args=[default.pk]) + "?year=2027"
    data = {"name": default.name, "time_zone": "Asia/Shanghai", "is_default": "on",
            "official_years_text": "2004-2026",
            **{f"hours_{d}": "08:30-12:00, 13:30-17:30" for d in range(5)}, "hours_5": "", "hours_6": "",
            "days-TOTAL_FORMS": "1", "days-INITIAL_FORMS": "0", "days-MIN_NUM_FORMS": "0",
            "days-MAX_NUM_FORMS": "1000", "days-0-date": "2027-03-08", "days-0-is_workday": "",
            "days-0-name": "Company day"}
    version = default.version
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    default.refresh_from_db()
    assert default.hours["0"] == [["08:30", "12:00"], ["13:30", "17:30"]]
    assert default.version > version
    day = CalendarDay.objects.get(calendar=default, date=dt.date(2027, 3, 8))
    assert not day.is_workday and day.source == "admin"
    assert AuditEntry.objects.filter(verb="calendar_day_added", parent_id=default.pk).exists()
    assert recompute_calls  # hours and the day both changed working time


def test_change_form_refuses_bad_hours(default: WorkCalendar, users) -> None:
    client = admin_client(users)
    url = reverse("admin:sla_workcalendar_change", args=[default.pk])
    data = {"name": default.name, "time_zone": "Nowhere/City", "is_default": "on", "official_years_text": "20x",
            "hours_0": "18:00-09:00", "days-TOTAL_FORMS": "0", "days-INITIAL_FORMS": "0",
            "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000"}
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"time_zone", "official_years_text", "hours_0"} <= set(errors)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_admin_index_warns_when_next_years_schedule_is_missing(default: WorkCalendar, users, monkeypatch,
                                                                language: str) -> None:
    from aftersales.sla.templatetags import sla_calendar

    monkeypatch.setattr(sla_calendar, "calendar_warnings",
                        lambda user: cal.calendar_warnings(user, today=dt.date(2026, 11, 2)))
    body = admin_client(users, language).get(reverse("admin:index")).content.decode()
    assert "2027" in body and notice_url(default) in body
    monkeypatch.setattr(sla_calendar, "calendar_warnings",
                        lambda user: cal.calendar_warnings(user, today=dt.date(2026, 10, 31)))
    body = admin_client(users, language).get(reverse("admin:index")).content.decode()
    assert notice_url(default) not in body


def test_dashboard_partial_renders_the_warning(default: WorkCalendar, users, rf) -> None:
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = users["admin"]
    messages = cal.calendar_warnings(users["admin"], today=dt.date(2026, 12, 1))
    html = render_to_string("sla/partials/calendar_warning.html", {"calendar_warnings": messages}, request=request)
    assert "calendar-warning" in html and "2027" in html and notice_url(default) in html
    request.user = users["agent"]
    html = render_to_string("sla/partials/calendar_warning.html", {"calendar_warnings": []}, request=request)
    assert html.strip() == ""
