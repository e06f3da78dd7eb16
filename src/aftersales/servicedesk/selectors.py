"""Reads of service requests, scoped to the user, with allowlisted filters and sort keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from aftersales.core.permissions import VIEW_REQUESTS, read_scope

from .choices import OPEN_STATES
from .models import FaultCategory, ServiceRequest

SORTS = {
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "number": ("number",),
    "-number": ("-number",),
    "breach": ("breach_soonest_key", "id"),  # SLA (S4): annotated and ordered with nulls last in request_list
}
DEFAULT_SORT = "-created"
BREACH_SORT = "breach"  # SLA (S4): "breaches soonest" — the earliest deadline of the request's running clocks


def requests_for(user: Any) -> QuerySet[ServiceRequest]:
    """Requests the user may see: an engineer those with his work orders, a lead his province's, office all."""
    scope, ids = read_scope(user, VIEW_REQUESTS)
    return requests_in_scope(scope, *ids)


def requests_in_scope(scope: str, *ids: int) -> QuerySet[ServiceRequest]:
    """`requests_for` from the user's `read_scope` (also the form prepared queries build from)."""
    qs = ServiceRequest.objects.all()
    if scope == "all":
        return qs
    if scope == "own":
        from aftersales.fieldservice.models import WorkOrder

        return qs.filter(Exists(WorkOrder.objects.filter(request=OuterRef("pk"), engineer_id=ids[0])))
    if scope == "region":
        return qs.filter(province_id=ids[0])
    if scope == "no-region":
        return qs.filter(province_id=None)
    return qs.none()


def request_list(user: Any, *, state: list[str] | None = None, severity: list[str] | None = None,
                 type: list[str] | None = None, customer: int | None = None,  # noqa: A002
                 province: int | None = None, city: int | None = None, assignee: int | None = None,
                 created_from: dt.date | None = None, created_to: dt.date | None = None, open_only: bool = False,
                 q: str = "", sort: str = DEFAULT_SORT, clock: str = "") -> QuerySet[ServiceRequest]:
    qs = requests_for(user)
    if clock:
        qs = with_clock_filter(qs, status=clock)
    if state:
        qs = qs.filter(state__in=state)
    elif open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    if severity:
        qs = qs.filter(severity__in=severity)
    if type:
        qs = qs.filter(type__in=type)
    if customer:
        qs = qs.filter(customer_id=customer)
    if province:
        qs = qs.filter(province_id=province)
    if city:
        qs = qs.filter(city_id=city)
    if assignee:
        from aftersales.fieldservice.models import WorkOrder

        qs = qs.filter(Exists(WorkOrder.objects.filter(request=OuterRef("pk"), engineer_id=assignee)))
    tz = timezone.get_current_timezone()
    if created_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(created_from, dt.time.min, tz))
    if created_to:
        qs = qs.filter(created_at__lt=dt.datetime.combine(created_to + dt.timedelta(days=1), dt.time.min, tz))
    q = (q or "").strip()
    if q:
        if q.upper().startswith("SR-"):
            qs = qs.filter(number__startswith=q.upper())
        else:
            qs = qs.filter(summary__icontains=q)
    if sort == BREACH_SORT:
        return with_breach_soonest(qs).order_by(F("breach_soonest_key").asc(nulls_last=True), "id")
    return qs.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


# Long texts no list shows: not read for list rows.
LIST_DEFERRED = ("symptom", "usage_scenario", "resolution")


def with_list_relations(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """What a list row (API `ServiceRequestRow`, dashboards' queues) shows of a request's relations.

    Few joins on purpose: on PostgreSQL the planning time of a query grows steeply with its joins (6 joins cost
    ~3 ms of planning per query at 1M requests, more than the query itself), so the big per-request relations are
    joined and the small reference tables (equipment serial, fault category) read with one IN query each."""
    return (qs.select_related("customer", "site", "city").prefetch_related("equipment", "fault_category")
            .defer(*LIST_DEFERRED))


def with_table_relations(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """What the request table of the list page shows: customer, site and city only."""
    return qs.select_related("customer", "site", "city").defer(*LIST_DEFERRED)


def attach_references(rows: Iterable[ServiceRequest], *, regions: bool = True, models: bool = True,
                      categories: bool = True) -> None:
    """Fill in the small reference rows a request page shows, one IN query per table instead of joins: regions
    (province, city and the site's city), product models (the request's and its unit's) and the fault category.
    Site and equipment must have been loaded with the request (select_related) for theirs to be filled."""
    from aftersales.core.models import Region, regions_by_id
    from aftersales.customers.selectors import product_models_by_id

    rows = list(rows)
    site_cached = ServiceRequest.site.field.is_cached
    unit_cached = ServiceRequest.equipment.field.is_cached
    sites = [sr.site for sr in rows if sr.site_id and site_cached(sr)]
    units = [sr.equipment for sr in rows if sr.equipment_id and unit_cached(sr)]
    if regions:
        wanted = {i for sr in rows for i in (sr.province_id, sr.city_id) if i} | {s.city_id for s in sites}
        cached = regions_by_id()
        found = {i: cached[i] for i in wanted if i in cached}
        missing = wanted - found.keys()
        if missing:  # added since the cache was filled
            found.update(Region.objects.in_bulk(missing))
        for sr in rows:
            for name in ("province", "city"):
                if getattr(sr, f"{name}_id") in found:
                    setattr(sr, name, found[getattr(sr, f"{name}_id")])
        for site in sites:
            if site.city_id in found:
                site.city = found[site.city_id]
    if models:
        wanted = {sr.product_model_id for sr in rows if sr.product_model_id} | {u.product_model_id for u in units}
        found_models = product_models_by_id(wanted) if wanted else {}
        for sr in rows:
            if sr.product_model_id in found_models:
                sr.product_model = found_models[sr.product_model_id]
        for unit in units:
            if unit.product_model_id in found_models:
                unit.product_model = found_models[unit.product_model_id]
    if categories:
        wanted = {sr.fault_category_id for sr in rows if sr.fault_category_id}
        found_categories = FaultCategory.objects.in_bulk(wanted) if wanted else {}
        for sr in rows:
            if sr.fault_category_id in found_categories:
                sr.fault_category = found_categories[sr.fault_category_id]


def possible_duplicates(user: Any, *, equipment_id: int | None, customer_id: int | None = None,
                        exclude_id: int | None = None, days: int = 7) -> QuerySet[ServiceRequest]:
    """Open requests on the same equipment from the last `days` days, shown before a new one is saved."""
    if not equipment_id:
        return ServiceRequest.objects.none()
    since = timezone.now() - dt.timedelta(days=days)
    qs = requests_for(user).filter(equipment_id=equipment_id, state__in=OPEN_STATES, created_at__gte=since)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("-created_at")


# ---------------------------------------------------------------------------------------------------------------
# SLA (S4): filter requests by the state of their clocks, sort by "breaches soonest".

CLOCK_FILTERS = ("at_risk", "breached", "met", "finished")
AT_RISK_SHARE = 0.25  # at risk: less than a quarter of the clock's time is left (75 % used)


class _Epoch(Func):
    """Seconds since 1970 of a datetime column, so "time left ≤ a share of the clock's minutes" is plain arithmetic
    on both PostgreSQL and SQLite."""

    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::bigint", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)",
                           **extra)


def with_breach_soonest(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """Annotate `breach_soonest_key`: the earliest deadline of the request's running clocks (null when none)."""
    try:
        from aftersales.sla import selectors as sla_selectors

        return sla_selectors.with_breach_soonest(qs)
    except NotImplementedError:  # until the SLA selectors provide it: the same subquery
        from aftersales.sla.models import SlaClock

        soonest = (SlaClock.objects.filter(request=OuterRef("pk"), state="running", due_at__isnull=False)
                   .order_by().values("request").annotate(m=Min("due_at")).values("m")[:1])
        return qs.annotate(breach_soonest_key=Subquery(soonest))


def with_clock_filter(qs: QuerySet[ServiceRequest], *, status: str, kind: str = "",
                      stopped_from: dt.datetime | None = None, stopped_to: dt.datetime | None = None,
                      now: dt.datetime | None = None) -> QuerySet[ServiceRequest]:
    """Requests with a clock in this state: `at_risk` (running, under 25 % of its time left), `breached`
    (recorded breached, or running past its deadline), `met`, or `finished` (met or breached); optionally of one
    clock kind and stopped in [stopped_from, stopped_to) — the compliance report's drill-down."""
    from aftersales.sla.models import SlaClock

    if status not in CLOCK_FILTERS:
        return qs
    now = now or timezone.now()
    clocks = SlaClock.objects.filter(request=OuterRef("pk"))
    if kind:
        clocks = clocks.filter(kind=kind)
    if status == "at_risk":
        clocks = (clocks.filter(state="running", due_at__gt=now).annotate(due_epoch=_Epoch("due_at"))
                  .filter(due_epoch__lte=Value(int(now.timestamp())) + F("minutes") * int(60 * AT_RISK_SHARE)))
    elif status == "breached":
        clocks = clocks.filter(Q(state="breached") | Q(state="running", due_at__lte=now))
    elif status == "met":
        clocks = clocks.filter(state="met")
    else:
        clocks = clocks.filter(state__in=("met", "breached"))
    if stopped_from:
        clocks = clocks.filter(stopped_at__gte=stopped_from)
    if stopped_to:
        clocks = clocks.filter(stopped_at__lt=stopped_to)
    return qs.filter(Exists(clocks))
