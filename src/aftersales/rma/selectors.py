"""Reads of RMA cases, scoped to the user: office roles and the RMA clerk see all, a regional lead his province's,
an engineer the cases he registered or that came from his work orders."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from aftersales.core.permissions import VIEW_RMA, has_perm

from .choices import AGE_BUCKETS, OPEN_STATES, RMA_MACHINE, MisuseDecision, RmaState
from .models import CustomerNotice, RmaCase


def cases_for(user: Any) -> QuerySet[RmaCase]:
    qs = RmaCase.objects.all()
    if not has_perm(user, VIEW_RMA):
        return qs.none()
    if user.role == "lead":
        return qs.filter(province_id=user.region_id)
    if user.role == "engineer":
        return qs.filter(Q(registered_by=user) | Q(source_work_order__engineer=user))
    return qs


def registrable_units(user: Any, customer: Any, work_order: Any = None) -> QuerySet[Any]:
    """The units an item may be registered against: the customer's units the user may see, or, coming from a
    work order (an engineer who took the item back), the units at that work order's site."""
    from aftersales.customers.models import Equipment
    from aftersales.customers.selectors import equipment_for

    if customer is None:
        return Equipment.objects.none()
    if work_order is not None:
        units = Equipment.objects.filter(customer=customer, site_id=work_order.request.site_id)
        if work_order.request.equipment_id:
            units = units | Equipment.objects.filter(pk=work_order.request.equipment_id)
        return units.select_related("product_model", "site")
    return equipment_for(user).filter(customer=customer)


def with_relations(qs: QuerySet[RmaCase]) -> QuerySet[RmaCase]:
    return qs.select_related("customer", "equipment", "equipment__product_model", "vendor", "source_work_order",
                             "registered_by")


def bucket(days: int | None) -> str:
    if days is None:
        return ""
    for low, high, label in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return ""


def days_since_registration(case: RmaCase, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    end = timezone.localtime(case.closed_at).date() if case.closed_at else today
    return (end - timezone.localtime(case.created_at).date()).days


def days_at_vendor(case: RmaCase, today: dt.date | None = None) -> int | None:
    """Days the item has been (or was, for its last trip) away at the vendor."""
    if not case.shipped_on:
        return None
    end = case.received_on if case.received_on and case.received_on >= case.shipped_on else None
    if end is None and case.state != RmaState.AT_VENDOR:
        return None
    return ((end or today or timezone.localdate()) - case.shipped_on).days


def annotate_ageing(cases: list[RmaCase]) -> list[RmaCase]:
    today = timezone.localdate()
    for case in cases:
        case.age_days = days_since_registration(case, today)
        case.age_bucket = bucket(case.age_days)
        case.vendor_days = days_at_vendor(case, today)
        case.vendor_bucket = bucket(case.vendor_days)
    return cases


def case_list(user: Any, *, state: str = "", kind: str = "", vendor: int | None = None, q: str = "",
              age: str = "") -> QuerySet[RmaCase]:
    """Cases for the list: `state` is a state, "open" (default on screens) or ""; `age` an ageing bucket."""
    qs = with_relations(cases_for(user))
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state in RmaState.values:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if vendor:
        qs = qs.filter(vendor_id=vendor)
    if q:
        q = q.strip()[:60]
        qs = qs.filter(Q(number__icontains=q) | Q(serial__icontains=q) | Q(customer__name__icontains=q))
    if age:
        today = timezone.localdate()
        for low, high, label in AGE_BUCKETS:
            if label == age:
                newest = today - dt.timedelta(days=low)
                qs = qs.filter(created_at__date__lte=newest)
                if high is not None:
                    qs = qs.filter(created_at__date__gte=today - dt.timedelta(days=high))
    return qs.order_by("created_at", "id")


def case_detail(user: Any, pk: int) -> RmaCase:
    return with_relations(cases_for(user)).get(pk=pk)


def open_notices(user: Any) -> QuerySet[CustomerNotice]:
    """Customer-notice tasks not yet done, oldest first, for the cases the user may see."""
    return CustomerNotice.objects.filter(sent_at__isnull=True, case__in=cases_for(user)).select_related(
        "case", "case__customer").order_by("created_at", "id")


def vendor_stats(user: Any, *, since: dt.date | None = None) -> list[dict[str, Any]]:
    """Per vendor: items shipped, items back, median and average days away, and how many were away > 14 days."""
    qs = cases_for(user).filter(first_shipped_on__isnull=False, vendor__isnull=False)
    if since:
        qs = qs.filter(first_shipped_on__gte=since)
    today = timezone.localdate()
    rows: dict[int, dict[str, Any]] = {}
    for case in qs.select_related("vendor").only("vendor__name", "vendor__code", "first_shipped_on", "shipped_on",
                                                 "received_on", "state"):
        row = rows.setdefault(case.vendor_id, {"vendor_id": case.vendor_id, "vendor": case.vendor.name,
                                               "code": case.vendor.code, "shipped": 0, "returned": 0,
                                               "durations": [], "over_14": 0, "away_now": 0})
        row["shipped"] += 1
        if case.received_on:
            days = (case.received_on - case.first_shipped_on).days
            row["returned"] += 1
            row["durations"].append(days)
        else:
            days = (today - case.first_shipped_on).days if case.state == RmaState.AT_VENDOR else None
            row["away_now"] += int(days is not None)
        if days is not None and days > 14:
            row["over_14"] += 1
    result = []
    for row in sorted(rows.values(), key=lambda r: r["vendor"]):
        durations = row.pop("durations")
        row["median_days"] = statistics.median(durations) if durations else None
        row["average_days"] = round(sum(durations) / len(durations), 1) if durations else None
        result.append(row)
    return result


def allowed_actions(case: RmaCase) -> list[str]:
    """The next steps of a case for someone who handles RMA: the state machine's, narrowed by the test result
    (misuse returned as is goes back to the customer, anything else after the test goes to the clerk)."""
    actions = RMA_MACHINE.allowed(case.state)
    if case.state == RmaState.TESTED:
        as_is = case.misuse_decision == MisuseDecision.RETURN_AS_IS
        actions = [a for a in actions if a != ("hand_over" if as_is else "return")]
    if case.state == RmaState.RETESTED and case.retest_result != "failed":
        actions = [a for a in actions if a != "ship"]
    if case.state == RmaState.AT_VENDOR:
        actions.append("chase")
    return actions
