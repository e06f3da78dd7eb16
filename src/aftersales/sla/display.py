"""How a clock looks to people: on track, at risk, breached, paused, met — as a word, an icon and a colour.

Presentation only: the clock's state and deadline come from `sla.services`/`sla.selectors` (derived from its
events); this module turns them into what the request page, the lists and the API show. A clock is *at risk* once
75 % of its time has elapsed (the first escalation step of the seeds' policies).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aftersales.servicedesk.choices import OPEN_STATES
from aftersales.servicedesk.models import ServiceRequest

from .choices import ClockState, TimeBasis
from .models import SlaClock

AT_RISK_FRACTION = 0.75


class Status:
    """What a person is told about a clock; never colour alone (each has a word and an icon)."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    Status.ON_TRACK: gettext_lazy("On track"),
    Status.AT_RISK: gettext_lazy("At risk"),
    Status.BREACHED: gettext_lazy("Breached"),
    Status.PAUSED: gettext_lazy("Paused"),
    Status.MET: gettext_lazy("Met"),
    Status.CANCELLED: gettext_lazy("Cancelled"),
}
STATUS_ICONS = {
    Status.ON_TRACK: "◷", Status.AT_RISK: "⚠", Status.BREACHED: "✖", Status.PAUSED: "⏸", Status.MET: "✔",
    Status.CANCELLED: "–",
}


def duration_text(seconds: float) -> str:
    """A span as people say it: "45 min", "3 h 20 min", "2 d 4 h"."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": mins}
    return ngettext("%(m)s min", "%(m)s min", mins) % {"m": mins}


def _fraction_elapsed(clock: SlaClock, now: dt.datetime) -> float | None:
    """Share of the clock's time used so far: exact from `sla.services.instant_at_fraction` when it exists (working
    time, pauses), else a wall-clock estimate from start, pauses and deadline."""
    if clock.due_at is None:
        return None
    try:
        from . import services

        at_risk_at = services.instant_at_fraction(clock, AT_RISK_FRACTION)  # type: ignore[attr-defined]
    except (ImportError, AttributeError):
        at_risk_at = None
    except Exception:  # noqa: BLE001 - a display must not fail on a calendar problem; fall back to the estimate
        at_risk_at = None
    if at_risk_at is not None:
        return AT_RISK_FRACTION if now >= at_risk_at else 0.0
    total = (clock.due_at - clock.started_at).total_seconds() - (clock.paused_seconds or 0)
    if total <= 0:
        return 1.0
    used = (now - clock.started_at).total_seconds() - (clock.paused_seconds or 0)
    return max(0.0, used / total)


def clock_status(clock: SlaClock, now: dt.datetime) -> str:
    """On track, at risk (≥ 75 % used), breached (deadline passed or recorded so), paused, met or cancelled."""
    if clock.state == ClockState.MET:
        return Status.MET
    if clock.state == ClockState.BREACHED:
        return Status.BREACHED
    if clock.state == ClockState.CANCELLED:
        return Status.CANCELLED
    if clock.state == ClockState.RUNNING and clock.due_at is not None and now >= clock.due_at:
        return Status.BREACHED
    if clock.state == ClockState.PAUSED:
        return Status.PAUSED
    fraction = _fraction_elapsed(clock, now)
    if fraction is not None and fraction >= AT_RISK_FRACTION:
        return Status.AT_RISK
    return Status.ON_TRACK


@dataclass
class ClockView:
    """One clock as the request page shows it."""

    clock: SlaClock
    status: str
    label: str
    icon: str
    name: str
    remaining_text: str = ""
    overdue: bool = False
    events: list[Any] = field(default_factory=list)

    @property
    def policy_name(self) -> str:
        return self.clock.policy.name if self.clock.policy_id and self.clock.policy else ""

    @property
    def target_text(self) -> str:
        """The promise itself: "within 2 h" or "within 40 h of working time"."""
        span = duration_text(self.clock.minutes * 60)
        if self.clock.basis == TimeBasis.WORKING:
            return _("within %(span)s of working time") % {"span": span}
        return _("within %(span)s") % {"span": span}


def clock_name(clock: SlaClock) -> str:
    name = str(clock.get_kind_display())
    if clock.kind == "progress_report" or clock.sequence > 1:
        name = _("%(name)s #%(n)s") % {"name": name, "n": clock.sequence}
    return name


def present(clock: SlaClock, now: dt.datetime) -> ClockView:
    """The status word, icon and the time left (or overdue by, or how it ended) of one clock."""
    status = clock_status(clock, now)
    view = ClockView(clock=clock, status=status, label=str(STATUS_LABELS[status]), icon=STATUS_ICONS[status],
                     name=clock_name(clock))
    if clock.due_at is None:
        return view
    if status in (Status.MET, Status.BREACHED) and clock.stopped_at:
        delta = (clock.due_at - clock.stopped_at).total_seconds()
        view.overdue = delta < 0
        view.remaining_text = (_("late by %(span)s") if delta < 0 else _("with %(span)s to spare")) % {
            "span": duration_text(delta)}
    elif status in (Status.ON_TRACK, Status.AT_RISK, Status.BREACHED, Status.PAUSED):
        delta = (clock.due_at - now).total_seconds()
        view.overdue = delta < 0
        view.remaining_text = (_("overdue by %(span)s") if delta < 0 else _("%(span)s left")) % {
            "span": duration_text(delta)}
    return view


def present_selected(view: Any, now: dt.datetime) -> ClockView:
    """Dress a `sla.selectors.ClockView` (colour and time left computed from the clock's events and calendar)."""
    clock = view.clock
    status = view.colour if view.colour in STATUS_LABELS else clock_status(clock, now)
    shown = present(clock, now)
    shown.status, shown.label, shown.icon = status, str(STATUS_LABELS[status]), STATUS_ICONS[status]
    if view.time_left is not None and status not in (Status.MET, Status.CANCELLED):
        seconds = view.time_left.total_seconds()
        shown.overdue = seconds < 0
        shown.remaining_text = (_("overdue by %(span)s") if seconds < 0 else _("%(span)s left")) % {
            "span": duration_text(seconds)}
    return shown


def request_risk(request_ids: set[int], now: dt.datetime | None = None) -> dict[int, str]:
    """For each request, the worst status of its running clocks — breached, at risk or on track — in one query.

    At risk here is "under a quarter of the clock's time left" measured on the deadline, the same rule the
    request list filter uses in SQL, so the board and the list agree."""
    from django.utils import timezone

    now = now or timezone.now()
    result: dict[int, str] = {}
    if not request_ids:
        return result
    rows = (SlaClock.objects.filter(request_id__in=request_ids, state=ClockState.RUNNING, due_at__isnull=False)
            .values_list("request_id", "due_at", "minutes"))
    rank = {Status.ON_TRACK: 0, Status.AT_RISK: 1, Status.BREACHED: 2}
    for request_id, due_at, minutes in rows:
        left = (due_at - now).total_seconds()
        status = (Status.BREACHED if left <= 0 else
                  Status.AT_RISK if left <= minutes * 60 * (1 - AT_RISK_FRACTION) else Status.ON_TRACK)
        if rank[status] > rank.get(result.get(request_id, Status.ON_TRACK), 0) or request_id not in result:
            result[request_id] = status
    # The page's few breached clocks first, then which of their requests are still open (by primary key): joined
    # in one query, PostgreSQL hashed every open request of the system to keep a hundred rows.
    breached_ids = set(SlaClock.objects.filter(request_id__in=request_ids, state=ClockState.BREACHED)
                       .values_list("request_id", flat=True))
    breached = (ServiceRequest.objects.filter(pk__in=breached_ids, state__in=OPEN_STATES)
                .values_list("pk", flat=True)) if breached_ids else []
    for request_id in breached:
        result[request_id] = Status.BREACHED
    return result
