"""Regression tests for the clock mistakes other systems shipped (issue 3): a 24/7 calendar losing a minute at every
midnight, time on hold counted in wall-clock time, pause time lost when the policy changes mid-pause, a request
created already waiting on the customer, a site in a time zone with daylight saving."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersales.core.testing import make_request, region_city
from aftersales.sla import services as sla
from aftersales.sla.choices import ClockEventKind, ClockState
from aftersales.sla.models import ClockEvent, SlaClock, SlaPolicy, SlaTarget, WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def centre(db):
    from aftersales.accounts.models import ServiceCenter

    return ServiceCenter.objects.create(code="wh", name="Wuhan centre", city=region_city())


def office() -> WorkCalendar:
    return WorkCalendar.objects.get(is_default=True)


def always() -> WorkCalendar:
    return WorkCalendar.objects.get(name="全天候 / 24/7")


def clock(minutes: int, start: dt.datetime, basis: str = "working", calendar: WorkCalendar | None = None,
          kind: str = "resolution") -> SlaClock:
    """An unsaved clock for the arithmetic (events passed explicitly)."""
    return SlaClock(kind=kind, minutes=minutes, basis=basis, calendar=calendar, started_at=start)


def ev(kind: str, at: dt.datetime) -> ClockEvent:
    return ClockEvent(kind=kind, at=at)


def test_24_7_calendar_loses_no_minute_at_midnight(db):
    start = dt.datetime(2026, 3, 2, 23, 30, tzinfo=SH)
    c = clock(3 * 24 * 60, start, calendar=always())
    due, estimated = sla.deadline(c, events=[ev("start", start)])
    assert due == start + dt.timedelta(days=3)
    assert not estimated
    c = clock(61, start, calendar=always())
    assert sla.deadline(c, events=[ev("start", start)])[0] == start + dt.timedelta(minutes=61)


def test_weekend_on_hold_adds_no_working_time(db):
    # Fri 16:00, 8 working hours; on hold Fri 17:00 → Mon 09:00 (only 1.5 working hours of the hold count).
    start = dt.datetime(2026, 3, 6, 16, 0, tzinfo=SH)
    c = clock(8 * 60, start, calendar=office())
    plain = sla.deadline(c, events=[ev("start", start)])[0]
    assert plain == dt.datetime(2026, 3, 9, 16, 0, tzinfo=SH)
    held = [ev("start", start), ev("pause", dt.datetime(2026, 3, 6, 17, 0, tzinfo=SH)),
            ev("resume", dt.datetime(2026, 3, 9, 9, 0, tzinfo=SH))]
    assert sla.deadline(c, events=held)[0] == dt.datetime(2026, 3, 9, 17, 30, tzinfo=SH)
    assert sla.time_used(c, dt.datetime(2026, 3, 9, 10, 0, tzinfo=SH), events=held) == dt.timedelta(hours=2)


def test_hold_after_the_deadline_does_not_move_it(db):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
    c = clock(60, start, basis="calendar")
    events = [ev("start", start), ev("pause", start + dt.timedelta(hours=2)),
              ev("resume", start + dt.timedelta(hours=5))]
    assert sla.deadline(c, events=events)[0] == start + dt.timedelta(hours=1)


def test_pause_kept_when_the_policy_changes_mid_pause(users, centre):
    from aftersales.servicedesk import services as desk

    SlaPolicy.objects.update(is_active=False)
    general = SlaPolicy.objects.create(name="general", severity="general")
    SlaTarget.objects.create(policy=general, clock="resolution", minutes=8 * 60, pauses_while_waiting=True)
    urgent = SlaPolicy.objects.create(name="urgent", severity="urgent")
    SlaTarget.objects.create(policy=urgent, clock="resolution", minutes=4 * 60, pauses_while_waiting=True)
    base = SlaPolicy.objects.create(name="base")
    SlaTarget.objects.create(policy=base, clock="resolution", minutes=8 * 60, pauses_while_waiting=True)
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
    with time_machine.travel(t0, tick=False):
        request = make_request(actor=users["agent"])
        desk.request_triage(actor=users["dispatcher"], request=request, severity="general")
    with time_machine.travel(t0 + dt.timedelta(hours=1), tick=False):
        desk.request_wait(actor=users["agent"], request=request, reason="customer away")
    with time_machine.travel(t0 + dt.timedelta(hours=2), tick=False):
        desk.request_triage(actor=users["dispatcher"], request=request, severity="urgent", reason="escalated")
    res = SlaClock.objects.get(request=request, kind="resolution")
    assert res.state == ClockState.PAUSED and res.minutes == 240  # still paused under the new policy
    with time_machine.travel(t0 + dt.timedelta(hours=4), tick=False):
        desk.request_resume(actor=users["agent"], request=request)
    res.refresh_from_db()
    assert res.due_at == t0 + dt.timedelta(hours=7)  # 4 h target + 3 h on hold
    assert res.paused_seconds == 3 * 3600
    kinds = list(res.events.values_list("kind", flat=True))
    assert kinds == ["start", "recompute", "pause", "recompute", "resume"]  # triaged, waited, escalated, resumed


def test_request_created_already_waiting_starts_paused(users, centre):
    from aftersales.servicedesk.models import ServiceRequest

    SlaPolicy.objects.update(is_active=False)
    base = SlaPolicy.objects.create(name="base")
    SlaTarget.objects.create(policy=base, clock="resolution", minutes=8 * 60, pauses_while_waiting=True)
    SlaTarget.objects.create(policy=base, clock="triage", minutes=60)
    request = make_request(actor=users["agent"])
    SlaClock.objects.filter(request=request).delete()  # as if imported from another system, waiting
    ServiceRequest.objects.filter(pk=request.pk).update(state="waiting_customer")
    request.refresh_from_db()
    made = {c.kind: c for c in sla.clocks_for_request_created(request=request, actor=users["agent"])}
    assert made["resolution"].state == ClockState.PAUSED
    assert made["resolution"].due_at is None and made["resolution"].next_check_at is None
    assert made["triage"].state == ClockState.RUNNING
    assert list(made["resolution"].events.values_list("kind", flat=True)) == [
        ClockEventKind.START, ClockEventKind.PAUSE]


def test_site_in_a_daylight_saving_zone(db):
    berlin_office = WorkCalendar.objects.create(
        name="Berlin office", time_zone="Europe/Berlin",
        hours={str(d): ([["09:00", "17:00"]] if d < 5 else []) for d in range(7)}, official_years=[])
    # Fri 27 Mar 2026 16:00 CET + 2 working hours → Mon 30 Mar 10:00 CEST (clocks went forward on Sunday).
    start = dt.datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)
    c = clock(120, start, calendar=berlin_office)
    due = sla.deadline(c, events=[ev("start", start)])[0]
    assert due == dt.datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)
    assert due.utcoffset() == dt.timedelta(0)  # stored in UTC
    assert due == dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.UTC)
    # A 24/7 Berlin calendar over the short night: 24 h of elapsed time end at 13:00 local the next day.
    always_berlin = WorkCalendar.objects.create(
        name="Berlin 24/7", time_zone="Europe/Berlin",
        hours={str(d): [["00:00", "24:00"]] for d in range(7)}, official_years=[])
    start = dt.datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    c = clock(24 * 60, start, calendar=always_berlin)
    assert sla.deadline(c, events=[ev("start", start)])[0] == dt.datetime(2026, 3, 29, 13, 0, tzinfo=BERLIN)


def test_deadline_into_a_year_without_official_data_is_estimated(db):
    start = dt.datetime(2026, 12, 30, 9, 0, tzinfo=SH)
    c = clock(5 * 8 * 60, start, calendar=office())
    due, estimated = sla.deadline(c, events=[ev("start", start)])
    assert estimated
    assert due.date() > dt.date(2027, 1, 1)


def test_new_clocks_and_events_carry_the_ids_the_database_gave_them(users, centre):
    """PostgreSQL inserts a new request's clocks and events in one statement and hands the ids back by content;
    two events of one clock at the same instant (start and pause of a request created waiting) must still get one
    id each, and every object must be the row it says it is."""
    from aftersales.servicedesk.models import ServiceRequest
    from aftersales.sla.models import ClockEvent

    SlaPolicy.objects.update(is_active=False)
    base = SlaPolicy.objects.create(name="base")
    SlaTarget.objects.create(policy=base, clock="resolution", minutes=8 * 60, pauses_while_waiting=True)
    SlaTarget.objects.create(policy=base, clock="triage", minutes=60)
    SlaTarget.objects.create(policy=base, clock="first_contact", minutes=30, pauses_while_waiting=True)
    request = make_request(actor=users["agent"])
    SlaClock.objects.filter(request=request).delete()
    ServiceRequest.objects.filter(pk=request.pk).update(state="waiting_customer")
    request.refresh_from_db()
    # A start time in Shanghai's zone, as a caller may pass it: the ids still find their rows (stored in UTC).
    at = request.created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    made = sla.clocks_for_request_created(request=request, actor=users["agent"], at=at)
    assert len(made) >= 2
    stored = {c.pk: c for c in SlaClock.objects.filter(request=request)}
    assert sorted(stored) == sorted(c.pk for c in made)
    for clock in made:
        assert not clock._state.adding
        row = stored[clock.pk]
        assert (row.kind, row.sequence, row.state, row.due_at, row.minutes) == (
            clock.kind, clock.sequence, clock.state, clock.due_at, clock.minutes)
        events = list(clock.events.order_by("pk"))
        assert events, clock.kind
        for event in events:
            assert event.actor_id == users["agent"].pk
    paused = [c for c in made if c.state == ClockState.PAUSED]
    assert len(paused) == 2, [(c.kind, c.state) for c in made]
    kinds = list(ClockEvent.objects.filter(clock=paused[0]).order_by("pk").values_list("kind", "at"))
    assert [k for k, _at in kinds] == [ClockEventKind.START, ClockEventKind.PAUSE]
    assert kinds[0][1] == kinds[1][1]  # the same instant: told apart by kind
    # The in-memory events the insert was given now carry the database's ids, none twice.
    given = ClockEvent.objects.filter(clock__request=request)
    assert given.count() == sum(c.events.count() for c in made)
