"""The clocks as people see them: request page card, actions, at-risk list, board marker, compliance report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.core.testing import make_request, make_user
from aftersales.sla import display
from aftersales.sla.models import ClockEvent, SlaClock, SlaPolicy

pytestmark = pytest.mark.django_db


def _client(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _clock(sr, kind, *, minutes=120, started=None, due=None, state="running", stopped=None, policy=None,
           sequence=1, estimated=False, basis="calendar"):
    """A clock written directly, as the services would leave it (the pages only read clocks)."""
    now = timezone.now()
    started = started or now - dt.timedelta(minutes=30)
    due = due if due is not None else started + dt.timedelta(minutes=minutes)
    clock, _ = SlaClock.objects.update_or_create(
        request=sr, kind=kind, sequence=sequence,
        defaults={"minutes": minutes, "basis": basis, "state": state, "started_at": started, "due_at": due,
                      "stopped_at": stopped, "policy": policy, "estimated": estimated,
                      "explanation": "severity important matched" if policy else ""})
    ClockEvent.objects.get_or_create(clock=clock, kind="start", at=started, defaults={"reason": "created"})
    return clock


def test_status_words_for_each_state():
    now = timezone.now()
    base = {"minutes": 60, "basis": "calendar", "started_at": now - dt.timedelta(minutes=50)}
    running = SlaClock(state="running", due_at=now + dt.timedelta(minutes=50), **{**base, "minutes": 100})
    late = SlaClock(state="running", due_at=now + dt.timedelta(minutes=10), **base)
    over = SlaClock(state="running", due_at=now - dt.timedelta(minutes=1), **base)
    assert display.clock_status(running, now) == "on_track"
    assert display.clock_status(late, now) == "at_risk"
    assert display.clock_status(over, now) == "breached"
    assert display.clock_status(SlaClock(state="paused", due_at=None, **base), now) == "paused"
    assert display.clock_status(SlaClock(state="met", due_at=now, **base), now) == "met"
    assert display.present(over, now).remaining_text.startswith("overdue by")
    assert display.duration_text(3 * 86400 + 4 * 3600) == "3 d 4 h"
    assert display.duration_text(2 * 3600 + 5 * 60) == "2 h 5 min"


def test_request_page_shows_each_clock_with_status_policy_and_events(users):
    sr = make_request(actor=users["agent"])
    SlaClock.objects.filter(request=sr).delete()  # only the clocks written below
    policy = SlaPolicy.objects.create(name="Important problems")
    now = timezone.now()
    _clock(sr, "triage", minutes=60, started=now - dt.timedelta(minutes=50), policy=policy)
    _clock(sr, "first_contact", minutes=120, started=now - dt.timedelta(minutes=10))
    _clock(sr, "on_site", minutes=60, started=now - dt.timedelta(minutes=90), estimated=True)
    response = _client(users["dispatcher"]).get(reverse("servicedesk:detail", args=[sr.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="clocks"' in html
    assert 'data-clock="triage" data-status="at_risk"' in html
    assert 'data-clock="first_contact" data-status="on_track"' in html
    assert 'data-clock="on_site" data-status="breached"' in html
    assert "Important problems" in html and "severity important matched" in html
    assert "overdue by 30 min" in html
    assert "estimated" in html
    assert "1 event" in html
    assert "Contacted the customer" in html  # an open first-contact clock


def test_clock_events_show_actor_and_stop_and_escape_their_reasons(users):
    """The card's clock list is rendered in Python (`sla_clock_list`): it must escape what people typed."""
    sr = make_request(actor=users["agent"])
    SlaClock.objects.filter(request=sr).delete()
    now = timezone.now()
    clock = _clock(sr, "first_contact", minutes=120, started=now - dt.timedelta(minutes=40), state="met",
                   stopped=now - dt.timedelta(minutes=5))
    ClockEvent.objects.create(clock=clock, kind="stop", at=now - dt.timedelta(minutes=5),
                              reason="<script>alert(1)</script> called", actor=users["dispatcher"])
    html = _client(users["dispatcher"], "zh-hans").get(reverse("servicedesk:detail", args=[sr.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; called" in html
    assert "2 个事件" in html  # the plural through the catalogue, as the template's blocktranslate had it
    assert str(users["dispatcher"]) in html
    stopped = timezone.localtime(now - dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")
    assert f"{stopped}</time>" in html and 'data-status="met"' in html


def test_clocks_partial_is_scoped_and_in_chinese(users):
    sr = make_request(actor=users["agent"])
    _clock(sr, "triage", minutes=60)
    ok = _client(users["manager"], "zh-hans").get(reverse("sla:request_clocks", args=[sr.pk]))
    assert ok.status_code == 200
    stranger = make_user("engineer")  # no work order on this request
    assert _client(stranger).get(reverse("sla:request_clocks", args=[sr.pk])).status_code == 404


def test_progress_report_form_records_through_the_service(users, monkeypatch):
    from aftersales.sla import services

    sr = make_request(actor=users["agent"])
    sr.severity = "important"
    sr.save(update_fields=["severity"])
    calls = []

    def fake(*, request, actor, text, at=None):
        calls.append((request.pk, actor.username, text))

    monkeypatch.setattr(services, "progress_report_record", fake)
    client = _client(users["dispatcher"])
    page = client.get(reverse("servicedesk:detail", args=[sr.pk])).content.decode()
    assert "Record progress report" in page
    bad = client.post(reverse("sla:progress_report", args=[sr.pk]), {"text": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and not calls
    done = client.post(reverse("sla:progress_report", args=[sr.pk]), {"text": "<b>parts on the way</b>"})
    assert done.status_code == 302 and calls == [(sr.pk, "dispatcher", "<b>parts on the way</b>")]
    # an engineer without a work order on it cannot even see the request
    assert _client(make_user("engineer")).post(reverse("sla:progress_report", args=[sr.pk]),
                                               {"text": "x"}).status_code == 404


def test_record_contact_shows_a_refusal_as_a_message(users, monkeypatch):
    from aftersales.servicedesk import services as desk

    sr = make_request(actor=users["agent"])
    seen = []
    monkeypatch.setattr(desk, "request_record_contact", lambda *, actor, request, at=None: seen.append(request.pk),
                        raising=False)
    response = _client(users["agent"]).post(reverse("sla:record_contact", args=[sr.pk]))
    assert response.status_code == 302 and seen == [sr.pk]
    assert _client(users["engineer"]).post(reverse("sla:record_contact", args=[sr.pk])).status_code == 404


def test_at_risk_list_filters_and_sorts_breaches_soonest(users):
    now = timezone.now()
    soon = make_request(actor=users["agent"], summary="soon")
    later = make_request(actor=users["agent"], summary="later")
    calm = make_request(actor=users["agent"], summary="calm")
    late = make_request(actor=users["agent"], summary="late")
    for sr in (soon, later, calm, late):
        SlaClock.objects.filter(request=sr).delete()
    _clock(soon, "triage", minutes=60, started=now - dt.timedelta(minutes=55))  # 5 min left of 60: at risk
    _clock(later, "triage", minutes=60, started=now - dt.timedelta(minutes=46))  # 14 min left: at risk
    _clock(calm, "triage", minutes=60, started=now - dt.timedelta(minutes=5))  # on track
    _clock(late, "triage", minutes=60, started=now - dt.timedelta(minutes=70))  # breached
    client = _client(users["dispatcher"])
    html = client.get(reverse("sla:requests"), {"clock": "at_risk"}).content.decode()
    assert soon.number in html and later.number in html
    assert calm.number not in html and late.number not in html
    assert html.index(soon.number) < html.index(later.number)
    html = client.get(reverse("sla:requests"), {"clock": "breached"}).content.decode()
    assert late.number in html and soon.number not in html and "overdue by" in html
    from aftersales.servicedesk import selectors

    ordered = list(selectors.request_list(users["manager"], sort="breach").values_list("pk", flat=True))
    assert ordered[:3] == [late.pk, soon.pk, later.pk]


def test_board_cards_of_at_risk_work_are_marked(users):
    from aftersales.core.testing import make_assigned_work_order  # noqa: F401
    from aftersales.fieldservice import services as field
    from aftersales.servicedesk import services as desk

    now = timezone.now()
    sr = make_request(actor=users["agent"])
    desk.request_triage(actor=users["dispatcher"], request=sr, severity="urgent")
    field.work_order_create(actor=users["dispatcher"], request=sr)
    SlaClock.objects.filter(request=sr).delete()
    _clock(sr, "on_site", minutes=60, started=now - dt.timedelta(minutes=70))
    html = _client(users["dispatcher"]).get(reverse("fieldservice:board")).content.decode()
    assert 'data-sla="breached"' in html and "Breached" in html


def _finished(sr, kind, *, met, stopped):
    due = stopped + (dt.timedelta(minutes=5) if met else -dt.timedelta(minutes=5))
    return _clock(sr, kind, minutes=60, started=due - dt.timedelta(minutes=60), due=due,
                  state="met" if met else "breached", stopped=stopped)


def test_compliance_page_for_managers_and_leads_only(users, monkeypatch):
    from aftersales.sla import selectors

    def fake(user, *, start, end, group_by):
        return [{"month": dt.date(2026, 3, 1), "severity": "general", "total": 10, "met": 9, "breached": 1,
                 "percent_met": 90.0},
                {"month": dt.date(2026, 3, 1), "severity": "urgent", "total": 4, "met": 2, "breached": 2,
                 "percent_met": 50.0}]

    monkeypatch.setattr(selectors, "compliance", fake)
    params = {"start": "2026-01-01", "end": "2026-12-31", "group_by": ["month", "severity"]}
    for role in ("manager", "admin", "lead"):
        response = _client(users[role]).get(reverse("sla:compliance"), params)
        assert response.status_code == 200, role
    html = _client(users["manager"]).get(reverse("sla:compliance"), params).content.decode()
    assert "2026-03" in html and "50.0 %" in html and "⚠" in html
    assert "clock=breached" in html and "month=2026-03" in html and "severity=urgent" in html
    for role in ("agent", "dispatcher", "engineer"):
        assert _client(users[role]).get(reverse("sla:compliance"), params).status_code == 403, role
    csv = _client(users["manager"]).get(reverse("sla:compliance_csv"), params)
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "Month,Severity,Finished,Met,Breached,% met"
    assert "2026-03,Urgent,4,2,2,50.0" in body
    bad = _client(users["manager"]).get(reverse("sla:compliance"), {**params, "end": "2025-01-01"})
    assert bad.status_code == 400 and "before the start" in bad.content.decode()


def test_compliance_drill_down_lists_the_cells_requests(users):
    stopped = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    met = make_request(actor=users["agent"], summary="kept")
    broke = make_request(actor=users["agent"], summary="broken")
    for sr in (met, broke):
        SlaClock.objects.filter(request=sr).delete()
    _finished(met, "triage", met=True, stopped=stopped)
    _finished(broke, "triage", met=False, stopped=stopped)
    day = timezone.localtime(stopped).date()
    client = _client(users["manager"])
    url = reverse("sla:requests")
    html = client.get(url, {"clock": "breached", "kind": "triage", "start": day, "end": day}).content.decode()
    assert broke.number in html and met.number not in html
    html = client.get(url, {"clock": "finished", "month": f"{day:%Y-%m}"}).content.decode()
    assert broke.number in html and met.number in html
    html = client.get(url, {"clock": "met", "kind": "on_site"}).content.decode()
    assert met.number not in html
