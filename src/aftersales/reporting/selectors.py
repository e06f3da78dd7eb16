"""What each role's dashboard shows, read in few, bounded queries.

With millions of requests a dashboard may only count over small or indexed sets: the open states (a few
percent of rows, index on state), date ranges on indexed columns (created_at, updated_at), pending callbacks
(index on state, due_at), open complaints and work orders by state. Counts come from one grouped query per
set, never one query per number, and never from the whole table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.core.models import AuditEntry
from aftersales.feedback.choices import CallbackResult, CallbackState
from aftersales.feedback.selectors import OPEN_COMPLAINT_STATES, callbacks_for, complaints_for
from aftersales.fieldservice.choices import ACTIVE_STATES, WorkOrderState
from aftersales.fieldservice.models import WorkOrder
from aftersales.fieldservice.selectors import with_relations, work_orders_for
from aftersales.servicedesk.choices import OPEN_STATES, RequestState, Severity
from aftersales.servicedesk.models import ServiceRequest
from aftersales.servicedesk.selectors import requests_for, with_list_relations

LIST_SIZE = 10
# Open states in the order work flows through them, for the rows of the state × severity table.
OPEN_STATE_ORDER = [RequestState.NEW, RequestState.TRIAGED, RequestState.DISPATCHED, RequestState.IN_PROGRESS,
                    RequestState.WAITING]
SEVERITY_ORDER = [Severity.URGENT, Severity.IMPORTANT, Severity.GENERAL, ""]


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


def _open_by_state_and_severity(requests: Any) -> Matrix:
    counts: dict[tuple[str, str], int] = {}
    for row in requests.filter(state__in=OPEN_STATES).order_by().values("state", "severity").annotate(n=Count("id")):
        counts[(row["state"], row["severity"] or "")] = row["n"]
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
    rows = requests.filter(state__in=OPEN_STATES).order_by().values("state").annotate(n=Count("id"))
    counts = dict.fromkeys(OPEN_STATE_ORDER, 0)
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def agent_dashboard(user: Any) -> dict[str, Any]:
    """Hotline agent: requests awaiting triage, callbacks due and overdue, what came in today."""
    now = timezone.now()
    day_start, day_end = local_day(now)
    requests = requests_for(user)
    states = _open_state_counts(requests)
    oldest_new = list(with_list_relations(requests.filter(state=RequestState.NEW)).order_by("created_at", "id")
                      [:LIST_SIZE])
    pending = callbacks_for(user).filter(state=CallbackState.PENDING)
    callbacks = pending.aggregate(total=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)),
                                  due_today=Count("id", filter=Q(due_at__lt=day_end)))
    due_list = list(pending.filter(due_at__lt=day_end).select_related("request", "request__customer")
                    .order_by("due_at", "id")[:LIST_SIZE])
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
    states = _open_state_counts(requests)
    unassigned = orders.filter(state=WorkOrderState.UNASSIGNED)
    unassigned_count = unassigned.count()
    unassigned_list = list(with_relations(unassigned).order_by("created_at", "id")[:LIST_SIZE])
    triaged_list = list(with_list_relations(requests.filter(state=RequestState.TRIAGED))
                        .order_by("created_at", "id")[:LIST_SIZE])
    hot = requests.filter(state__in=OPEN_STATES, severity__in=[Severity.URGENT, Severity.IMPORTANT])
    hot_counts = {Severity.URGENT: 0, Severity.IMPORTANT: 0}
    hot_counts.update({r["severity"]: r["n"] for r in hot.order_by().values("severity").annotate(n=Count("id"))})
    hot_list = list(with_list_relations(hot).order_by("-severity", "created_at", "id")[:LIST_SIZE])
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
        load = dict(WorkOrder.objects.filter(state__in=ACTIVE_STATES, engineer__in=[e.pk for e in engineers])
                    .order_by().values("engineer").annotate(n=Count("id")).values_list("engineer", "n"))
        for engineer in engineers:
            engineer.open_load = load.get(engineer.pk, 0)
        engineers.sort(key=lambda e: (-e.open_load, str(e)))
    return {
        "region": user.region, "matrix": _open_by_state_and_severity(requests),
        "unassigned_count": unassigned.count(),
        "unassigned": list(with_relations(unassigned).order_by("created_at", "id")[:LIST_SIZE]),
        "engineers": engineers,
    }


# A callback is due a day after the resolution and done within days; one done more than a month after it fell
# due is not counted by these figures. The bound lets the (state, due_at) index limit the rows read; an index on
# (state, done_at) would make it unnecessary (requested).
CALLBACK_LATE_LIMIT = dt.timedelta(days=30)
# At most this many recently updated, once-reopened requests are checked for a reopening this month.
REOPEN_CANDIDATES = 2000


def _done_since(start: dt.datetime) -> dict[str, Any]:
    return {"done_at__gte": start, "due_at__gte": start - CALLBACK_LATE_LIMIT}


def manager_dashboard(user: Any) -> dict[str, Any]:
    """After-sales manager: open work by state × severity, monthly flow, satisfaction, complaints, reopenings."""
    now = timezone.now()
    this_month, last_month = month_starts(now)
    requests = requests_for(user)
    created = requests.filter(created_at__gte=last_month).aggregate(
        this=Count("id", filter=Q(created_at__gte=this_month)), last=Count("id", filter=Q(created_at__lt=this_month)))
    # resolved_at is cleared on reopen, so this counts requests whose (latest) resolution fell in the month.
    # Resolving writes the row, so updated_at >= resolved_at: the indexed updated_at range bounds the scan exactly.
    resolved = requests.filter(updated_at__gte=last_month, resolved_at__gte=last_month).aggregate(
        this=Count("id", filter=Q(resolved_at__gte=this_month)),
        last=Count("id", filter=Q(resolved_at__lt=this_month)))
    callbacks = callbacks_for(user).filter(state=CallbackState.DONE)
    low_since = now - dt.timedelta(days=30)
    answered = Q(done_at__gte=this_month, result=CallbackResult.REACHED, satisfaction__isnull=False)
    low_q = Q(done_at__gte=low_since, satisfaction__lte=2)
    # One pass over the callbacks done since the earlier of the two windows gives CSAT and the low-rating count.
    figures = callbacks.filter(**_done_since(min(this_month, low_since))).aggregate(
        average=Avg("satisfaction", filter=answered), answers=Count("id", filter=answered),
        happy=Count("id", filter=answered & Q(satisfaction__gte=4)), low=Count("id", filter=low_q))
    csat = {"average": figures["average"], "answers": figures["answers"], "happy": figures["happy"],
            "share": round(100 * figures["happy"] / figures["answers"]) if figures["answers"] else None}
    low = callbacks.filter(**_done_since(low_since)).filter(low_q)
    complaints = complaints_for(user).filter(state__in=OPEN_COMPLAINT_STATES)
    complaint_states = {r["state"]: r["n"] for r in complaints.order_by().values("state").annotate(n=Count("id"))}
    # Reopened this month: candidates are requests updated this month (indexed range) that were ever reopened;
    # a reopen entry this month confirms each. Two plain queries, so no planner can turn it into an audit scan.
    candidates = list(requests.filter(updated_at__gte=this_month, reopen_count__gt=0)
                      .order_by("-updated_at", "-id").values_list("pk", flat=True)[:REOPEN_CANDIDATES])
    sr_type = ContentType.objects.get_for_model(ServiceRequest)
    confirmed = set(AuditEntry.objects.filter(content_type=sr_type, object_id__in=candidates, verb="reopen",
                                              at__gte=this_month).values_list("object_id", flat=True)) if candidates else set()
    reopened_ids = [pk for pk in candidates if pk in confirmed]
    reopened_list = sorted(with_list_relations(ServiceRequest.objects.filter(pk__in=reopened_ids[:LIST_SIZE])),
                           key=lambda r: reopened_ids.index(r.pk)) if reopened_ids else []
    return {
        "matrix": _open_by_state_and_severity(requests), "created": created, "resolved": resolved,
        "this_month": this_month.date(), "last_month": last_month.date(),
        "last_month_end": (this_month - dt.timedelta(days=1)).date(), "today": timezone.localdate(),
        "csat": csat,
        "low_count": figures["low"],
        "low": list(low.select_related("request", "request__customer", "done_by").order_by("-done_at")[:LIST_SIZE]),
        "complaint_states": complaint_states, "complaint_count": sum(complaint_states.values()),
        "complaints": list(complaints.select_related("customer", "request").order_by("-created_at")[:5]),
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
    recent = list(AuditEntry.objects.select_related("actor", "content_type").order_by("-id")[:15])
    return {"roles": roles, "recent": recent}


DASHBOARDS = {
    Role.AGENT: ("reporting/agent.html", agent_dashboard),
    Role.DISPATCHER: ("reporting/dispatcher.html", dispatcher_dashboard),
    Role.LEAD: ("reporting/lead.html", lead_dashboard),
    Role.MANAGER: ("reporting/manager.html", manager_dashboard),
    Role.ADMIN: ("reporting/admin.html", admin_dashboard),
}
