"""The sweep turns due escalations into messages exactly once, in order, at a cost that follows what is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.notifications.models import Notification, OutboxMessage
from aftersales.notifications.services import deliver_pending
from aftersales.sla import sweep as sweep_module
from aftersales.sla.models import SlaClock
from aftersales.sla.sweep import recipients_for, run_sweep, sweep
from aftersales.sla.tests.sweep_scenario import LADDER, expected_keys, make_people, make_policy, make_requests

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # Mon 09:00 in Shanghai


@pytest.fixture
def world():
    make_policy()
    people = make_people()
    requests = make_requests(2, created_at=T0)
    clocks = list(SlaClock.objects.filter(request__in=requests).order_by("id"))
    assert {c.kind for c in clocks} == {"triage", "first_contact"}
    return people, requests, clocks


def _keys() -> set[str]:
    return set(OutboxMessage.objects.filter(channel="inbox").values_list("key", flat=True))


def test_nothing_is_due_before_the_first_threshold(world):
    assert sweep(now=T0 + dt.timedelta(minutes=44)) == 0
    assert OutboxMessage.objects.count() == 0


def test_the_warning_goes_to_the_assignee_once(world):
    people, requests, clocks = world
    triage = [c for c in clocks if c.kind == "triage"]
    assert sweep(now=T0 + dt.timedelta(minutes=45)) == 2  # 75 % of 60 min
    # Nobody is assigned yet: the dispatchers are told instead.
    assert _keys() == {f"{c.pk}:percent:75:assignee:{people['dispatcher'].pk}:inbox" for c in triage}
    assert sweep(now=T0 + dt.timedelta(minutes=45)) == 0
    assert len(_keys()) == 2


def test_three_hours_without_a_worker_every_missed_escalation_fires_once_in_order(world):
    people, requests, clocks = world
    later = T0 + dt.timedelta(hours=3)
    result = run_sweep(now=later)
    assert result.escalations == len(clocks) * len(LADDER)
    assert _keys() == expected_keys([c.pk for c in clocks], people)
    # Nothing twice: again at the same time, and a minute later.
    assert run_sweep(now=later).messages == 0
    assert run_sweep(now=later + dt.timedelta(minutes=1)).messages == 0
    assert deliver_pending() == len(clocks) * len(LADDER)
    assert deliver_pending() == 0
    # In order: the inbox messages were created in the order their thresholds fell due.
    instants = {"percent:75": {"triage": 45, "first_contact": 90}, "after_breach:0": {"triage": 60, "first_contact": 120},
                "after_breach:30": {"triage": 90, "first_contact": 150}}
    kind_of = {c.pk: c.kind for c in clocks}
    order = []
    for note in Notification.objects.select_related("outbox").order_by("id"):
        clock_id, trigger, value, *_ = note.outbox.key.split(":")
        order.append(instants[f"{trigger}:{value}"][kind_of[int(clock_id)]])
    assert order == sorted(order)
    for clock in SlaClock.objects.filter(pk__in=[c.pk for c in clocks]):
        assert clock.state == "breached" and clock.next_check_at is None


def test_a_sweep_every_minute_sends_the_same_messages_as_one_late_sweep(world):
    people, requests, clocks = world
    t = T0
    while t <= T0 + dt.timedelta(hours=3):
        sweep(now=t)
        t += dt.timedelta(minutes=1)
    assert _keys() == expected_keys([c.pk for c in clocks], people)


def test_recipients_follow_the_request(world):
    from aftersales.core.testing import make_assigned_work_order, make_user

    people, requests, clocks = world
    request = requests[0]
    assert recipients_for(request, "lead") == [people["lead"]]
    assert recipients_for(request, "manager") == [people["manager"]]
    assert recipients_for(request, "dispatcher") == [people["dispatcher"]]
    assert recipients_for(request, "assignee") == [people["dispatcher"]]  # nobody assigned yet
    from aftersales.servicedesk.services import request_triage

    triaged = request_triage(actor=people["dispatcher"], request=requests[1], severity="general")
    make_assigned_work_order(engineer=people["engineer"], request=triaged)
    assert recipients_for(requests[1], "assignee") == [people["engineer"]]
    # Inactive people are not told; a province without a lead escalates to the managers.
    people["lead"].is_active = False
    people["lead"].save()
    assert recipients_for(request, "lead") == [people["manager"]]
    make_user("manager", is_active=False)
    assert recipients_for(request, "manager") == [people["manager"]]


def test_email_goes_out_too_when_the_person_has_an_address(world):
    from django.core import mail

    people, requests, clocks = world
    people["lead"].email = "lead@example.com"
    people["lead"].language = "en"  # messages are written in the recipient's language
    people["lead"].save()
    sweep(now=T0 + dt.timedelta(minutes=61))
    assert OutboxMessage.objects.filter(channel="email", recipient=people["lead"]).count() == 2  # 2 triage clocks
    deliver_pending()
    assert len(mail.outbox) == 2 and "deadline missed" in mail.outbox[0].subject.lower()


def test_only_due_clocks_are_read_and_the_limit_holds(world, monkeypatch):
    people, requests, clocks = world
    seen: list[int] = []
    real = sweep_module._clock_check

    def spy(*, clock, now):
        seen.append(clock.pk)
        return real(clock=clock, now=now)

    monkeypatch.setattr(sweep_module, "_clock_check", spy)
    assert sweep(now=T0 + dt.timedelta(minutes=45), limit=1) == 1
    assert len(seen) == 1
    assert sweep(now=T0 + dt.timedelta(minutes=45)) == 1
    # First-contact clocks (first threshold at 90 min) were never read.
    assert {c.kind for c in SlaClock.objects.filter(pk__in=seen)} == {"triage"}


def test_a_clock_whose_check_fails_is_skipped_and_retried_next_time(world, monkeypatch):
    people, requests, clocks = world
    bad = clocks[0]
    real = sweep_module._clock_check

    def flaky(*, clock, now):
        if clock.pk == bad.pk:
            raise RuntimeError("boom")
        return real(clock=clock, now=now)

    monkeypatch.setattr(sweep_module, "_clock_check", flaky)
    result = run_sweep(now=T0 + dt.timedelta(hours=3))
    assert result.failed == 1 and not any(k.startswith(f"{bad.pk}:") for k in _keys())
    monkeypatch.setattr(sweep_module, "_clock_check", real)
    run_sweep(now=T0 + dt.timedelta(hours=3))
    assert _keys() == expected_keys([c.pk for c in clocks], people)


def test_a_step_reported_twice_still_sends_one_message(world, monkeypatch):
    """Even a clock check that forgot what it had reported cannot send twice: the outbox key is unique."""
    people, requests, clocks = world
    real = sweep_module._clock_check
    memo: dict[int, list] = {}

    def forgetful(*, clock, now):
        memo.setdefault(clock.pk, []).extend(real(clock=clock, now=now))
        SlaClock.objects.filter(pk=clock.pk).update(next_check_at=now)
        return list(memo[clock.pk])

    monkeypatch.setattr(sweep_module, "_clock_check", forgetful)
    sweep(now=T0 + dt.timedelta(hours=3))
    sweep(now=T0 + dt.timedelta(hours=3))
    assert _keys() == expected_keys([c.pk for c in clocks], people)
    assert OutboxMessage.objects.count() == len(expected_keys([c.pk for c in clocks], people))


def test_a_crash_while_queueing_rolls_the_clock_back_so_nothing_is_lost(world, monkeypatch):
    people, requests, clocks = world

    def crash(drafts):
        raise RuntimeError("worker died")

    monkeypatch.setattr(sweep_module.notifications, "enqueue", crash)
    with pytest.raises(RuntimeError):
        sweep(now=T0 + dt.timedelta(hours=3))
    assert all(not c.escalations_done for c in SlaClock.objects.all())
    monkeypatch.undo()
    sweep(now=T0 + dt.timedelta(hours=3))
    assert _keys() == expected_keys([c.pk for c in clocks], people)


def test_the_task_sweeps_and_delivers(world, monkeypatch):
    from aftersales.sla.tasks import sla_sweep

    monkeypatch.setattr(timezone, "now", lambda: T0 + dt.timedelta(hours=3))
    outcome = sla_sweep.enqueue().return_value  # the test settings run tasks immediately
    assert outcome["messages"] == outcome["sent"] == len(clocks_ids := expected_keys(
        [c.pk for c in world[2]], world[0]))
    assert Notification.objects.count() == len(clocks_ids)
