"""Reads of service requests, scoped to the user, with allowlisted filters and sort keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from aftersales.core.permissions import VIEW_REQUESTS, has_perm

from .choices import OPEN_STATES
from .models import ServiceRequest

SORTS = {
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "number": ("number",),
    "-number": ("-number",),
}
DEFAULT_SORT = "-created"


def requests_for(user: Any) -> QuerySet[ServiceRequest]:
    """Requests the user may see: an engineer those with his work orders, a lead his province's, office all."""
    qs = ServiceRequest.objects.all()
    if not has_perm(user, VIEW_REQUESTS):
        return qs.none()
    if user.role == "engineer":
        from aftersales.fieldservice.models import WorkOrder

        return qs.filter(Exists(WorkOrder.objects.filter(request=OuterRef("pk"), engineer=user)))
    if user.role == "lead":
        return qs.filter(province_id=user.region_id)
    return qs


def request_list(user: Any, *, state: list[str] | None = None, severity: list[str] | None = None,
                 type: list[str] | None = None, customer: int | None = None,  # noqa: A002
                 province: int | None = None, city: int | None = None, assignee: int | None = None,
                 created_from: dt.date | None = None, created_to: dt.date | None = None, open_only: bool = False,
                 q: str = "", sort: str = DEFAULT_SORT) -> QuerySet[ServiceRequest]:
    qs = requests_for(user)
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
    return qs.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def with_list_relations(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    return qs.select_related("customer", "site", "city", "product_model", "equipment", "fault_category")


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
