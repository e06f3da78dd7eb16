"""Reads of SLA clocks and policies, scoped to the user: clocks on a request, "breaches soonest", compliance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from aftersales.core.permissions import VIEW_REQUESTS, has_perm
from aftersales.core.prepared import PreparedQuery

from . import services
from .choices import ClockState
from .models import ClockEvent, SlaClock, SlaPolicy

AT_RISK_FRACTION = 0.75

ON_TRACK, AT_RISK, BREACHED, PAUSED, MET, CANCELLED = "on_track", "at_risk", "breached", "paused", "met", "cancelled"


@dataclass(frozen=True)
class ClockView:
    """A clock as people see it: colour (on_track / at_risk / breached / paused / met / cancelled), time left
    (until the deadline; negative when overdue; for a paused clock the active time it still has; None when
    finished), the share of the time used, and the policy with its reason."""

    clock: SlaClock
    colour: str
    time_left: dt.timedelta | None
    fraction_used: float | None
    policy_name: str
    explanation: str


def clock_view(clock: SlaClock, now: dt.datetime) -> ClockView:
    """Colour and time left of one clock at `now` (its events and target should be prefetched)."""
    total = dt.timedelta(minutes=clock.minutes)
    policy_name = clock.policy.name if clock.policy_id and clock.policy is not None else ""
    if clock.state == ClockState.CANCELLED:
        return ClockView(clock, CANCELLED, None, None, policy_name, clock.explanation)
    used = services.time_used(clock, now)
    fraction = used / total if total else 1.0
    if clock.stopped_at is not None:
        colour = MET if clock.state == ClockState.MET else BREACHED
        return ClockView(clock, colour, None, fraction, policy_name, clock.explanation)
    if clock.state == ClockState.BREACHED or (clock.due_at is not None and now >= clock.due_at):
        left = clock.due_at - now if clock.due_at else None
        return ClockView(clock, BREACHED, left, fraction, policy_name, clock.explanation)
    if clock.state == ClockState.PAUSED or clock.due_at is None:
        return ClockView(clock, PAUSED, total - used, fraction, policy_name, clock.explanation)
    colour = AT_RISK if fraction >= AT_RISK_FRACTION else ON_TRACK
    return ClockView(clock, colour, clock.due_at - now, fraction, policy_name, clock.explanation)


def clocks_for_request(user: Any, request: Any, *, now: dt.datetime | None = None,
                       scoped: bool = False) -> list[ClockView]:
    """The request's clocks with time left and colour, if the user may see the request (else []); each clock's
    events come prefetched with their actors. `scoped=True`: the caller read `request` through
    `requests_for(user)` itself, so the check is not repeated (one query less on every request page)."""
    from aftersales.servicedesk.selectors import requests_for

    if not scoped and not requests_for(user).filter(pk=request.pk).exists():
        return []
    now = now or timezone.now()
    return [clock_view(c, now) for c in _REQUEST_CLOCKS("card", request.pk)]


def _request_clocks(shape: str, request_id: int) -> QuerySet[SlaClock]:
    from aftersales.accounts.models import User

    # The actor's name columns only, and no target (nothing on the card reads it): every request page runs this.
    events = ClockEvent.objects.select_related("actor").only(
        "id", "clock_id", "kind", "at", "reason", "actor_id", *(f"actor__{f}" for f in User.LABEL_FIELDS))
    return (SlaClock.objects.filter(request_id=request_id)
            .select_related("policy", "calendar")
            .prefetch_related(Prefetch("events", queryset=events))
            .order_by("kind", "sequence"))


_REQUEST_CLOCKS = PreparedQuery(_request_clocks)  # compiled once per process (`core.prepared`)


def open_clocks_q(prefix: str = "") -> Q:
    """Clocks still running towards a deadline (running, or breached and not yet stopped)."""
    return Q(**{f"{prefix}state__in": [ClockState.RUNNING, ClockState.BREACHED],
                f"{prefix}stopped_at__isnull": True, f"{prefix}due_at__isnull": False})


def with_breach_soonest(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Annotate requests with `breach_soonest_key`: the earliest due_at of their open clocks (running, or breached
    and not stopped; null if none).  `order_by(F("breach_soonest_key").asc(nulls_last=True))` gives "breaches
    soonest"."""
    soonest = (SlaClock.objects.filter(open_clocks_q(), request=OuterRef("pk"))
               .order_by().values("request").annotate(m=Min("due_at")).values("m")[:1])
    return qs.annotate(breach_soonest_key=Subquery(soonest))


def policies_for(user: Any) -> QuerySet[SlaPolicy]:
    """Policies with their targets and escalation steps (everyone who can see requests may read them)."""
    if not has_perm(user, VIEW_REQUESTS):
        return SlaPolicy.objects.none()
    return SlaPolicy.objects.prefetch_related("targets__escalations", "targets__calendar").order_by("name", "id")


GROUPS = ("month", "severity", "region", "engineer", "clock", "type")


def _scoped_clocks(user: Any) -> QuerySet[SlaClock]:
    """Clocks of the requests the user may see (the same rule as `servicedesk.selectors.requests_for`, written on
    the clock table so the report stays one aggregate query)."""
    qs = SlaClock.objects.all()
    if not has_perm(user, VIEW_REQUESTS):
        return qs.none()
    if user.role == "engineer":
        from aftersales.fieldservice.models import WorkOrder

        return qs.filter(Exists(WorkOrder.objects.filter(request=OuterRef("request_id"), engineer=user)))
    if user.role == "lead":
        return qs.filter(province_id=user.region_id)
    return qs


def compliance(user: Any, *, start: dt.datetime, end: dt.datetime,
               group_by: tuple[str, ...] = ("month", "severity")) -> list[dict[str, Any]]:
    """SLA compliance of the finished clocks (met or breached) stopped in [start, end), for the requests the user
    may see, aggregated in SQL.

    group_by: any of "month" (of the stop, in the current time zone), "severity", "region" (province id),
    "engineer" (id of the engineer of the request's latest assigned work order), "clock" (kind), "type".
    Each row: the group values plus total, met, breached and percent_met (None when total is 0)."""
    from aftersales.fieldservice.models import WorkOrder

    group_by = tuple(g for g in group_by if g in GROUPS)
    qs = _scoped_clocks(user).filter(state__in=[ClockState.MET, ClockState.BREACHED],
                                     stopped_at__gte=start, stopped_at__lt=end)
    annotations: dict[str, Any] = {}
    if "month" in group_by:
        annotations["month"] = F("stopped_month")  # stored in the company's time zone at the stop
    # "severity" is a column of the clock itself (copied from the request): no join with the requests.
    if "region" in group_by:
        annotations["region"] = "province_id"
    if "type" in group_by:
        annotations["type"] = "request__type"
    if "clock" in group_by:
        annotations["clock"] = "kind"
    if "engineer" in group_by:
        annotations["engineer"] = Subquery(
            WorkOrder.objects.filter(request=OuterRef("request_id"), engineer__isnull=False)
            .order_by("-created_at", "-id").values("engineer_id")[:1])
    qs = qs.annotate(**{k: (F(v) if isinstance(v, str) else v) for k, v in annotations.items()})
    if not group_by:
        totals = qs.aggregate(total=Count("id"), met=Count("id", filter=Q(state=ClockState.MET)),
                              breached=Count("id", filter=Q(state=ClockState.BREACHED)))
        rows_list = [totals]
        return [{**r, "percent_met": round(100.0 * r["met"] / r["total"], 1) if r["total"] else None}
                for r in rows_list]
    rows = (qs.values(*group_by)
            .annotate(total=Count("id"), met=Count("id", filter=Q(state=ClockState.MET)),
                      breached=Count("id", filter=Q(state=ClockState.BREACHED)))
            .order_by(*group_by))
    out = []
    for row in rows:
        row = dict(row)
        row["percent_met"] = round(100.0 * row["met"] / row["total"], 1) if row["total"] else None
        out.append(row)
    return out
