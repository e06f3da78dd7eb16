"""SLA clocks on requests: which policy applies, when each promise is due, and what happens as work moves on.

A clock's truth is its stored events (start, pause, resume, stop, recompute, cancel) plus its target duration,
time basis and calendar; `due_at`, `state`, `estimated` and `next_check_at` on the row are cached results of
`deadline`/`schedule`, so any clock can be recomputed at any time (docs/decisions/0005).

Rules the functions keep:
* Pauses count in the clock's own basis: a weekend on hold adds no working time to a working-time clock, and a
  pause that begins after the deadline does not move it.
* A STOP followed by a RESUME (a request reopened after it was resolved) counts the stopped time as a pause.
* Met or breached is decided from the recorded stop time against the deadline (stopped_at ≤ due_at is met).
* A policy change recomputes the open clocks with a recorded reason and keeps their events (so a pause survives).

Hooks: the service-desk, field-service and feedback services call the `clocks_on_*` functions inside their own
transaction, right after the state change they report.  The sweep (sla.sweep) calls `clock_check`.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import calendars as engine_lib
from aftersales.servicedesk.choices import RequestType, Severity

from .choices import ClockEventKind, ClockKind, ClockState, EscalationTrigger, RegionClass, TimeBasis
from .models import ClockEvent, EscalationStep, SlaClock, SlaPolicy, SlaTarget, WorkCalendar

EK = ClockEventKind
# Clocks a request starts with (when its policy has a target for them); callback starts at resolution, complaint
# answers when a complaint is opened (or with the request when the request itself is a complaint).
CREATION_KINDS = (ClockKind.TRIAGE, ClockKind.FIRST_CONTACT, ClockKind.ON_SITE, ClockKind.RESOLUTION,
                  ClockKind.PROGRESS_REPORT, ClockKind.COMPLAINT_ANSWER)
# Kinds that restart with a new sequence number each time (the others run once per request).
RECURRING_KINDS = frozenset({ClockKind.PROGRESS_REPORT, ClockKind.CALLBACK, ClockKind.COMPLAINT_ANSWER})
FINISHED_STATES = frozenset({ClockState.MET, ClockState.CANCELLED})
CLOCK_FIELDS = ["state", "due_at", "stopped_at", "stopped_month", "paused_seconds", "estimated", "next_check_at",
                "escalations_done", "minutes", "basis", "calendar", "target", "policy", "explanation"]


def _local_month(at: dt.datetime | None) -> dt.date | None:
    """The first day of the stop's month in the company's time zone (settings.TIME_ZONE), for the report."""
    if at is None:
        return None
    local = at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return local.date().replace(day=1)


# -- calendars -------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=8)
def _fallback_china(tz: str) -> engine_lib.WorkCalendar:
    return engine_lib.china_calendar(tz)


def _default_calendar() -> WorkCalendar | None:
    return WorkCalendar.objects.filter(is_default=True).order_by("id").first()


def engine_for(calendar: WorkCalendar | None) -> engine_lib.WorkCalendar:
    """The working-time engine of a calendar (S1's cached `calendar_services.engine_for`; a China office calendar
    when no calendar is stored).  The one switch point between the database calendars and the pure engine."""
    if calendar is None:
        return _fallback_china("Asia/Shanghai")
    try:
        from .calendar_services import engine_for as stored_engine_for
    except ImportError:  # pragma: no cover - S1's module not there yet
        return _fallback_china(calendar.time_zone)
    return stored_engine_for(calendar)


# -- the arithmetic of one clock -------------------------------------------------------------------------------

@dataclass
class _Timeline:
    """A clock's events reduced to what the arithmetic needs."""

    start: dt.datetime
    pauses: list[tuple[dt.datetime, dt.datetime]]  # closed pause intervals, in order (stopped time included)
    open_pause: dt.datetime | None  # the start of a pause still going on
    stopped_at: dt.datetime | None
    cancelled_at: dt.datetime | None


def _timeline(started_at: dt.datetime, events: Sequence[Any]) -> _Timeline:
    ordered = sorted(events, key=lambda e: (e.at, e.pk or 0))
    start = started_at
    pauses: list[tuple[dt.datetime, dt.datetime]] = []
    paused: dt.datetime | None = None
    stopped: dt.datetime | None = None
    cancelled: dt.datetime | None = None
    for event in ordered:
        at = max(event.at, start)
        if event.kind == EK.PAUSE:
            if paused is None and stopped is None and cancelled is None:
                paused = at
        elif event.kind == EK.RESUME:
            if stopped is not None:  # reopened: the time it stood stopped does not count
                pauses.append((stopped, at))
                stopped = None
            elif paused is not None:
                pauses.append((paused, at))
                paused = None
        elif event.kind == EK.STOP:
            if stopped is None and cancelled is None:
                if paused is not None:  # stopped while on hold: the hold lasts until the stop
                    pauses.append((paused, at))
                    paused = None
                stopped = at
        elif event.kind == EK.CANCEL:
            if cancelled is None and stopped is None:
                cancelled = at
    return _Timeline(start, pauses, paused, stopped, cancelled)


Measure = Callable[[dt.datetime, dt.datetime], tuple[dt.timedelta, bool]]
Add = Callable[[dt.datetime, dt.timedelta], tuple[dt.datetime, bool]]


def _arith(basis: str, engine: engine_lib.WorkCalendar | None) -> tuple[Measure, Add]:
    if basis == TimeBasis.WORKING and engine is not None:
        def measure(a: dt.datetime, b: dt.datetime) -> tuple[dt.timedelta, bool]:
            r = engine.between(a, b)
            return r.duration, r.estimated

        def add(t: dt.datetime, d: dt.timedelta) -> tuple[dt.datetime, bool]:
            r = engine.add(t, d)
            return r.at.astimezone(dt.UTC), r.estimated

        return measure, add
    return (lambda a, b: (b - a, False)), (lambda t, d: (t + d, False))


def _walk(line: _Timeline, amount: dt.timedelta, measure: Measure, add: Add) -> tuple[dt.datetime | None, bool]:
    """The instant at which `amount` of active (unpaused) time in the clock's basis has passed; None when an open
    pause holds the clock before that."""
    t = line.start
    remaining = amount
    estimated = False
    for a, b in line.pauses:
        a = max(a, t)
        seg, est = measure(t, a)
        estimated = estimated or est
        if seg >= remaining:
            at, est = add(t, remaining)
            return at, estimated or est
        remaining -= seg
        t = max(t, b)
    if line.open_pause is not None:
        a = max(line.open_pause, t)
        seg, est = measure(t, a)
        estimated = estimated or est
        if seg >= remaining:
            at, est = add(t, remaining)
            return at, estimated or est
        return None, estimated
    at, est = add(t, remaining)
    return at, estimated or est


def _paused_seconds(line: _Timeline, until: dt.datetime | None, measure: Measure) -> int:
    total = dt.timedelta(0)
    for a, b in line.pauses:
        total += measure(a, b)[0]
    if line.open_pause is not None and until is not None and until > line.open_pause:
        total += measure(line.open_pause, until)[0]
    return max(0, int(total.total_seconds()))


def _events_of(clock: SlaClock, events: Sequence[Any] | None) -> Sequence[Any]:
    if events is not None:
        return events
    cache = getattr(clock, "_prefetched_objects_cache", {})
    if "events" in cache:
        return list(cache["events"])
    if clock.pk is None:
        return []
    return list(clock.events.all())


def _clock_engine(clock: SlaClock) -> engine_lib.WorkCalendar | None:
    if clock.basis != TimeBasis.WORKING:
        return None
    calendar = clock.calendar if clock.calendar_id else None
    return engine_for(calendar)


def deadline(clock: SlaClock, *, events: Sequence[Any] | None = None) -> tuple[dt.datetime | None, bool]:
    """`(due_at, estimated)` from the clock's events, minutes, basis and calendar; due_at None while a pause holds
    the clock before its deadline.

    Pauses count in the clock's own basis (a weekend on hold adds no working time to a working-time clock);
    a pause that begins after the deadline does not move it."""
    measure, add = _arith(clock.basis, _clock_engine(clock))
    line = _timeline(clock.started_at, _events_of(clock, events))
    return _walk(line, dt.timedelta(minutes=clock.minutes), measure, add)


def instant_at_fraction(clock: SlaClock, fraction: float, *, events: Sequence[Any] | None = None) -> dt.datetime | None:
    """The instant at which `fraction` (0.75 = 75 %) of the clock's time is used, or None if a pause holds it."""
    measure, add = _arith(clock.basis, _clock_engine(clock))
    line = _timeline(clock.started_at, _events_of(clock, events))
    amount = dt.timedelta(microseconds=round(clock.minutes * 60_000_000 * fraction))
    return _walk(line, amount, measure, add)[0]


def time_used(clock: SlaClock, now: dt.datetime, *, events: Sequence[Any] | None = None) -> dt.timedelta:
    """Active (unpaused) time the clock has used up to `now` (or its stop), in its own basis."""
    measure, _add = _arith(clock.basis, _clock_engine(clock))
    line = _timeline(clock.started_at, _events_of(clock, events))
    end = min(now, line.stopped_at or now, line.cancelled_at or now)
    used = dt.timedelta(0)
    t = line.start
    for a, b in [*line.pauses, *([(line.open_pause, end)] if line.open_pause is not None else [])]:
        if a >= end:
            break
        if a > t:
            used += measure(t, a)[0]
        t = max(t, b)
    if t < end:
        used += measure(t, end)[0]
    return used


def step_key(step: EscalationStep) -> str:
    """The stable name of an escalation step in `escalations_done` (stable across policy changes with the same
    ladder, so a recompute never fires a step twice)."""
    return f"{step.trigger}:{step.value}:{step.recipient}"


def _steps_of(clock: SlaClock) -> list[EscalationStep]:
    if not clock.target_id:
        return []
    target = clock.target
    cache = getattr(target, "_prefetched_objects_cache", {})
    steps = list(cache["escalations"]) if "escalations" in cache else list(target.escalations.all())
    return steps


def _step_instants(clock: SlaClock, steps: Iterable[EscalationStep], events: Sequence[Any],
                   measure: Measure, add: Add) -> list[tuple[dt.datetime, int, EscalationStep]]:
    """(instant, order, step) of each pending step whose instant is known."""
    line: _Timeline | None = None
    fractions: dict[int, dt.datetime | None] = {}
    out = []
    done = set(clock.escalations_done or [])
    for order, step in enumerate(steps):
        if step_key(step) in done:
            continue
        if step.trigger == EscalationTrigger.PERCENT_ELAPSED:
            if step.value not in fractions:
                if line is None:
                    line = _timeline(clock.started_at, events)
                amount = dt.timedelta(microseconds=clock.minutes * 600_000 * step.value)
                fractions[step.value] = _walk(line, amount, measure, add)[0]
            at = fractions[step.value]
        else:
            at = clock.due_at + dt.timedelta(minutes=step.value) if clock.due_at else None
        if at is not None:
            out.append((at, order, step))
    out.sort(key=lambda item: (item[0], item[1]))
    return out


def _is_finished(clock: SlaClock) -> bool:
    return clock.state in FINISHED_STATES or clock.stopped_at is not None


def _schedule(clock: SlaClock, events: Sequence[Any], steps: list[EscalationStep], measure: Measure,
              add: Add) -> dt.datetime | None:
    if _is_finished(clock):
        clock.next_check_at = None
        return None
    candidates = [at for at, _o, _s in _step_instants(clock, steps, events, measure, add)]
    if clock.state == ClockState.RUNNING and clock.due_at is not None:
        candidates.append(clock.due_at)
    clock.next_check_at = min(candidates) if candidates else None
    return clock.next_check_at


def schedule(clock: SlaClock, *, events: Sequence[Any] | None = None) -> dt.datetime | None:
    """Set (not save) `clock.next_check_at`: the earliest pending escalation threshold or the deadline; None when
    the clock is finished (met, stopped, cancelled) or nothing more can happen while it is paused."""
    measure, add = _arith(clock.basis, _clock_engine(clock))
    return _schedule(clock, _events_of(clock, events), _steps_of(clock), measure, add)


def _refresh(clock: SlaClock, events: Sequence[Any], now: dt.datetime, *,
             steps: list[EscalationStep] | None = None, engine: engine_lib.WorkCalendar | None = None,
             engine_known: bool = False) -> None:
    """Derive due_at, state, stopped_at, paused time, estimated and next_check_at from the events (no save)."""
    if not engine_known:
        engine = _clock_engine(clock)
    measure, add = _arith(clock.basis, engine)
    line = _timeline(clock.started_at, events)
    due, estimated = _walk(line, dt.timedelta(minutes=clock.minutes), measure, add)
    clock.due_at = due
    clock.estimated = estimated
    clock.stopped_at = line.stopped_at
    clock.stopped_month = _local_month(line.stopped_at)
    clock.paused_seconds = _paused_seconds(line, line.stopped_at or line.cancelled_at or now, measure)
    if line.cancelled_at is not None:
        clock.state = ClockState.CANCELLED
    elif line.stopped_at is not None:
        clock.state = ClockState.MET if due is not None and line.stopped_at <= due else ClockState.BREACHED
    elif due is not None and now >= due:
        clock.state = ClockState.BREACHED
    elif line.open_pause is not None:
        clock.state = ClockState.PAUSED
    else:
        clock.state = ClockState.RUNNING
    _schedule(clock, events, steps if steps is not None else _steps_of(clock), measure, add)


def clock_check(*, clock: SlaClock, now: dt.datetime) -> list[dict[str, Any]]:
    """For the sweep: mark a running clock breached when `now` ≥ due_at, and return the escalation steps now due,
    in order of their instants — each {"step_id", "key", "recipient_kind", "clock_id", "request_id", "clock_kind",
    "sequence", "trigger", "value", "at", "due_at"} — recording their keys in `escalations_done` and rescheduling.
    Deterministic and idempotent: called twice with the same `now`, the second call returns []."""
    events = _events_of(clock, None)
    steps = _steps_of(clock)
    measure, add = _arith(clock.basis, _clock_engine(clock))
    changed: list[str] = []
    if clock.state == ClockState.RUNNING and clock.due_at is not None and now >= clock.due_at:
        clock.state = ClockState.BREACHED
        changed.append("state")
    due_steps: list[dict[str, Any]] = []
    if not _is_finished(clock):
        for at, _order, step in _step_instants(clock, steps, events, measure, add):
            if at > now:
                break
            key = step_key(step)
            due_steps.append({
                "step_id": step.pk, "key": key, "recipient_kind": step.recipient, "clock_id": clock.pk,
                "request_id": clock.request_id, "clock_kind": clock.kind, "sequence": clock.sequence,
                "trigger": step.trigger, "value": step.value, "at": at.isoformat(),
                "due_at": clock.due_at.isoformat() if clock.due_at else None,
            })
            clock.escalations_done = [*(clock.escalations_done or []), key]
        if due_steps:
            changed.append("escalations_done")
    before = clock.next_check_at
    _schedule(clock, events, steps, measure, add)
    if clock.next_check_at != before:
        changed.append("next_check_at")
    if changed and clock.pk:
        clock.save(update_fields=changed)
    return due_steps


# -- policies --------------------------------------------------------------------------------------------------

def _serving_centre(request: Any, actor: Any = None) -> Any:
    from aftersales.accounts.models import ServiceCenter

    for user in (actor, getattr(request, "created_by", None) if request.created_by_id else None):
        centre_id = getattr(user, "service_center_id", None)
        if centre_id:
            centre = ServiceCenter.objects.select_related("city").filter(pk=centre_id).first()
            if centre is not None:
                return centre
    return ServiceCenter.objects.select_related("city").order_by("id").first()


def region_class(request: Any, *, actor: Any = None) -> RegionClass | None:
    """Where the request's site lies relative to its serving centre: same city, same province or other province.

    The serving centre is the acting user's (or the request creator's) `service_center`, else the first centre
    (by id).  None when the request has no site city or no centre exists (then region-specific policies do not
    match)."""
    if not request.city_id and not request.province_id:
        return None
    centre = _serving_centre(request, actor)
    if centre is None:
        return None
    if request.city_id and centre.city_id == request.city_id:
        return RegionClass.SAME_CITY
    centre_province = centre.city.parent_id if centre.city.parent_id else centre.city_id
    if request.province_id and centre_province == request.province_id:
        return RegionClass.SAME_PROVINCE
    return RegionClass.OTHER_PROVINCE


CRITERIA = ("request_type", "severity", "region_class", "customer_id")


def _specificity(policy: SlaPolicy) -> int:
    return sum(1 for field in CRITERIA if getattr(policy, field))


def _choice_label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _explain(policy: SlaPolicy, request_type: str, severity: str, region: str | None) -> str:
    matched = []
    if policy.request_type:
        matched.append(_("request type %(value)s") % {"value": _choice_label(RequestType, request_type)})
    if policy.severity:
        matched.append(_("severity %(value)s") % {"value": _choice_label(Severity, severity)})
    if policy.region_class:
        matched.append(_("region %(value)s") % {"value": RegionClass(region).label if region else ""})
    if policy.customer_id:
        matched.append(_("this customer"))
    if not matched:
        return (_("Policy “%(name)s” applies to all requests; no more specific policy matched.")
                % {"name": policy.name})[:300]
    return (_("Policy “%(name)s” matched on %(criteria)s (%(count)d of 4 criteria, the most specific).")
            % {"name": policy.name, "criteria": ", ".join(str(m) for m in matched), "count": len(matched)})[:300]


# Per-process cache of the active policies with their targets (calendar and escalation steps attached), used only
# when a request is created: intake is the hot write path and the policy set is small reference data that changes
# rarely.  Staleness: a policy change reaches the creation-time clocks of other processes (and of this one, when
# the change bypassed model signals, e.g. a queryset update) within POLICY_CACHE_SECONDS; every later hook (triage,
# type change, reopen, ...) re-matches against the database and recomputes the clocks with a recorded reason.
# The cached instances are shared between threads and must be treated as read-only.
POLICY_CACHE_SECONDS = 30.0
_POLICY_CACHE: dict[str, Any] = {"at": 0.0, "rows": None}


def forget_policies(**_: Any) -> None:
    """Drop the cached policies (on any saved or deleted policy, target, step or calendar in this process;
    tests call it between tests)."""
    _POLICY_CACHE["rows"] = None


def _cached_policies() -> list[tuple[SlaPolicy, dict[str, SlaTarget]]]:
    import time

    now = time.monotonic()
    rows = _POLICY_CACHE["rows"]
    if rows is None or now - _POLICY_CACHE["at"] > POLICY_CACHE_SECONDS:
        policies = list(SlaPolicy.objects.filter(is_active=True).prefetch_related(
            models.Prefetch("targets", queryset=SlaTarget.objects.select_related("calendar")
                            .prefetch_related("escalations"))))
        rows = [(p, {t.clock: t for t in p.targets.all()}) for p in policies]
        _POLICY_CACHE["rows"], _POLICY_CACHE["at"] = rows, now
    return rows


def _connect_policy_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in (SlaPolicy, SlaTarget, EscalationStep, WorkCalendar):
        post_save.connect(forget_policies, sender=model, dispatch_uid=f"sla-policy-cache-save-{model.__name__}")
        post_delete.connect(forget_policies, sender=model, dispatch_uid=f"sla-policy-cache-delete-{model.__name__}")


_connect_policy_signals()


def _candidates(request: Any, request_type: str, severity: str, cached: bool) -> list[SlaPolicy]:
    if cached:
        customer_id = request.customer_id
        return [p for p, _targets in _cached_policies()
                if p.request_type in ("", request_type) and p.severity in ("", severity)
                and (p.customer_id is None or p.customer_id == customer_id)]
    qs = SlaPolicy.objects.filter(is_active=True).filter(
        Q(request_type="") | Q(request_type=request_type),
        Q(severity="") | Q(severity=severity),
        Q(customer__isnull=True) | Q(customer_id=request.customer_id),
    ).only("id", "name", *CRITERIA)
    return list(qs)


def policy_for(request: Any, *, request_type: str | None = None, actor: Any = None,
               region: RegionClass | None | bool = False, cached: bool = False) -> tuple[SlaPolicy | None, str]:
    """The most specific active policy matching the request, and an explanation of why (for the UI and API).

    Criteria: request type, severity, region class of the site relative to the serving centre, customer; blank
    criteria match anything.  The winner has the most non-blank criteria; ties go to the lowest id.
    `request_type` overrides the request's type (a complaint raised on a repair request is answered under the
    complaint policy).  Service contracts are not a matching criterion yet: contracts arrive with issue 4, and
    their policies will be added to these criteria then.  `cached` reads the per-process policy cache (request
    creation only; see POLICY_CACHE_SECONDS)."""
    request_type = request_type or request.type
    severity = request.severity or ""
    candidates = _candidates(request, request_type, severity, cached)
    if not candidates:
        return None, _("No active SLA policy matches this request.")
    if any(p.region_class for p in candidates):
        if region is False:
            region = region_class(request, actor=actor)
        candidates = [p for p in candidates if not p.region_class or p.region_class == region]
        if not candidates:
            return None, _("No active SLA policy matches this request.")
    winner = min(candidates, key=lambda p: (-_specificity(p), p.pk))
    return winner, _explain(winner, request_type, severity, region if region is not False else None)


def _targets(policy: SlaPolicy | None, cached: bool = False) -> dict[str, SlaTarget]:
    if policy is None:
        return {}
    if cached:
        for row, targets in _cached_policies():
            if row is policy:
                return targets
    targets = SlaTarget.objects.filter(policy=policy).select_related("calendar").prefetch_related("escalations")
    return {t.clock: t for t in targets}


# -- creating and changing clocks ------------------------------------------------------------------------------

class _Ctx:
    """Per-call caches so a hook does each lookup once (default calendar, engines)."""

    def __init__(self) -> None:
        self._default: WorkCalendar | None | bool = False
        self._engines: dict[int | None, engine_lib.WorkCalendar] = {}

    def default_calendar(self) -> WorkCalendar | None:
        if self._default is False:
            self._default = _default_calendar()
        return self._default  # type: ignore[return-value]

    def calendar_for(self, target: SlaTarget) -> WorkCalendar | None:
        if target.basis != TimeBasis.WORKING:
            return None
        return target.calendar if target.calendar_id else self.default_calendar()

    def engine(self, clock: SlaClock) -> engine_lib.WorkCalendar | None:
        if clock.basis != TimeBasis.WORKING:
            return None
        key = clock.calendar_id
        if key not in self._engines:
            self._engines[key] = engine_for(clock.calendar if clock.calendar_id else None)
        return self._engines[key]


def _contract_terms(request: Any, target: SlaTarget, start: dt.datetime,
                    ctx: _Ctx) -> tuple[int, str, WorkCalendar | None, str] | None:
    """A maintenance contract covering the request's unit may promise on-site or resolution sooner than the policy
    (C6): then the clock runs on the contract's working hours (default calendar) — only when that deadline comes
    first. Returns (minutes, basis, calendar, reason) or None."""
    if target.clock not in (ClockKind.ON_SITE, ClockKind.RESOLUTION) or not getattr(request, "equipment_id", None):
        return None
    cache = ctx.__dict__.setdefault("_commitments", {})
    if request.pk not in cache:
        from aftersales.contracts.selectors import sla_commitments

        cache[request.pk] = sla_commitments(request)
    found = cache[request.pk].get(target.clock)
    if found is None:
        return None
    hours, contract = found
    calendar = ctx.default_calendar()
    contract_due = _arith(TimeBasis.WORKING, engine_for(calendar))[1](start, dt.timedelta(hours=hours))[0]
    policy_calendar = ctx.calendar_for(target)
    policy_engine = engine_for(policy_calendar) if target.basis == TimeBasis.WORKING else None
    policy_due = _arith(target.basis, policy_engine)[1](start, dt.timedelta(minutes=target.minutes))[0]
    if contract_due >= policy_due:
        return None
    reason = _("Contract %(number)s promises this within %(hours)s working hours, sooner than the policy.") % {
        "number": contract.number, "hours": hours}
    return hours * 60, TimeBasis.WORKING, calendar, reason


def _new_clock(request: Any, target: SlaTarget, policy: SlaPolicy, explanation: str, start: dt.datetime,
               sequence: int, ctx: _Ctx) -> SlaClock:
    calendar = ctx.calendar_for(target)
    clock = SlaClock(request=request, kind=target.clock, sequence=sequence, target=target, policy=policy,
                     explanation=explanation, minutes=target.minutes, basis=target.basis, calendar=calendar,
                     started_at=start, escalations_done=[], severity=request.severity or "",
                     province_id=request.province_id)
    clock.target = target
    terms = _contract_terms(request, target, start, ctx)
    if terms is not None:  # recorded as an event of the clock by _insert
        clock.minutes, clock.basis, clock.calendar, clock._contract_reason = terms
    return clock


def _copy_request_keys(request: Any) -> None:
    """Keep the copied severity and province of all the request's clocks in step with the request."""
    SlaClock.objects.filter(request=request).exclude(severity=request.severity or "", province_id=request.province_id
                                                     ).update(severity=request.severity or "",
                                                              province_id=request.province_id)


def _pauses_while_waiting(clock: SlaClock) -> bool:
    if clock.target_id and clock.target is not None:
        return clock.target.pauses_while_waiting
    return clock.kind == ClockKind.RESOLUTION


def _insert(clocks: list[SlaClock], events_for: dict[int, list[ClockEvent]], now: dt.datetime, actor: Any,
            ctx: _Ctx) -> list[SlaClock]:
    """Bulk insert new clocks with their events, their derived fields computed in memory beforehand."""
    if not clocks:
        return []
    for index, clock in enumerate(clocks):
        events = events_for[index]
        if getattr(clock, "_contract_reason", ""):
            events.append(_event(EK.RECOMPUTE, clock.started_at, actor, clock._contract_reason))
        steps = list(clock.target.escalations.all()) if clock.target is not None else []
        _refresh(clock, events, now, steps=steps, engine=ctx.engine(clock), engine_known=True)
    _insert_raw(clocks, events_for)
    return clocks


def _columns(model: type[models.Model], skip: tuple[str, ...] = ()) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip]


def _insert_raw(clocks: list[SlaClock], events_for: dict[int, list[ClockEvent]]) -> None:
    """The clocks and their events without the ORM's bulk inserts, which are compiled anew on every call: on
    PostgreSQL in one statement (a data-modifying CTE), on SQLite in two (no CTE may write there), each with
    RETURNING. Request create starts four clocks; its SLA part took 1.45 ms on PostgreSQL and 0.58 ms on SQLite
    before (docs/performance.md), and SQLite runs it while holding the one write lock every writer waits for.

    Only quoted model metadata and placeholders go into the SQL text; every value is a parameter. The clocks get
    their ids back by their unique (request, kind, sequence), the events by their values (two events with the same
    clock, kind, time, reason and actor are interchangeable, so either id may go to either)."""
    qn = connection.ops.quote_name
    pg = connection.vendor == "postgresql"
    clock_fields = _columns(SlaClock)
    event_fields = _columns(ClockEvent, skip=("clock",))
    clock_params: list[Any] = []
    for clock in clocks:
        clock_params += [f.get_db_prep_save(f.pre_save(clock, True), connection) for f in clock_fields]
    event_values = [(index, [f.get_db_prep_save(f.pre_save(event, True), connection) for f in event_fields])
                    for index in range(len(clocks)) for event in events_for[index]]
    row = "(" + ", ".join(["%s"] * len(clock_fields)) + ")"
    insert_clocks = (f"INSERT INTO {qn(SlaClock._meta.db_table)} "  # noqa: S608
                     f"({', '.join(qn(f.column) for f in clock_fields)}) VALUES {', '.join([row] * len(clocks))} "
                     "RETURNING id, request_id, kind, sequence")
    event_cols = ", ".join(qn(f.column) for f in event_fields)
    insert_events = f"INSERT INTO {qn(ClockEvent._meta.db_table)} (clock_id, {event_cols})"  # noqa: S608
    with connection.cursor() as cursor:
        if pg and event_values:
            # One row per clock ('c', id, request, kind, sequence, NULLs) and per event ('e', id, NULLs, clock, values).
            typed = ", ".join(["%s::bigint", "%s::text", "%s::integer",
                               *[f"%s::{f.db_type(connection)}" for f in event_fields]])
            params = list(clock_params)
            for index, values in event_values:
                clock = clocks[index]
                params += [clock.request_id, clock.kind, clock.sequence, *values]
            cursor.execute(
                f"WITH c AS ({insert_clocks}), e AS ({insert_events} "  # noqa: S608
                f"SELECT c.id, {', '.join('v.' + qn(f.column) for f in event_fields)} "
                f"FROM (VALUES {', '.join([f'({typed})'] * len(event_values))}) AS v(r, k, s, {event_cols}) "
                "JOIN c ON c.request_id = v.r AND c.kind = v.k AND c.sequence = v.s "
                f"RETURNING id, clock_id, {event_cols}) "
                "SELECT 'c', id, request_id::bigint, kind::text, sequence::integer, NULL::bigint, "
                f"{', '.join(f'NULL::{f.db_type(connection)}' for f in event_fields)} FROM c "
                f"UNION ALL SELECT 'e', id, NULL::bigint, NULL::text, NULL::integer, clock_id, {event_cols} FROM e",
                params)
            rows = cursor.fetchall()
            clock_rows = [r[1:5] for r in rows if r[0] == "c"]
            event_rows = [(r[1], *r[5:]) for r in rows if r[0] == "e"]
        else:
            cursor.execute(insert_clocks, clock_params)
            clock_rows = cursor.fetchall()
        ids = {(r[1], r[2], r[3]): r[0] for r in clock_rows}
        for clock in clocks:
            clock.pk = ids[(clock.request_id, clock.kind, clock.sequence)]
            clock._state.adding, clock._state.db = False, connection.alias
        if event_values and not pg:
            row = "(" + ", ".join(["%s"] * (len(event_fields) + 1)) + ")"
            cursor.execute(f"{insert_events} VALUES {', '.join([row] * len(event_values))} "  # noqa: S608
                           f"RETURNING id, clock_id, {event_cols}",
                           [v for index, values in event_values for v in (clocks[index].pk, *values)])
            event_rows = cursor.fetchall()
    def text(value: Any) -> str | None:  # choices enums, adapted values and times in any zone compare as text
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return str(value.astimezone(dt.UTC).replace(tzinfo=None))
        return None if value is None else str(value)

    def key(values: Iterable[Any]) -> tuple[str | None, ...]:
        return tuple(text(v) for v in values)

    event_ids: dict[tuple[str | None, ...], list[int]] = {}
    for r in sorted(event_rows if event_values else [], key=lambda r: r[0]):
        event_ids.setdefault(key(r[1:]), []).append(r[0])
    position = 0
    for index, clock in enumerate(clocks):
        for event in events_for[index]:
            event.clock = clock
            event.pk = event_ids[key((clock.pk, *event_values[position][1]))].pop(0)
            event._state.adding, event._state.db = False, connection.alias
            position += 1


def _open_clocks(request: Any, kinds: Iterable[str] | None = None) -> list[SlaClock]:
    qs = (SlaClock.objects.filter(request=request, stopped_at__isnull=True)
          .exclude(state=ClockState.CANCELLED)
          .select_related("target", "calendar", "policy")
          .prefetch_related("events", "target__escalations"))
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return list(qs.order_by("kind", "sequence"))


def _add_events(clock: SlaClock, new: list[ClockEvent], now: dt.datetime, ctx: _Ctx | None = None) -> None:
    """Store new events for an existing clock and re-derive and save its cached fields."""
    for event in new:
        event.clock = clock
    ClockEvent.objects.bulk_create(new)
    events = [*_events_of(clock, None), *new]
    if ctx is not None:
        _refresh(clock, events, now, engine=ctx.engine(clock), engine_known=True)
    else:
        _refresh(clock, events, now)
    # The prefetched list is stale now; keep the fresh one for later calls in the same hook.
    clock._prefetched_objects_cache = {**getattr(clock, "_prefetched_objects_cache", {}), "events": events}
    clock.save(update_fields=CLOCK_FIELDS)


def _event(kind: str, at: dt.datetime, actor: Any, reason: str = "") -> ClockEvent:
    return ClockEvent(kind=kind, at=at, reason=str(reason)[:300],
                      actor=actor if getattr(actor, "pk", None) else None)


def _next_sequences(request: Any) -> dict[str, int]:
    rows = SlaClock.objects.filter(request=request).values("kind").annotate(last=Max("sequence"))
    return {row["kind"]: row["last"] + 1 for row in rows}


def _is_waiting(request: Any) -> bool:
    from aftersales.servicedesk.choices import RequestState

    return request.state == RequestState.WAITING


def _wanted(kind: str, request: Any) -> bool:
    if kind == ClockKind.ON_SITE:
        return bool(request.site_id)
    if kind == ClockKind.COMPLAINT_ANSWER:
        return request.type == "complaint"
    return kind in CREATION_KINDS


def clocks_for_request_created(*, request: Any, actor: Any, at: dt.datetime | None = None) -> list[SlaClock]:
    """Start the clocks a new request's policy promises (triage, first contact, on site if a site is known,
    resolution, progress report, a complaint request's answer) in one bulk insert; a request created already
    waiting on the customer starts its pausable clocks paused."""
    start = at or request.created_at or timezone.now()
    policy, explanation = policy_for(request, actor=actor, cached=True)
    targets = _targets(policy, cached=True)
    ctx = _Ctx()
    clocks: list[SlaClock] = []
    events_for: dict[int, list[ClockEvent]] = {}
    waiting = _is_waiting(request)
    for kind in CREATION_KINDS:
        target = targets.get(kind)
        if target is None or not _wanted(kind, request):
            continue
        clock = _new_clock(request, target, policy, explanation, start, 1, ctx)  # type: ignore[arg-type]
        events = [_event(EK.START, start, actor, explanation)]
        if waiting and target.pauses_while_waiting:
            events.append(_event(EK.PAUSE, start, actor, _("Created waiting on the customer.")))
        events_for[len(clocks)] = events
        clocks.append(clock)
    return _insert(clocks, events_for, timezone.now(), actor, ctx)


def _rematch(request: Any, actor: Any, reason: str, *, start_new_at: dt.datetime, now: dt.datetime,
             skip_kinds: Iterable[str] = ()) -> None:
    """Re-match the policy and bring the open clocks in line: recompute the changed, cancel the dropped, start the
    newly promised ones (at `start_new_at`)."""
    policy, explanation = policy_for(request, actor=actor)
    targets = _targets(policy)
    ctx = _Ctx()
    skip = set(skip_kinds)
    open_clocks = _open_clocks(request)
    open_kinds = {c.kind for c in open_clocks}
    for clock in open_clocks:
        if clock.kind in skip or clock.kind == ClockKind.CALLBACK:
            continue
        target = targets.get(clock.kind)
        if target is None:
            if clock.kind == ClockKind.COMPLAINT_ANSWER:
                continue  # a complaint's answer clock follows the complaint, not the request's policy
            _add_events(clock, [_event(EK.CANCEL, now, actor, reason or _("No longer promised by the policy."))],
                        now, ctx)
            continue
        calendar = ctx.calendar_for(target)
        minutes, basis, why = target.minutes, target.basis, reason or _("Policy changed.")
        terms = _contract_terms(request, target, clock.started_at, ctx)
        if terms is not None:
            minutes, basis, calendar = terms[:3]
            why = f"{why} {terms[3]}"
        same = (clock.target_id == target.pk and clock.minutes == minutes and clock.basis == basis
                and clock.calendar_id == (calendar.pk if calendar else None))
        clock.target, clock.policy, clock.explanation = target, policy, explanation
        if same:
            clock.save(update_fields=["target", "policy", "explanation"])
            continue
        clock.minutes, clock.basis, clock.calendar = minutes, basis, calendar
        _add_events(clock, [_event(EK.RECOMPUTE, now, actor, why)], now, ctx)
    existing = set(SlaClock.objects.filter(request=request).exclude(state=ClockState.CANCELLED)
                   .values_list("kind", flat=True))
    sequences = _next_sequences(request)
    new: list[SlaClock] = []
    events_for: dict[int, list[ClockEvent]] = {}
    waiting = _is_waiting(request)
    for kind in CREATION_KINDS:
        target = targets.get(kind)
        if target is None or kind in skip or kind == ClockKind.TRIAGE or not _wanted(kind, request):
            continue
        if kind in open_kinds or (kind not in RECURRING_KINDS and kind in existing):
            continue
        if kind == ClockKind.COMPLAINT_ANSWER and kind in existing:
            continue
        clock = _new_clock(request, target, policy, explanation, start_new_at,  # type: ignore[arg-type]
                           sequences.get(kind, 1), ctx)
        events = [_event(EK.START, start_new_at, actor, reason or explanation)]
        if waiting and target.pauses_while_waiting:
            events.append(_event(EK.PAUSE, max(start_new_at, now), actor, _("Waiting on the customer.")))
        events_for[len(new)] = events
        new.append(clock)
    _insert(new, events_for, now, actor, ctx)


def clocks_on_triage(*, request: Any, actor: Any, reason: str = "", first: bool | None = None) -> None:
    """Triage (or re-triage): stop the triage clock, then re-match the policy for the new severity and recompute
    the open clocks with a recorded reason (cancel those the new policy drops, start those it adds — at the
    request's creation on the first triage, since the promise runs from the customer's report; at the change on
    a re-triage)."""
    now = timezone.now()
    stopped_open = False
    for clock in _open_clocks(request, [ClockKind.TRIAGE]):
        _add_events(clock, [_event(EK.STOP, now, actor, _("Triaged."))], now)
        stopped_open = True
    if first is None:
        first = stopped_open
    why = reason or (_("Triaged: severity %(severity)s.") % {"severity": request.severity} if first
                     else _("Severity changed to %(severity)s.") % {"severity": request.severity})
    _rematch(request, actor, why, start_new_at=request.created_at if first else now, now=now,
             skip_kinds=[ClockKind.TRIAGE])
    _copy_request_keys(request)


def clocks_on_site_changed(*, request: Any, actor: Any, reason: str = "") -> None:
    """The site changed (its region class may change): re-match the policy and recompute with the reason."""
    now = timezone.now()
    _rematch(request, actor, reason or _("Site changed."), start_new_at=now, now=now, skip_kinds=[ClockKind.TRIAGE])
    _copy_request_keys(request)


def clock_recompute(*, clock: SlaClock, actor: Any, reason: str, now: dt.datetime | None = None) -> SlaClock:
    """Recompute a clock's deadline, state and schedule from its events; records a `recompute` event with reason."""
    now = now or timezone.now()
    _add_events(clock, [_event(EK.RECOMPUTE, now, actor, reason)], now)
    return clock


def clocks_recompute_for_calendar(calendar: WorkCalendar, *, actor: Any = None,
                                  reason: str = "") -> int:
    """Recompute every open working-time clock on `calendar` (called after a calendar's days change, e.g. a new
    year's holiday notice was entered); returns how many clocks were recomputed."""
    now = timezone.now()
    on_calendar = Q(calendar=calendar)
    if calendar.is_default:  # clocks without a calendar of their own run on the default one
        on_calendar |= Q(calendar__isnull=True)
    qs = (SlaClock.objects.filter(on_calendar, basis=TimeBasis.WORKING, stopped_at__isnull=True)
          .exclude(state=ClockState.CANCELLED)
          .select_related("target", "calendar").prefetch_related("events", "target__escalations"))
    count = 0
    for clock in qs.iterator(chunk_size=500):
        _add_events(clock, [_event(EK.RECOMPUTE, now, actor, reason or _("Calendar %(name)s changed.")
                                   % {"name": calendar.name})], now)
        count += 1
    return count


def _pause_resume(request: Any, actor: Any, kind: str, at: dt.datetime, reason: str) -> None:
    for clock in _open_clocks(request):
        if not _pauses_while_waiting(clock):
            continue
        _add_events(clock, [_event(kind, at, actor, reason)], at)


def clocks_on_wait(*, request: Any, actor: Any, at: dt.datetime | None = None, reason: str = "") -> None:
    """Waiting on the customer: pause the clocks that pause while waiting (resolution clocks)."""
    _pause_resume(request, actor, EK.PAUSE, at or timezone.now(), reason or _("Waiting on the customer."))


def clocks_on_resume(*, request: Any, actor: Any, at: dt.datetime | None = None, reason: str = "") -> None:
    """Back from waiting: resume the paused clocks."""
    _pause_resume(request, actor, EK.RESUME, at or timezone.now(), reason or _("Resumed."))


def _stop(request: Any, actor: Any, kinds: Iterable[str], at: dt.datetime, reason: str) -> None:
    now = timezone.now()
    for clock in _open_clocks(request, kinds):
        _add_events(clock, [_event(EK.STOP, max(at, clock.started_at), actor, reason)], now)


def clocks_on_first_contact(*, request: Any, actor: Any, at: dt.datetime | None = None) -> None:
    """The customer was contacted (a call, or an engineer's arrival): stop the first-contact clock."""
    _stop(request, actor, [ClockKind.FIRST_CONTACT], at or timezone.now(), _("Customer contacted."))


def clocks_on_arrival(*, request: Any, actor: Any, at: dt.datetime | None = None) -> None:
    """An engineer arrived on site: stop the on-site clock, and first contact (an arrival is a contact too)."""
    _stop(request, actor, [ClockKind.ON_SITE, ClockKind.FIRST_CONTACT], at or timezone.now(),
          _("Engineer on site."))


def clocks_on_resolved(*, request: Any, actor: Any, at: dt.datetime | None = None) -> None:
    """Resolved: stop resolution (and a complaint request's answer) clocks; progress reports end (a late one stays
    breached, the others are cancelled).  The callback clock starts with the callback task
    (`clocks_on_callback_scheduled`)."""
    at = at or timezone.now()
    _stop(request, actor, [ClockKind.RESOLUTION], at, _("Resolved."))
    if request.type == "complaint":
        _stop(request, actor, [ClockKind.COMPLAINT_ANSWER], at, _("Resolved."))
    for clock in _open_clocks(request, [ClockKind.PROGRESS_REPORT]):
        kind = EK.STOP if clock.state == ClockState.BREACHED else EK.CANCEL
        _add_events(clock, [_event(kind, at, actor, _("Resolved."))], at)


def clocks_on_reopened(*, request: Any, actor: Any, at: dt.datetime | None = None) -> None:
    """Reopened: resolution clocks resume (the time between resolution and reopening does not count), callback
    clocks still open are cancelled, and a recurring progress report starts again if the policy has one."""
    at = at or timezone.now()
    reason = _("Reopened.")
    clocks = (SlaClock.objects.filter(request=request, kind=ClockKind.RESOLUTION, stopped_at__isnull=False)
              .select_related("target", "calendar").prefetch_related("events", "target__escalations"))
    for clock in clocks:
        clock.escalations_done = list(clock.escalations_done or [])
        _add_events(clock, [_event(EK.RESUME, at, actor, reason)], at)
    for clock in _open_clocks(request, [ClockKind.CALLBACK]):
        _add_events(clock, [_event(EK.CANCEL, at, actor, reason)], at)
    _rematch(request, actor, reason, start_new_at=at, now=at, skip_kinds=[ClockKind.TRIAGE])


def clocks_on_closed(*, request: Any, actor: Any, at: dt.datetime | None = None, reason: str = "") -> None:
    """A request cancelled before any work: cancel its open clocks (a breached one is stopped, staying breached).
    Callback and complaint-answer clocks are left to their own events."""
    at = at or timezone.now()
    for clock in _open_clocks(request):
        if clock.kind in (ClockKind.CALLBACK, ClockKind.COMPLAINT_ANSWER):
            continue
        kind = EK.STOP if clock.state == ClockState.BREACHED else EK.CANCEL
        _add_events(clock, [_event(kind, at, actor, reason or _("Request cancelled."))], at)


@transaction.atomic
def progress_report_record(*, request: Any, actor: Any, text: str, at: dt.datetime | None = None) -> Any:
    """Record a progress report to the customer: the current report clock stops (met if in time, breached if
    late) and the next one starts from the report.  Returns the ProgressReport."""
    from aftersales.core import services as core
    from aftersales.core.permissions import PROGRESS_REQUESTS, require
    from aftersales.servicedesk.choices import OPEN_STATES

    from .error_codes import ReportRequired, RequestNotOpen
    from .models import ProgressReport

    require(actor, PROGRESS_REQUESTS)
    if not (text or "").strip():
        raise ReportRequired()
    if request.state not in OPEN_STATES:
        raise RequestNotOpen()
    at = at or timezone.now()
    report = core.create(ProgressReport, actor=actor, parent=request, request=request, author=actor,
                         reported_at=at, text=text.strip())
    current = _open_clocks(request, [ClockKind.PROGRESS_REPORT])
    for clock in current:
        _add_events(clock, [_event(EK.STOP, max(at, clock.started_at), actor, _("Progress reported."))], at)
    policy, explanation = policy_for(request, actor=actor)
    target = _targets(policy).get(ClockKind.PROGRESS_REPORT)
    if target is not None and target.recurring:
        ctx = _Ctx()
        sequence = _next_sequences(request).get(ClockKind.PROGRESS_REPORT, 1)
        clock = _new_clock(request, target, policy, explanation, at, sequence, ctx)  # type: ignore[arg-type]
        _insert([clock], {0: [_event(EK.START, at, actor, _("Progress reported."))]}, timezone.now(), actor, ctx)
    return report


def _start_one(request: Any, actor: Any, kind: str, reason: str, *, request_type: str | None = None,
               at: dt.datetime | None = None) -> SlaClock | None:
    policy, explanation = policy_for(request, request_type=request_type, actor=actor)
    target = _targets(policy).get(kind)
    if target is None:
        return None
    at = at or timezone.now()
    ctx = _Ctx()
    sequence = _next_sequences(request).get(kind, 1)
    clock = _new_clock(request, target, policy, explanation, at, sequence, ctx)  # type: ignore[arg-type]
    _insert([clock], {0: [_event(EK.START, at, actor, reason)]}, timezone.now(), actor, ctx)
    return clock


def clocks_on_callback_scheduled(*, request: Any, actor: Any, callback: Any = None) -> SlaClock | None:
    """Start the callback clock when the resolved request's callback task is created."""
    at = getattr(callback, "created_at", None) or timezone.now()
    return _start_one(request, actor, ClockKind.CALLBACK, _("Callback scheduled."), at=at)


def clocks_on_callback_done(*, request: Any, actor: Any, at: dt.datetime | None = None) -> None:
    """The callback was made (the customer reached): stop the callback clock."""
    _stop(request, actor, [ClockKind.CALLBACK], at or timezone.now(), _("Callback made."))


def _complaint_tag(complaint: Any) -> str:
    return f"complaint {complaint.number}"


def clocks_on_complaint_opened(*, complaint: Any, actor: Any) -> SlaClock | None:
    """Start a complaint-answer clock: one found in a callback uses the request's policy (with the head within
    4 h), any other the complaint policy (5 working days).  Complaints without a request have no clock (a clock
    belongs to a request)."""
    request = complaint.request
    if request is None:
        return None
    request_type = None if complaint.callback_id else "complaint"
    return _start_one(request, actor, ClockKind.COMPLAINT_ANSWER, _complaint_tag(complaint),
                      request_type=request_type, at=complaint.created_at)


def clocks_on_complaint_answered(*, complaint: Any, actor: Any, at: dt.datetime | None = None) -> None:
    """The complaint was answered: stop its complaint-answer clock."""
    if complaint.request_id is None:
        return
    at = at or complaint.answered_at or timezone.now()
    tag = _complaint_tag(complaint)
    clocks = _open_clocks(complaint.request, [ClockKind.COMPLAINT_ANSWER])
    mine = [c for c in clocks if any(e.kind == EK.START and e.reason == tag for e in _events_of(c, None))]
    for clock in mine[:1] or clocks[:1]:
        _add_events(clock, [_event(EK.STOP, max(at, clock.started_at), actor, _("Complaint answered."))], at)
