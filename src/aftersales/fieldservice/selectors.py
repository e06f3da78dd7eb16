"""Reads of work orders and visits, scoped to the user, and the ranking of engineers for an assignment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from aftersales.core.permissions import VIEW_WORK_ORDERS, read_scope
from aftersales.core.prepared import PreparedQuery

from .choices import ACTIVE_STATES, WorkOrderState
from .models import Assignment, Visit, WorkOrder


def work_orders_for(user: Any) -> QuerySet[WorkOrder]:
    """Work orders the user may see: an engineer his own, a lead his province's, office roles all."""
    scope, ids = read_scope(user, VIEW_WORK_ORDERS)
    return work_orders_in_scope(scope, *ids)


def with_appointment_days(qs: QuerySet[WorkOrder], first: dt.date | None,
                          last: dt.date | None) -> QuerySet[WorkOrder]:
    """Work booked to start on the days `first`..`last` (either may be open), whole days in the current time zone
    (the indexes `wo_appointment_idx` and `wo_engineer_day_idx` serve it)."""
    tz = timezone.get_current_timezone()
    if first:
        qs = qs.filter(appointment_start__gte=dt.datetime.combine(first, dt.time.min, tz))
    if last:
        qs = qs.filter(appointment_start__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz))
    return qs


def work_orders_in_scope(scope: str, *ids: int) -> QuerySet[WorkOrder]:
    """`work_orders_for` from the user's `read_scope` (also the form prepared queries build from)."""
    qs = WorkOrder.objects.all()
    if scope == "all":
        return qs
    if scope == "own":
        return qs.filter(engineer_id=ids[0])
    if scope == "region":
        return qs.filter(request__province_id=ids[0])
    if scope == "no-region":
        return qs.filter(request__province_id=None)
    return qs.none()


def with_relations(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return qs.select_related(
        "request", "request__customer", "request__site", "request__site__city", "request__equipment",
        "request__product_model", "engineer", "required_skill",
    )


def work_order_detail(user: Any, pk: int) -> WorkOrder:
    return with_relations(work_orders_for(user)).prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("engineer", "assigned_by")),
        Prefetch("visits", queryset=Visit.objects.select_related("engineer").prefetch_related("parts", "photos")),
    ).get(pk=pk)


def visits_for(user: Any) -> QuerySet[Visit]:
    return Visit.objects.filter(work_order__in=work_orders_for(user).values("pk"))


def has_active_work_orders(request: Any) -> bool:
    return WorkOrder.objects.filter(request=request, state__in=[*ACTIVE_STATES, WorkOrderState.UNASSIGNED]).exists()


def engineers() -> QuerySet[Any]:
    return get_user_model().objects.filter(role="engineer", is_active=True)


@dataclass
class EngineerRank:
    """An engineer as a candidate for a work order, with why he ranks where he does."""

    engineer: Any
    skill_match: bool
    region_match: str  # "city", "province" or "other"
    open_load: int
    score: int


def open_loads(engineer_ids: list[int]) -> dict[int, int]:
    """Each engineer's open (active) work orders: one grouped read of the active rows only.

    An annotated `Count("work_orders", filter=...)` on the engineers joins every work order each engineer ever had
    (completed ones are 98 % of them) before filtering: 0.54 s for 60 engineers at 100,000 requests. COUNT(*) per
    engineer over the active states is answered from the (engineer, state) index alone."""
    if not engineer_ids:
        return {}
    return dict(WorkOrder.objects.filter(state__in=ACTIVE_STATES, engineer__in=engineer_ids)
                .order_by().values("engineer").annotate(n=Count("*")).values_list("engineer", "n"))


def with_open_load(people: list[Any]) -> list[Any]:
    """Set `open_load` on each of these engineers (`open_loads`) and return them."""
    load = open_loads([p.pk for p in people])
    for person in people:
        person.open_load = load.get(person.pk, 0)
    return people


def rank_engineers(work_order: WorkOrder, limit: int = 20) -> list[EngineerRank]:
    """Rank engineers by skill match, then nearness to the site, then fewest open work orders."""
    request = work_order.request
    wanted: set[int] = set()
    if work_order.required_skill_id:
        wanted.add(work_order.required_skill_id)
    elif request.product_model_id:
        wanted.update(request.product_model.skills.values_list("id", flat=True))
    people = with_open_load(list(engineers().select_related("region", "region__parent").prefetch_related("skills")))
    ranked = []
    for person in people:
        skills = {s.id for s in person.skills.all()}
        skill_match = not wanted or bool(skills & wanted)
        region = person.region
        if region is not None and request.city_id and region.pk == request.city_id:
            near = "city"
        elif region is not None and request.province_id and region.province.pk == request.province_id:
            near = "province"
        else:
            near = "other"
        score = (100 if skill_match else 0) + {"city": 30, "province": 15, "other": 0}[near] - 5 * person.open_load
        ranked.append(EngineerRank(person, skill_match, near, person.open_load, score))
    ranked.sort(key=lambda r: (-r.score, r.open_load, str(r.engineer)))
    return ranked[:limit]


# The unassigned column shows at most this many cards (the oldest urgent ones first); the count says how many wait.
# A dispatcher works from the top of the queue, and each card costs ~0.5 ms of the page.
BOARD_UNASSIGNED_MAX = 50
# The columns a board card reads: a full row of each of the five tables cost ~2,000 value conversions a board.
BOARD_CARD_FIELDS = (
    "number", "state", "engineer_id", "request_id", "appointment_start", "appointment_end", "created_at",
    "request__number", "request__severity", "request__summary", "request__customer_id", "request__site_id",
    "request__customer__name", "request__site__name", "request__site__city_id", "request__site__city__name",
)


def board(user: Any, day: dt.date) -> dict[str, Any]:
    """The dispatch board: unassigned work, and each engineer's work orders for the day."""
    # Only what a card shows (`templatetags/board.py`).
    scope = work_orders_for(user).select_related(
        "request", "request__customer", "request__site", "request__site__city",
    ).only(*BOARD_CARD_FIELDS)
    # Urgent first, then important, each oldest first; sorted in SQL so that the cap never hides an urgent job.
    urgency = Case(When(request__severity="urgent", then=Value(0)), When(request__severity="important", then=Value(1)),
                   default=Value(2), output_field=IntegerField())
    waiting = work_orders_for(user).filter(state=WorkOrderState.UNASSIGNED)
    # The queue is ordered on the work order and its request alone, then the page's cards are read with their
    # customer and site (joining those for every waiting order before the sort cost most of the query).
    first = list(waiting.order_by(urgency, "created_at", "id").values_list("id", flat=True)[:BOARD_UNASSIGNED_MAX])
    by_id = scope.in_bulk(first)
    unassigned = [by_id[pk] for pk in first if pk in by_id]
    unassigned_count = len(first) if len(first) < BOARD_UNASSIGNED_MAX else waiting.count()
    # The day's appointments (an index range), then open work not yet booked (a few rows of the active states):
    # as one OR the database intersected the state index over all of history.
    day_orders = list(with_appointment_days(scope.filter(state__in=ACTIVE_STATES | {WorkOrderState.COMPLETED}),
                                            day, day).order_by("appointment_start", "id"))
    day_orders += list(scope.filter(state__in=ACTIVE_STATES, appointment_start__isnull=True).order_by("created_at", "id"))
    people = list(engineers().select_related("region", "region__parent").order_by("region__code", "username"))
    if user.role == "lead":
        people = [p for p in people if p.region is not None and p.region.province.pk == user.region_id]
    with_open_load(people)
    lanes: dict[int, list[WorkOrder]] = {p.pk: [] for p in people}
    for wo in day_orders:
        if wo.engineer_id in lanes:
            lanes[wo.engineer_id].append(wo)
    return {
        "day": day,
        "unassigned": unassigned,
        "unassigned_count": unassigned_count,
        "lanes": [{"engineer": p, "work_orders": lanes[p.pk], "open_load": p.open_load} for p in people],
    }


# The engineer's phone shows this many open work orders at a time (a busy engineer may hold hundreds).
MY_WORK_PAGE = 50


def my_work(user: Any) -> QuerySet[WorkOrder]:
    """An engineer's open work orders: overdue and today's appointments first (soonest first), then later ones,
    then those without an appointment yet; with only the relations his list shows."""
    return _my_work("list", user.pk)


def _my_work(shape: Any, engineer_id: int) -> QuerySet[WorkOrder]:
    """`shape`: "list", or ("first", n) for the first n rows (the size is part of the shape: it is in the SQL)."""
    qs = (
        WorkOrder.objects.filter(engineer_id=engineer_id, state__in=ACTIVE_STATES)
        .select_related("request", "request__customer", "request__site")
        # An order stays "on site" from arrival to completion; with no visit open he has left (`_job_card`).
        .annotate(visit_open=Exists(Visit.objects.filter(work_order=OuterRef("pk"), departed_at__isnull=True)))
        .order_by(F("appointment_start").asc(nulls_last=True), "created_at", "id")
    )
    return qs[:shape[1]] if shape != "list" else qs


_MY_WORK_FIRST = PreparedQuery(_my_work)


def my_work_first_page(user: Any) -> tuple[list[WorkOrder], bool]:
    """The first MY_WORK_PAGE of `my_work`, and whether there are more (one prepared query, no count)."""
    rows = _MY_WORK_FIRST(("first", MY_WORK_PAGE + 1), user.pk)
    return rows[:MY_WORK_PAGE], len(rows) > MY_WORK_PAGE


def unsigned_visits_exist(work_order: WorkOrder) -> bool:
    return Visit.objects.filter(work_order=work_order).filter(~Exists(
        Visit.objects.filter(pk=OuterRef("pk"), receipt__isnull=False))).exists()
