"""What each role's dashboard shows, read in few, bounded queries.

With millions of requests a dashboard may only count over small or indexed sets: the open states (a few
percent of rows, index on state), date ranges on indexed columns (created_at, updated_at), pending callbacks
(index on state, due_at), open complaints and work orders by state. Counts come from one grouped query per
set, never one query per number, and never from the whole table.

Lists of ten load only the relations their rows show (a join of eight tables costs PostgreSQL more to plan than
to run). The manager's monthly flow figures (created, resolved, satisfaction this and last month) read tens of
thousands of rows at a million requests; they are cached for a minute per role and region
(`AFTERSALES_DASHBOARD_CACHE_SECONDS`, 0 turns the cache off). Everything else is read live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditEntry
from aftersales.core.permissions import VIEW_CALLBACKS, VIEW_REQUESTS, VIEW_WORK_ORDERS, read_scope
from aftersales.core.prepared import PreparedQuery
from aftersales.feedback.choices import CallbackResult, CallbackState
from aftersales.feedback.selectors import (
    OPEN_COMPLAINT_STATES,
    callbacks_for,
    callbacks_in_scope,
    complaints_for,
)
from aftersales.fieldservice.choices import ACTIVE_STATES, WorkOrderState
from aftersales.fieldservice.models import WorkOrder
from aftersales.fieldservice.selectors import with_open_load, work_orders_for, work_orders_in_scope
from aftersales.servicedesk.choices import OPEN_STATES, RequestState, Severity
from aftersales.servicedesk.models import ServiceRequest
from aftersales.servicedesk.selectors import requests_for, requests_in_scope

LIST_SIZE = 10
# Open states in the order work flows through them, for the rows of the state × severity table.
OPEN_STATE_ORDER = [RequestState.NEW, RequestState.TRIAGED, RequestState.DISPATCHED, RequestState.IN_PROGRESS,
                    RequestState.WAITING]
SEVERITY_ORDER = [Severity.URGENT, Severity.IMPORTANT, Severity.GENERAL, ""]
HOT_SEVERITIES = [Severity.URGENT, Severity.IMPORTANT]
# How long the manager's monthly flow figures are reused; 0 reads them on every request.
FLOW_CACHE_SECONDS = 60


@dataclass
class Matrix:
    """Open requests counted by state (rows) and severity (columns), from one grouped query."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


def local_day(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of today in the user's (active) time zone."""
    now = timezone.localtime(now)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def month_starts(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Start of this month and of last month, in the user's time zone."""
    now = timezone.localtime(now)
    this = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = (this - dt.timedelta(days=1)).replace(day=1)
    return this, last


def _request_rows(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """A dashboard's request list: only what `partials/requests.html` shows (customer, city)."""
    return qs.select_related("customer", "city")


def _work_order_rows(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """A dashboard's work-order list: only what `partials/work_orders.html` shows."""
    return qs.select_related("request", "request__customer", "request__site__city")


def _scoped(query: PreparedQuery[Any]) -> Callable[[tuple[str, tuple[int, ...]]], list[Any]]:
    """Call a prepared list (`core.prepared`) with a `read_scope` result."""
    return lambda scope, ids=(): query(scope, *ids)


# The dashboards' lists of ten, compiled once per scope and process (decision 0009); counts and date ranges are
# compiled per call.
_OLDEST_NEW = _scoped(PreparedQuery(lambda scope, *ids: _request_rows(
    requests_in_scope(scope, *ids).filter(state=RequestState.NEW)).order_by("created_at", "id")[:LIST_SIZE]))
_OLDEST_TRIAGED = _scoped(PreparedQuery(lambda scope, *ids: _request_rows(
    requests_in_scope(scope, *ids).filter(state=RequestState.TRIAGED)).order_by("created_at", "id")[:LIST_SIZE]))
# In the order of the partial index sr_open_queue_idx: the LIMIT reads ten index entries.
_HOT = _scoped(PreparedQuery(lambda scope, *ids: _request_rows(
    requests_in_scope(scope, *ids).filter(state__literal_in=OPEN_STATES, severity__in=HOT_SEVERITIES))
    .order_by("-severity", "created_at", "id")[:LIST_SIZE]))
_UNASSIGNED = _scoped(PreparedQuery(lambda scope, *ids: _work_order_rows(
    work_orders_in_scope(scope, *ids).filter(state=WorkOrderState.UNASSIGNED)).order_by("created_at", "id")[:LIST_SIZE]))
_FIRST_PENDING_CALLBACKS = _scoped(PreparedQuery(lambda scope, *ids: callbacks_in_scope(scope, *ids)
                                                 .filter(state=CallbackState.PENDING)
                                                 .select_related("request", "request__customer")
                                                 .order_by("due_at", "id")[:LIST_SIZE]))
# A lead's: from the few unassigned work orders, each checked to be on a request in scope (EXISTS).
_UNASSIGNED_OF_REQUESTS = _scoped(PreparedQuery(lambda scope, *ids: _work_order_rows(
    WorkOrder.objects.filter(state=WorkOrderState.UNASSIGNED)
    .filter(Exists(requests_in_scope(scope, *ids).filter(pk=OuterRef("request_id")))))
    .order_by("created_at", "id")[:LIST_SIZE]))


def _open_counts(requests: Any) -> dict[tuple[str, str], int]:
    """Open requests per (state, severity) in one grouped query; severity "" stands for not yet set."""
    counts: dict[tuple[str, str], int] = {}
    # COUNT(*), not COUNT(id): the partial index sr_open_counts_idx (province, state, severity) then answers alone.
    # literal_in: written as the index's condition, so that SQLite can use it (core/lookups.py).
    for row in (requests.filter(state__literal_in=OPEN_STATES).order_by().values("state", "severity")
                .annotate(n=Count("*"))):
        key = (row["state"], row["severity"] or "")
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def _state_totals(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    states = dict.fromkeys(OPEN_STATE_ORDER, 0)
    for (state, _severity), n in counts.items():
        states[state] = states.get(state, 0) + n
    return states


def _open_by_state_and_severity(requests: Any, counts: dict[tuple[str, str], int] | None = None) -> Matrix:
    if counts is None:
        counts = _open_counts(requests)
    labels = dict(RequestState.choices)
    severity_labels = {**dict(Severity.choices), "": "—"}
    matrix = Matrix()
    for severity in SEVERITY_ORDER:
        total = sum(n for (_s, sev), n in counts.items() if sev == severity)
        if severity or total:
            matrix.columns.append({"severity": severity, "label": severity_labels[severity], "total": total})
    for state in OPEN_STATE_ORDER:
        cells = [{"severity": c["severity"], "n": counts.get((state, c["severity"]), 0)} for c in matrix.columns]
        matrix.rows.append({"state": state, "label": labels[state], "cells": cells, "total": sum(c["n"] for c in cells)})
    matrix.total = sum(counts.values())
    return matrix


def _open_state_counts(requests: Any) -> dict[str, int]:
    rows = requests.filter(state__in=OPEN_STATES).order_by().values("state").annotate(n=Count("*"))
    counts = dict.fromkeys(OPEN_STATE_ORDER, 0)
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def agent_dashboard(user: Any) -> dict[str, Any]:
    """Hotline agent: requests awaiting triage, callbacks due and overdue, what came in today."""
    now = timezone.now()
    day_start, day_end = local_day(now)
    requests = requests_for(user)
    states = _open_state_counts(requests)
    oldest_new = _OLDEST_NEW(*read_scope(user, VIEW_REQUESTS))
    pending = callbacks_for(user).filter(state=CallbackState.PENDING)
    callbacks = pending.aggregate(total=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)),
                                  due_today=Count("id", filter=Q(due_at__lt=day_end)))
    # The first ten pending by due time, kept if due today: the same rows as filtering by the day in SQL, with a
    # statement that does not change with the day.
    due_list = [c for c in _FIRST_PENDING_CALLBACKS(*read_scope(user, VIEW_CALLBACKS)) if c.due_at < day_end]
    today = requests.filter(created_at__gte=day_start, created_at__lt=day_end).aggregate(
        total=Count("id"), mine=Count("id", filter=Q(created_by=user)))
    return {
        "states": states, "new_count": states[RequestState.NEW], "oldest_new": oldest_new,
        "callbacks": callbacks, "due_callbacks": due_list, "today": today, "day": day_start.date(), "now": now,
    }


def dispatcher_dashboard(user: Any) -> dict[str, Any]:
    """Dispatcher: unassigned work orders, triaged requests not yet dispatched, urgent work, today's appointments."""
    now = timezone.now()
    day_start, day_end = local_day(now)
    requests = requests_for(user)
    orders = work_orders_for(user)
    # One grouped query gives both the state counts and the urgent/important totals.
    counts = _open_counts(requests)
    states = _state_totals(counts)
    unassigned = orders.filter(state=WorkOrderState.UNASSIGNED)
    unassigned_count = unassigned.count()
    scope = read_scope(user, VIEW_REQUESTS)
    unassigned_list = _UNASSIGNED(*read_scope(user, VIEW_WORK_ORDERS))
    triaged_list = _OLDEST_TRIAGED(*scope)
    hot_counts = {severity: sum(n for (_state, sev), n in counts.items() if sev == severity)
                  for severity in HOT_SEVERITIES}
    hot_list = _HOT(*scope)
    appointments = list(
        orders.filter(appointment_start__gte=day_start, appointment_start__lt=day_end,
                      state__in=[*ACTIVE_STATES, WorkOrderState.COMPLETED])
        .order_by().values("engineer_id", "engineer__display_name", "engineer__username")
        .annotate(n=Count("id"), done=Count("id", filter=Q(state=WorkOrderState.COMPLETED)))
        .order_by("engineer__display_name", "engineer__username")
    )
    return {
        "states": states, "unassigned_count": unassigned_count, "unassigned": unassigned_list,
        "triaged_count": states[RequestState.TRIAGED], "triaged": triaged_list, "hot_counts": hot_counts,
        "hot": hot_list, "appointments": appointments, "day": day_start.date(), "now": now,
    }


def lead_dashboard(user: Any) -> dict[str, Any]:
    """Regional lead: his province's open requests by state and severity, unassigned work, engineers' load."""
    requests = requests_for(user)
    # Start from the few unassigned work orders and check each one's request is in scope (EXISTS), rather than
    # joining all of the province's requests.
    unassigned = WorkOrder.objects.filter(state=WorkOrderState.UNASSIGNED).filter(
        Exists(requests.filter(pk=OuterRef("request_id"))))
    province = user.region_id
    engineers: list[Any] = []
    if province:
        engineers = list(get_user_model().objects.filter(role=Role.ENGINEER, is_active=True)
                         .filter(Q(region_id=province) | Q(region__parent_id=province)).select_related("region"))
        with_open_load(engineers)
        engineers.sort(key=lambda e: (-e.open_load, str(e)))
    return {
        "region": user.region, "matrix": _open_by_state_and_severity(requests),
        "unassigned_count": unassigned.count(),
        "unassigned": _UNASSIGNED_OF_REQUESTS(*read_scope(user, VIEW_REQUESTS)),
        "engineers": engineers,
    }


# At most this many recently updated, once-reopened requests are checked for a reopening this month.
REOPEN_CANDIDATES = 2000
LOW_SATISFACTION = 2  # ratings 1-2 are "low"; the partial index callback_low_idx holds just these


def _monthly_flow(user: Any, this_month: dt.datetime, last_month: dt.datetime) -> dict[str, Any]:
    """Requests created and resolved this and last month, and this month's satisfaction (CSAT).

    Each figure reads every row of its month (tens of thousands at a million requests), so the result is kept
    for FLOW_CACHE_SECONDS per role, region and month start (which carries the user's time zone).
    """
    seconds = getattr(settings, "AFTERSALES_DASHBOARD_CACHE_SECONDS", FLOW_CACHE_SECONDS)
    key = f"reporting:flow:{user.role}:{getattr(user, 'region_id', None) or 0}:{this_month.isoformat()}"
    if seconds:
        cached = cache.get(key)
        if cached is not None:
            return cached
    requests = requests_for(user)
    created = requests.filter(created_at__gte=last_month).aggregate(
        this=Count("id", filter=Q(created_at__gte=this_month)), last=Count("id", filter=Q(created_at__lt=this_month)))
    # resolved_at is cleared on reopen, so this counts requests whose (latest) resolution fell in the month
    # (a range of sr_resolved_idx).
    resolved = requests.filter(resolved_at__gte=last_month).aggregate(
        this=Count("id", filter=Q(resolved_at__gte=this_month)),
        last=Count("id", filter=Q(resolved_at__lt=this_month)))
    # Callbacks answered this month, however late they were made (a range of callback_done_idx).
    answered = callbacks_for(user).filter(state=CallbackState.DONE, done_at__gte=this_month,
                                          result=CallbackResult.REACHED, satisfaction__isnull=False)
    figures = answered.aggregate(average=Avg("satisfaction"), answers=Count("id"),
                                 happy=Count("id", filter=Q(satisfaction__gte=4)))
    csat = {"average": figures["average"], "answers": figures["answers"], "happy": figures["happy"],
            "share": round(100 * figures["happy"] / figures["answers"]) if figures["answers"] else None}
    flow = {"created": created, "resolved": resolved, "csat": csat}
    if seconds:
        cache.set(key, flow, seconds)
    return flow


def manager_dashboard(user: Any) -> dict[str, Any]:
    """After-sales manager: open work by state × severity, monthly flow, satisfaction, complaints, reopenings."""
    now = timezone.now()
    this_month, last_month = month_starts(now)
    requests = requests_for(user)
    flow = _monthly_flow(user, this_month, last_month)
    # Low ratings of the last 30 days, read live from the partial index callback_low_idx.
    low = callbacks_for(user).filter(state=CallbackState.DONE, done_at__gte=now - dt.timedelta(days=30),
                                     satisfaction__lte=LOW_SATISFACTION)
    complaints = complaints_for(user).filter(state__in=OPEN_COMPLAINT_STATES)
    complaint_states = {r["state"]: r["n"] for r in complaints.order_by().values("state").annotate(n=Count("id"))}
    # Reopened this month: candidates are requests updated this month that were ever reopened (the partial index
    # sr_reopened_idx holds only those); a reopen entry this month confirms each. Two plain queries, so no
    # planner can turn it into an audit scan.
    candidates = list(requests.filter(updated_at__gte=this_month, reopen_count__gt=0)
                      .order_by("-updated_at", "-id").values_list("pk", flat=True)[:REOPEN_CANDIDATES])
    sr_type = ContentType.objects.get_for_model(ServiceRequest)
    confirmed = set(AuditEntry.objects.filter(content_type=sr_type, object_id__in=candidates, verb="reopen",
                                              at__gte=this_month).values_list("object_id", flat=True)) if candidates else set()
    reopened_ids = [pk for pk in candidates if pk in confirmed]
    reopened_list = sorted(_request_rows(ServiceRequest.objects.filter(pk__in=reopened_ids[:LIST_SIZE])),
                           key=lambda r: reopened_ids.index(r.pk)) if reopened_ids else []
    return {
        "matrix": _open_by_state_and_severity(requests), "created": flow["created"], "resolved": flow["resolved"],
        "this_month": this_month.date(), "last_month": last_month.date(),
        "last_month_end": (this_month - dt.timedelta(days=1)).date(), "today": timezone.localdate(),
        "csat": flow["csat"],
        "low_count": low.count(),
        "low": list(low.select_related("request", "request__customer").order_by("-done_at", "-id")[:LIST_SIZE]),
        "complaint_states": complaint_states, "complaint_count": sum(complaint_states.values()),
        "complaints": list(complaints.select_related("customer").order_by("-created_at")[:5]),
        "reopened": reopened_list, "reopened_count": len(reopened_ids),
        "reopened_capped": len(candidates) == REOPEN_CANDIDATES,
    }


def admin_dashboard(user: Any) -> dict[str, Any]:
    """Administrator: users per role, links to the admin site, the latest audit entries."""
    labels = dict(Role.choices)
    rows = {r["role"]: r for r in get_user_model().objects.order_by().values("role").annotate(
        total=Count("id"), active=Count("id", filter=Q(is_active=True)))}
    roles = [{"role": role, "label": label, "total": rows.get(role, {}).get("total", 0),
              "active": rows.get(role, {}).get("active", 0)} for role, label in labels.items()]
    # The latest entries by primary key alone; their content types come from ContentType's own cache. Joining
    # content types made SQLite read the audit table by content type and sort it all (1.5 s at 100,000 requests).
    recent = list(AuditEntry.objects.select_related("actor").order_by("-id")[:15])
    for entry in recent:
        entry.content_type = ContentType.objects.get_for_id(entry.content_type_id)
    return {"roles": roles, "recent": recent}


DASHBOARDS = {
    Role.AGENT: ("reporting/agent.html", agent_dashboard),
    Role.DISPATCHER: ("reporting/dispatcher.html", dispatcher_dashboard),
    Role.LEAD: ("reporting/lead.html", lead_dashboard),
    Role.MANAGER: ("reporting/manager.html", manager_dashboard),
    Role.ADMIN: ("reporting/admin.html", admin_dashboard),
}
