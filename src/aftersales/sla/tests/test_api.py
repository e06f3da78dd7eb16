"""The SLA API contract: clocks on a request, policies, calendars and the compliance report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.core.testing import make_request
from aftersales.sla.models import SlaClock, SlaPolicy, WorkCalendar
from aftersales.sla.tests.test_views import _clock

pytestmark = pytest.mark.django_db


def test_clocks_of_a_request(users, api_client):
    sr = make_request(actor=users["agent"])
    SlaClock.objects.filter(request=sr).delete()
    now = timezone.now()
    _clock(sr, "triage", minutes=60, started=now - dt.timedelta(minutes=50), estimated=True)
    response = api_client(users["dispatcher"]).get(f"/api/v1/service-requests/{sr.pk}/clocks")
    assert response.status_code == 200
    [clock] = response.json()
    assert clock["kind"] == "triage" and clock["status"] == "at_risk" and clock["estimated"] is True
    assert 500 < clock["seconds_left"] <= 600
    assert clock["events"][0]["kind"] == "start"
    assert api_client(users["engineer"]).get(f"/api/v1/service-requests/{sr.pk}/clocks").status_code == 404


def test_policy_create_read_and_patch_with_etag(users, api_client):
    client = api_client(users["admin"])
    body = {"name": "一般报修 同城 6 小时到场", "severity": "general", "region_class": "same_city",
            "targets": [{"clock": "on_site", "minutes": 360,
                         "escalations": [{"trigger": "percent", "value": 75, "recipient": "assignee"}]}]}
    created = client.post("/api/v1/sla-policies", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["targets"][0]["escalations"][0]["recipient"] == "assignee"
    pk = data["id"]
    got = client.get(f"/api/v1/sla-policies/{pk}")
    assert got["ETag"] == '"1"'
    stale = client.patch(f"/api/v1/sla-policies/{pk}", {"is_active": False}, content_type="application/json",
                         HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    ok = client.patch(f"/api/v1/sla-policies/{pk}", {"is_active": False}, content_type="application/json",
                      HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.json()["is_active"] is False and ok["ETag"] == '"2"'
    assert SlaPolicy.objects.get(pk=pk).targets.count() == 1
    twice = client.post("/api/v1/sla-policies", {**body, "targets": body["targets"] * 2},
                        content_type="application/json")
    assert twice.status_code == 422
    assert api_client(users["agent"]).post("/api/v1/sla-policies", body,
                                           content_type="application/json").status_code == 403
    assert any(p["id"] == pk for p in api_client(users["agent"]).get("/api/v1/sla-policies").json()["results"])


def test_calendar_days_of_a_year(users, api_client):
    from aftersales.sla.models import CalendarDay

    calendar = WorkCalendar.objects.create(name="test office", hours={"0": [["08:30", "12:00"]]},
                                           official_years=[2026])
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 2, 14), is_workday=True, name="春节")
    client = api_client(users["agent"])
    assert any(c["id"] == calendar.pk for c in client.get("/api/v1/calendars").json()["results"])
    body = client.get(f"/api/v1/calendars/{calendar.pk}/days?year=2026").json()
    assert body["official"] is True and body["days"] == [
        {"date": "2026-02-14", "is_workday": True, "name": "春节", "source": "admin"}]
    assert client.get(f"/api/v1/calendars/{calendar.pk}/days?year=2027").json()["official"] is False
    assert client.get(f"/api/v1/calendars/{calendar.pk}/days?year=1800").status_code == 422


def test_compliance_report(users, api_client):
    stopped = timezone.now() - dt.timedelta(days=1)
    sr = make_request(actor=users["agent"])
    SlaClock.objects.filter(request=sr).delete()
    _clock(sr, "triage", minutes=60, started=stopped - dt.timedelta(minutes=50), state="met", stopped=stopped)
    _clock(sr, "first_contact", minutes=60, started=stopped - dt.timedelta(minutes=90), state="breached",
           stopped=stopped)
    day = timezone.localdate()
    url = f"/api/v1/sla/compliance?start={day - dt.timedelta(days=3)}&end={day}&group_by=clock"
    body = api_client(users["manager"]).get(url).json()
    rows = {r["clock"]: r for r in body["rows"]}
    assert rows["triage"]["met"] == 1 and rows["first_contact"]["breached"] == 1
    assert rows["triage"]["percent_met"] == 100.0
    assert api_client(users["agent"]).get(url).status_code == 403
    bad = api_client(users["manager"]).get(f"/api/v1/sla/compliance?start={day}&end={day - dt.timedelta(days=3)}")
    assert bad.status_code == 422
