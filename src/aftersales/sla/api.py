"""REST endpoints for commitments: the clocks on a request, SLA policies, working-time calendars, compliance.

Thin: reads start from the caller's scoped selectors, policy writes go through `sla.policy_services`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from aftersales.core.api import Page, get_or_404, needs, paginate
from aftersales.core.api_errors import field_error
from aftersales.core.api_support import (
    Day,
    actor,
    body_example,
    etag,
    if_match,
    page_no,
    page_size,
    path_id,
    responses,
)
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.core.permissions import CONFIGURE, VIEW_AUDIT, VIEW_REQUESTS
from aftersales.servicedesk import selectors as desk_selectors

from . import display, policy_services
from .models import CalendarDay, SlaPolicy, WorkCalendar
from .schemas import (
    CalendarOut,
    CalendarYearOut,
    ClockOut,
    ComplianceOut,
    GroupName,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
)

router = Router(tags=["SLA"])


# -- clocks ------------------------------------------------------------------------------------------------------


def clock_out(row: display.ClockView, now: dt.datetime) -> dict[str, Any]:
    c = row.clock
    finished = row.status in (display.Status.MET, display.Status.CANCELLED) or c.stopped_at is not None
    return {
        "id": c.pk, "kind": c.kind, "sequence": c.sequence, "state": c.state, "status": row.status,
        "minutes": c.minutes, "basis": c.basis, "started_at": c.started_at, "due_at": c.due_at,
        "stopped_at": c.stopped_at, "paused_seconds": c.paused_seconds, "estimated": c.estimated,
        "seconds_left": None if finished or c.due_at is None else int((c.due_at - now).total_seconds()),
        "policy_id": c.policy_id, "policy": row.policy_name, "explanation": c.explanation,
        "events": [{"kind": e.kind, "at": e.at, "reason": e.reason} for e in row.events],
    }


@router.get("/service-requests/{id}/clocks", auth=needs(VIEW_REQUESTS), response=responses(200, list[ClockOut]),
            summary="A request's SLA clocks",
            description="Each commitment running on the request (triage, first contact, on site, resolution, "
                        "progress reports, callback, complaint answer) with its deadline, time left, status, the "
                        "policy that applied and why, and its events (start, pause, resume, stop, recompute). "
                        "`estimated` marks deadlines that use a year without an official holiday table.")
def request_clocks(request: HttpRequest, id: int = path_id()) -> list[dict[str, Any]]:  # noqa: A002
    from .views import clock_rows

    user = actor(request, VIEW_REQUESTS)
    sr = get_or_404(desk_selectors.requests_for(user), id)
    now = timezone.now()
    return [clock_out(row, now) for row in clock_rows(user, sr, now)]


# -- policies ----------------------------------------------------------------------------------------------------


def _policies() -> Any:
    return SlaPolicy.objects.prefetch_related("targets__escalations").order_by("name", "id")


def policy_out(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk, "version": policy.version, "name": policy.name, "description": policy.description,
        "is_active": policy.is_active, "request_type": policy.request_type, "severity": policy.severity,
        "region_class": policy.region_class, "customer_id": policy.customer_id,
        "targets": [{
            "id": t.pk, "clock": t.clock, "minutes": t.minutes, "basis": t.basis, "calendar_id": t.calendar_id,
            "recurring": t.recurring, "pauses_while_waiting": t.pauses_while_waiting,
            "escalations": [{"id": s.pk, "trigger": s.trigger, "value": s.value, "recipient": s.recipient}
                            for s in t.escalations.all()],
        } for t in policy.targets.all()],
    }


POLICY_EXAMPLE = {
    "name": "一般报修 同城 6 小时到场", "severity": "general", "region_class": "same_city", "request_type": "repair",
    "targets": [{"clock": "on_site", "minutes": 360, "basis": "calendar",
                 "escalations": [{"trigger": "percent", "value": 75, "recipient": "assignee"},
                                 {"trigger": "after_breach", "value": 0, "recipient": "lead"},
                                 {"trigger": "after_breach", "value": 30, "recipient": "manager"}]}],
}


@router.get("/sla-policies", auth=needs(VIEW_REQUESTS), response=responses(200, Page[PolicyOut]),
            summary="List SLA policies",
            description="Every policy with its targets and escalation steps. A request's clocks follow the most "
                        "specific active policy that matches its type, severity, region class and customer.")
def policy_list(request: HttpRequest, page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    actor(request, VIEW_REQUESTS)
    result = paginate(_policies(), page, page_size)
    result["results"] = [policy_out(p) for p in result["results"]]
    return result


@router.get("/sla-policies/{id}", auth=needs(VIEW_REQUESTS), response=responses(200, PolicyOut),
            summary="One SLA policy", description="With an `ETag` for a later PATCH.")
def policy_detail(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> dict[str, Any]:  # noqa: A002
    actor(request, VIEW_REQUESTS)
    policy = get_or_404(_policies(), id)
    etag(response, policy)
    return policy_out(policy)


def _values(data: dict[str, Any]) -> dict[str, Any]:
    from aftersales.customers.models import Customer

    values = {k: v for k, v in data.items() if k not in ("targets", "customer_id")}
    if "customer_id" in data:
        values["customer"] = (get_or_404(Customer.objects.all(), data["customer_id"])
                              if data["customer_id"] else None)
    return values


def _targets(items: list[Any] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    result = []
    for t in items:
        d = t.dict() if hasattr(t, "dict") else dict(t)
        if d.get("calendar") and not WorkCalendar.objects.filter(pk=d["calendar"]).exists():
            raise ValidationFailed(errors=[field_error(["targets", "calendar"], _("No such calendar."), "unknown")])
        result.append(d)
    return result


@router.post("/sla-policies", auth=needs(CONFIGURE), response=responses(201, PolicyOut, write=True),
             summary="Create an SLA policy", openapi_extra=body_example(POLICY_EXAMPLE),
             description="A policy with its targets (one per clock) and their escalation steps. It applies to "
                         "clocks started after it is saved.")
def policy_create(request: HttpRequest, response: HttpResponse, payload: PolicyIn) -> Any:
    user = actor(request, CONFIGURE)
    data = payload.dict()
    policy = policy_services.policy_create(actor=user, values=_values(data), targets=_targets(payload.targets) or [])
    fresh = get_or_404(_policies(), policy.pk)
    etag(response, fresh)
    return Status(201, policy_out(fresh))


@router.patch("/sla-policies/{id}", auth=needs(CONFIGURE), response=responses(200, PolicyOut, write=True),
              summary="Change an SLA policy", openapi_extra=body_example({"is_active": False}),
              description="Send the `ETag` you read as `If-Match`; a stale version answers 412. `targets`, when "
                          "given, replaces all targets. Running clocks keep the target they started with.")
def policy_update(request: HttpRequest, response: HttpResponse, payload: PolicyPatch,
                  id: int = path_id()) -> dict[str, Any]:  # noqa: A002
    user = actor(request, CONFIGURE)
    policy = get_or_404(SlaPolicy.objects.all(), id)
    data = payload.dict(exclude_unset=True)
    policy_services.policy_update(actor=user, policy=policy, values=_values(data),
                                  targets=_targets(payload.targets) if "targets" in data else None,
                                  expected_version=if_match(request))
    fresh = get_or_404(_policies(), policy.pk)
    etag(response, fresh)
    return policy_out(fresh)


# -- calendars ---------------------------------------------------------------------------------------------------


@router.get("/calendars", auth=needs(VIEW_REQUESTS), response=responses(200, Page[CalendarOut]),
            summary="Working-time calendars",
            description="Working hours per weekday, time zone, and the years whose holiday table is official.")
def calendar_list(request: HttpRequest, page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    actor(request, VIEW_REQUESTS)
    return paginate(WorkCalendar.objects.order_by("-is_default", "name", "id"), page, page_size)


@router.get("/calendars/{id}/days", auth=needs(VIEW_REQUESTS), response=responses(200, CalendarYearOut),
            summary="A calendar's holidays and make-up workdays for a year",
            description="The dates of `year` that differ from the weekly pattern. `official: false` means the "
                        "State Council notice for that year has not been entered: deadlines in it are estimated.")
def calendar_days(request: HttpRequest, id: int = path_id(),  # noqa: A002
                  year: int = Query(..., ge=2000, le=2200, examples=[2026])) -> dict[str, Any]:
    actor(request, VIEW_REQUESTS)
    calendar = get_or_404(WorkCalendar.objects.all(), id)
    days = CalendarDay.objects.filter(calendar=calendar, date__year=year).order_by("date")
    return {"calendar_id": calendar.pk, "year": year, "official": year in (calendar.official_years or []),
            "days": [{"date": d.date, "is_workday": d.is_workday, "name": d.name, "source": d.source} for d in days]}


# -- compliance --------------------------------------------------------------------------------------------------


@router.get("/sla/compliance", auth=needs(VIEW_AUDIT), response=responses(200, ComplianceOut),
            summary="SLA compliance report",
            description="Share of finished clocks (met or breached) that met their deadline, for clocks stopped "
                        "between `start` and `end` (inclusive, in the caller's time zone), grouped by up to two of "
                        "month, severity, region (province id), engineer (user id), clock and type. Aggregated in "
                        "the database. For managers and administrators (everything) and regional leads (their "
                        "province).")
def compliance(request: HttpRequest, start: Day | None = Query(None, examples=["2026-01-01"],
                                                              description="Default: twelve months ago."),
               end: Day | None = Query(None, examples=["2026-12-31"], description="Default: today."),
               group_by: list[GroupName] = Query(["month", "severity"])) -> dict[str, Any]:
    from . import selectors
    from .views import may_view_compliance

    user = actor(request, VIEW_AUDIT)
    if not may_view_compliance(user):
        raise PermissionDenied(perm="sla.compliance")
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=365)
    if end < start or (end - start).days > 366 * 3 or not 1 <= len(group_by) <= 2 or len(set(group_by)) != len(
            group_by):
        raise ValidationFailed(errors=[field_error("query", _(
            "The start must not be after the end, the period at most three years, with one or two distinct "
            "group_by keys."))])
    tz = timezone.get_current_timezone()
    rows = selectors.compliance(user, start=dt.datetime.combine(start, dt.time.min, tz),
                                end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz),
                                group_by=tuple(group_by))
    out = []
    for row in rows:
        item = {k: row.get(k) for k in ("severity", "region", "engineer", "clock", "type")}
        if "month" in row:
            from .views import _month_key

            item["month"] = _month_key(row["month"])
        total, met = int(row.get("total") or 0), int(row.get("met") or 0)
        item.update(total=total, met=met, breached=int(row.get("breached") or 0),
                    percent_met=row.get("percent_met", round(100.0 * met / total, 1) if total else None))
        out.append(item)
    return {"start": start, "end": end, "group_by": group_by, "rows": out}


