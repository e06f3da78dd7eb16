"""SLA clocks through the services: policy matching, clocks started by the service loop, stops, pauses, recompute,
progress reports, escalation checks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersales.core.testing import make_request, make_site, make_user, region_city
from aftersales.sla import selectors
from aftersales.sla import services as sla
from aftersales.sla.choices import ClockEventKind, ClockState
from aftersales.sla.models import EscalationStep, SlaClock, SlaPolicy, SlaTarget

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday, an ordinary working day


@pytest.fixture
def centre(db):
    from aftersales.accounts.models import ServiceCenter

    return ServiceCenter.objects.create(code="wh", name="Wuhan centre", city=region_city())


def clocks(request) -> dict[tuple[str, int], SlaClock]:
    return {(c.kind, c.sequence): c for c in SlaClock.objects.filter(request=request)}


def new_policy(name: str, targets: list[dict], ladder: bool = True, **criteria) -> SlaPolicy:
    policy = SlaPolicy.objects.create(name=name, **criteria)
    for t in targets:
        target = SlaTarget.objects.create(policy=policy, **t)
        if ladder:
            EscalationStep.objects.bulk_create([
                EscalationStep(target=target, trigger="percent", value=75, recipient="assignee"),
                EscalationStep(target=target, trigger="after_breach", value=0, recipient="lead"),
                EscalationStep(target=target, trigger="after_breach", value=30, recipient="manager"),
            ])
    return policy


# -- the seeds' policies ------------------------------------------------------------------------------------------

def test_seed_policies_installed_by_migration(db):
    names = set(SlaPolicy.objects.values_list("name", flat=True))
    assert len(names) >= 9
    from aftersales.sla.defaults import install_default_policies

    assert install_default_policies() == 0  # idempotent


def test_general_repair_same_city_flow(users, centre):
    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
    c = clocks(request)
    assert set(c) == {("triage", 1), ("first_contact", 1)}
    assert c["triage", 1].due_at == T0 + dt.timedelta(hours=1)
    assert c["first_contact", 1].due_at == T0 + dt.timedelta(hours=2)
    assert c["triage", 1].next_check_at == T0 + dt.timedelta(minutes=45)  # 75 % warning first
    assert "Baseline" in c["triage", 1].explanation

    from aftersales.servicedesk import services as desk

    with time_machine.travel(T0 + dt.timedelta(minutes=40), tick=False):
        desk.request_triage(actor=users["dispatcher"], request=request, severity="general")
    c = clocks(request)
    assert c["triage", 1].state == ClockState.MET
    assert c["triage", 1].next_check_at is None
    on_site = c["on_site", 1]
    assert on_site.started_at == T0  # the promise runs from the customer's report
    assert on_site.due_at == T0 + dt.timedelta(hours=6)
    assert "same city" in on_site.explanation.lower() or "Same city" in on_site.explanation
    assert c["first_contact", 1].policy_id == on_site.policy_id


def test_region_classes(users, centre):
    hubei_other = region_city("420200", "黄石市")
    other_province = region_city("110100", "北京市", "110000", "北京市")
    for city, expected in [(region_city(), "same_city"), (hubei_other, "same_province"),
                           (other_province, "other_province")]:
        site = make_site(city=city)
        request = make_request(actor=users["agent"], customer=site.customer, site=site, equipment=None)
        assert sla.region_class(request) == expected


def test_most_specific_policy_wins_ties_lowest_id(users, centre):
    SlaPolicy.objects.update(is_active=False)
    a = new_policy("A", [{"clock": "triage", "minutes": 10}], severity="")
    b = new_policy("B", [{"clock": "triage", "minutes": 20}], request_type="repair")
    c = new_policy("C", [{"clock": "triage", "minutes": 30}], region_class="same_city")
    request = make_request(actor=users["agent"])
    policy, why = sla.policy_for(request)
    assert policy == b and b.pk < c.pk  # B and C both have one criterion; B has the lower id
    assert "request type" in why
    d = new_policy("D", [{"clock": "triage", "minutes": 40}], request_type="repair", region_class="same_city")
    assert sla.policy_for(request)[0] == d
    new_policy("E", [{"clock": "triage", "minutes": 40}], request_type="repair", customer=request.customer,
               region_class="other_province")
    assert sla.policy_for(request)[0] == d  # E's region does not match
    assert a.pk


def test_no_policy_no_clocks(users, centre):
    SlaPolicy.objects.update(is_active=False)
    request = make_request(actor=users["agent"])
    assert not SlaClock.objects.filter(request=request).exists()
    assert sla.policy_for(request)[0] is None


# -- recompute, met/breached, reopen ------------------------------------------------------------------------------

def test_severity_change_recomputes_with_reason(users, centre):
    from aftersales.servicedesk import services as desk

    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        desk.request_triage(actor=users["dispatcher"], request=request, severity="general")
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        desk.request_triage(actor=users["dispatcher"], request=request, severity="urgent", reason="gas leak")
    c = clocks(request)
    on_site = c["on_site", 1]
    assert on_site.minutes == 60
    assert on_site.due_at == T0 + dt.timedelta(hours=1)  # same start, new target
    recompute = on_site.events.get(kind=ClockEventKind.RECOMPUTE)
    assert recompute.reason == "gas leak"
    assert recompute.actor == users["dispatcher"]
    with time_machine.travel(T0 + dt.timedelta(minutes=50), tick=False):
        desk.request_triage(actor=users["dispatcher"], request=request, severity="important")
    c = clocks(request)
    assert c["on_site", 1].minutes == 24 * 60
    progress = c["progress_report", 1]
    assert progress.started_at == T0 + dt.timedelta(minutes=50)  # added by a re-triage: runs from the change
    assert progress.due_at == T0 + dt.timedelta(minutes=170)


def test_met_and_breached_from_event_times(users, centre):
    from aftersales.fieldservice import services as field
    from aftersales.servicedesk import services as desk

    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
        desk.request_triage(actor=users["dispatcher"], request=request, severity="urgent")
        wo = field.work_order_create(actor=users["dispatcher"], request=request)
        field.work_order_assign(actor=users["dispatcher"], work_order=wo, engineer=users["engineer"])
        field.work_order_accept(actor=users["engineer"], work_order=wo)
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        # Recorded later, but the arrival time is the evidence.
        field.visit_arrive(actor=users["engineer"], work_order=wo, at=T0 + dt.timedelta(minutes=55))
    c = clocks(request)
    assert c["on_site", 1].state == ClockState.MET
    assert c["on_site", 1].stopped_at == T0 + dt.timedelta(minutes=55)
    assert c["first_contact", 1].state == ClockState.MET  # an arrival is a contact too

    with time_machine.travel(T0, tick=False):
        late = make_request(actor=users["agent"])
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        desk.request_record_contact(actor=users["agent"], request=late)
    c = clocks(late)
    assert c["first_contact", 1].state == ClockState.BREACHED
    assert c["first_contact", 1].stopped_at == T0 + dt.timedelta(hours=3)


def resolution_policy(**target) -> SlaPolicy:
    SlaPolicy.objects.update(is_active=False)
    return new_policy("Resolution", [{"clock": "resolution", "minutes": 8 * 60, "pauses_while_waiting": True,
                                      **target}, {"clock": "triage", "minutes": 60}])


def test_wait_pauses_resume_resumes_and_reopen_resumes(users, centre):
    from aftersales.servicedesk import services as desk

    resolution_policy()
    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
        desk.request_triage(actor=users["dispatcher"], request=request, severity="general")
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        desk.request_wait(actor=users["agent"], request=request, reason="parts approval")
    c = clocks(request)
    assert c["resolution", 1].state == ClockState.PAUSED
    assert c["resolution", 1].due_at is None and c["resolution", 1].next_check_at is None
    view = selectors.clock_view(c["resolution", 1], T0 + dt.timedelta(hours=5))
    assert view.colour == "paused" and view.time_left == dt.timedelta(hours=7)
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        desk.request_resume(actor=users["agent"], request=request)
    c = clocks(request)
    assert c["resolution", 1].state == ClockState.RUNNING
    assert c["resolution", 1].due_at == T0 + dt.timedelta(hours=10)
    assert c["resolution", 1].paused_seconds == 2 * 3600
    with time_machine.travel(T0 + dt.timedelta(hours=4), tick=False):
        desk.request_resolve(actor=users["agent"], request=request, resolution="fixed")
    c = clocks(request)
    assert c["resolution", 1].state == ClockState.MET
    with time_machine.travel(T0 + dt.timedelta(hours=6), tick=False):
        desk.request_reopen(actor=users["agent"], request=request, reason="came back")
    c = clocks(request)
    res = c["resolution", 1]
    assert res.state == ClockState.RUNNING and res.stopped_at is None
    assert res.due_at == T0 + dt.timedelta(hours=12)  # the 2 h between resolution and reopening do not count


def test_stop_while_waiting_is_met(users, centre):
    from aftersales.servicedesk import services as desk

    resolution_policy()
    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
        desk.request_triage(actor=users["dispatcher"], request=request, severity="general")
        desk.request_wait(actor=users["agent"], request=request, reason="access")
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        desk.request_resolve(actor=users["agent"], request=request, resolution="customer fixed it")
    assert clocks(request)["resolution", 1].state == ClockState.MET


def test_cancel_cancels_clocks(users, centre):
    from aftersales.servicedesk import services as desk

    request = make_request(actor=users["agent"])
    desk.request_cancel(actor=users["agent"], request=request, reason="duplicate")
    assert {c.state for c in clocks(request).values()} == {ClockState.CANCELLED}
    assert all(c.next_check_at is None for c in clocks(request).values())


# -- progress reports, callbacks, complaints ----------------------------------------------------------------------

def test_progress_report_recurrence(users, centre):
    from aftersales.servicedesk import services as desk

    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
        desk.request_triage(actor=users["dispatcher"], request=request, severity="important")
    assert clocks(request)["progress_report", 1].due_at == T0 + dt.timedelta(hours=2)
    with time_machine.travel(T0 + dt.timedelta(minutes=100), tick=False):
        sla.progress_report_record(request=request, actor=users["dispatcher"], text="waiting for the compressor")
    c = clocks(request)
    assert c["progress_report", 1].state == ClockState.MET
    assert c["progress_report", 2].due_at == T0 + dt.timedelta(minutes=220)
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        sla.progress_report_record(request=request, actor=users["dispatcher"], text="late report")
    c = clocks(request)
    assert c["progress_report", 2].state == ClockState.BREACHED  # a missed report is a breach of that clock
    assert c["progress_report", 3].state == ClockState.RUNNING
    with time_machine.travel(T0 + dt.timedelta(hours=6), tick=False):
        desk.request_resolve(actor=users["agent"], request=request, resolution="fixed")
    c = clocks(request)
    assert c["progress_report", 3].state == ClockState.CANCELLED
    assert c["callback", 1].due_at == T0 + dt.timedelta(hours=30)


def test_progress_report_refused_without_text_or_on_closed(users, centre):
    from aftersales.core.errors import DomainError

    request = make_request(actor=users["agent"])
    with pytest.raises(DomainError):
        sla.progress_report_record(request=request, actor=users["agent"], text="  ")
    with pytest.raises(DomainError):
        sla.progress_report_record(request=request, actor=users["engineer"], text="x")


def test_callback_and_complaint_clocks(users, centre, settings):
    from aftersales.feedback import services as fb
    from aftersales.feedback.models import Callback
    from aftersales.servicedesk import services as desk

    settings.AFTERSALES_LOW_SATISFACTION_ACTION = "complaint"
    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
        desk.request_triage(actor=users["dispatcher"], request=request, severity="general")
        desk.request_resolve(actor=users["agent"], request=request, resolution="fixed")
    callback = Callback.objects.get(request=request)
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        fb.callback_record(actor=users["agent"], callback=callback, result="reached", satisfaction=1,
                           comment="rude engineer")
    c = clocks(request)
    assert c["callback", 1].state == ClockState.MET
    answer = c["complaint_answer", 1]
    assert answer.minutes == 240 and answer.due_at == T0 + dt.timedelta(hours=9)
    complaint = request.complaints.get()
    with time_machine.travel(T0 + dt.timedelta(hours=6), tick=False):
        fb.complaint_transition(actor=users["manager"], complaint=complaint, action="answer", answer="sorry")
    assert clocks(request)["complaint_answer", 1].state == ClockState.MET

    # A complaint not found in a callback: the complaint policy, 5 working days.
    with time_machine.travel(T0, tick=False):
        other = make_request(actor=users["agent"])
        fb.complaint_open(actor=users["manager"], customer=other.customer, request=other, description="slow")
    answer = clocks(other)["complaint_answer", 1]
    assert answer.basis == "working" and answer.minutes == 5 * 8 * 60
    assert answer.due_at == T0 + dt.timedelta(days=7)  # Mon 09:00 + 5 working days = next Mon 09:00


# -- the sweep's check --------------------------------------------------------------------------------------------

def test_clock_check_fires_in_order_once(users, centre):
    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
    triage = clocks(request)["triage", 1]
    assert sla.clock_check(clock=triage, now=T0 + dt.timedelta(minutes=10)) == []
    later = T0 + dt.timedelta(hours=3)  # the worker was down: every missed step fires once, in order
    steps = sla.clock_check(clock=triage, now=later)
    assert [s["recipient_kind"] for s in steps] == ["assignee", "lead", "manager"]
    assert [s["at"] for s in steps] == sorted(s["at"] for s in steps)
    assert steps[0]["clock_id"] == triage.pk and steps[0]["key"] == "percent:75:assignee"
    triage.refresh_from_db()
    assert triage.state == ClockState.BREACHED
    assert triage.next_check_at is None
    assert sla.clock_check(clock=triage, now=later) == []
    fresh = SlaClock.objects.get(pk=triage.pk)
    assert sla.clock_check(clock=fresh, now=later) == []


def test_clock_check_steps_one_by_one(users, centre):
    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
    contact = clocks(request)["first_contact", 1]
    assert [s["recipient_kind"] for s in sla.clock_check(clock=contact, now=T0 + dt.timedelta(minutes=95))] == [
        "assignee"]
    assert contact.next_check_at == T0 + dt.timedelta(hours=2)
    assert [s["recipient_kind"] for s in sla.clock_check(clock=contact, now=T0 + dt.timedelta(hours=2))] == [
        "lead"]
    assert contact.state == ClockState.BREACHED
    assert contact.next_check_at == T0 + dt.timedelta(minutes=150)
    assert sla.clock_check(clock=contact, now=T0 + dt.timedelta(minutes=149)) == []


def test_recompute_does_not_refire_done_steps(users, centre):
    from aftersales.servicedesk import services as desk

    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"])
        desk.request_triage(actor=users["dispatcher"], request=request, severity="general")
    on_site = clocks(request)["on_site", 1]
    assert [s["key"] for s in sla.clock_check(clock=on_site, now=T0 + dt.timedelta(hours=5))] == [
        "percent:75:assignee"]
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        desk.request_triage(actor=users["dispatcher"], request=request, severity="important")
    on_site = clocks(request)["on_site", 1]
    assert on_site.escalations_done == ["percent:75:assignee"]
    # The 75 % warning was given already (under the old target): the next check is the new deadline.
    assert on_site.next_check_at == T0 + dt.timedelta(hours=24)


def test_breach_soonest_and_clock_views(users, centre):
    from aftersales.servicedesk.models import ServiceRequest

    with time_machine.travel(T0, tick=False):
        first = make_request(actor=users["agent"])
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        second = make_request(actor=users["agent"])
    qs = selectors.with_breach_soonest(ServiceRequest.objects.filter(pk__in=[first.pk, second.pk]))
    keys = {r.pk: r.breach_soonest_key for r in qs}
    assert keys[first.pk] == T0 + dt.timedelta(hours=1)
    with time_machine.travel(T0 + dt.timedelta(minutes=50), tick=False):
        views = {v.clock.kind: v for v in selectors.clocks_for_request(users["manager"], first)}
    assert views["triage"].colour == "at_risk"
    assert views["first_contact"].colour == "on_track"
    assert views["triage"].time_left == dt.timedelta(minutes=10)
    outsider = make_user("lead", region=region_city("110100", "北京市", "110000", "北京市").province)
    assert selectors.clocks_for_request(outsider, first) == []


def test_compliance_report(users, centre):
    from aftersales.servicedesk import services as desk

    with time_machine.travel(T0, tick=False):
        a = make_request(actor=users["agent"])
        b = make_request(actor=users["agent"])
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        desk.request_triage(actor=users["dispatcher"], request=a, severity="general")
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        desk.request_triage(actor=users["dispatcher"], request=b, severity="urgent")
    rows = selectors.compliance(users["manager"], start=T0 - dt.timedelta(days=1), end=T0 + dt.timedelta(days=1),
                                group_by=("month", "severity", "clock"))
    by = {(r["severity"], r["clock"]): r for r in rows}
    assert by["general", "triage"]["met"] == 1 and by["general", "triage"]["percent_met"] == 100.0
    assert by["urgent", "triage"]["breached"] == 1
    assert rows[0]["month"].month == 3
    total = selectors.compliance(users["manager"], start=T0 - dt.timedelta(days=1), end=T0 + dt.timedelta(days=1),
                                 group_by=())
    assert total[0]["total"] == 2 and total[0]["percent_met"] == 50.0
    lead_elsewhere = make_user("lead", region=region_city("110100", "北京市", "110000", "北京市").province)
    assert selectors.compliance(lead_elsewhere, start=T0 - dt.timedelta(days=1), end=T0 + dt.timedelta(days=1),
                                group_by=("region", "engineer", "type")) == []


def test_request_create_query_count(users, centre, django_assert_max_num_queries):
    from aftersales.core.testing import make_equipment

    equipment = make_equipment()
    make_request(actor=users["agent"], equipment=equipment)  # warm caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        make_request(actor=users["agent"], equipment=equipment)
    clock_queries = [q for q in ctx.captured_queries if "sla_" in q["sql"] or "service_center" in q["sql"]]
    # policies, the winner's targets, their escalations, the serving centre, one clock insert, one event insert
    assert len(clock_queries) <= 7, [q["sql"][:80] for q in clock_queries]


def test_site_change_recomputes_the_on_site_target_with_reason(users, centre):
    """Moving the request to a site in another province changes its region class: 6 h becomes 24 h on site."""
    from aftersales.servicedesk import services as desk

    wuhan_site = make_site(city=region_city())
    beijing_site = make_site(customer=wuhan_site.customer, city=region_city("110100", "北京市", "110000", "北京市"))
    with time_machine.travel(T0, tick=False):
        request = make_request(actor=users["agent"], customer=wuhan_site.customer, site=wuhan_site, equipment=None)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        desk.request_triage(actor=users["dispatcher"], request=request, severity="general")
    before = clocks(request)["on_site", 1]
    assert before.minutes == 6 * 60
    with time_machine.travel(T0 + dt.timedelta(minutes=20), tick=False):
        desk.request_update(actor=users["agent"], request=request, values={"site": beijing_site})
    after = SlaClock.objects.filter(request=request, kind="on_site").exclude(state=ClockState.CANCELLED).get()
    assert after.minutes == 24 * 60
    assert after.pk == before.pk  # the same clock, recomputed from its own start …
    assert after.due_at == T0 + dt.timedelta(hours=24)
    assert after.events.filter(kind=ClockEventKind.RECOMPUTE, reason="Site changed.").exists()  # … with a reason
    assert after.province_id == beijing_site.province_id  # the report keys follow the request
