"""Reads of returns and recalls, scoped to the user: office roles see all, a regional lead his province's, an
engineer the returns he is asked to assess (or that came from his work orders)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from aftersales.core.models import regions_by_id
from aftersales.core.permissions import VIEW_RECALLS, VIEW_RETURNS, has_perm
from aftersales.fieldservice.choices import WorkOrderState

from .choices import ROLE_STEP, ReturnState
from .models import RecallCampaign, RecallUnit, ReturnApproval, ReturnRequest


def returns_for(user: Any) -> QuerySet[ReturnRequest]:
    qs = ReturnRequest.objects.all()
    if not has_perm(user, VIEW_RETURNS):
        return qs.none()
    if user.role == "lead":
        return qs.filter(province_id=user.region_id)
    if user.role == "engineer":
        return qs.filter(Q(assessor=user) | Q(source_work_order__engineer=user))
    return qs


def with_relations(qs: QuerySet[ReturnRequest]) -> QuerySet[ReturnRequest]:
    return qs.select_related("customer", "equipment", "equipment__product_model", "part", "assessor",
                             "return_location", "replacement_part", "replacement_location", "source_request",
                             "source_work_order", "bill", "created_by").prefetch_related(
        Prefetch("approvals", queryset=ReturnApproval.objects.select_related("decided_by")))


def return_list(user: Any, *, state: str = "", kind: str = "", mine: bool = False) -> QuerySet[ReturnRequest]:
    """Requests for the list; `mine` = those waiting for the user's step (his queue)."""
    qs = with_relations(returns_for(user))
    if state in ReturnState.values:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if mine:
        qs = qs.filter(state=ReturnState.IN_APPROVAL, current_step=ROLE_STEP.get(user.role, "-"))
        if user.role == "engineer":
            qs = qs.filter(Q(assessor=user) | Q(assessor__isnull=True))
    return qs.order_by("-created_at", "-id")


def return_detail(user: Any, pk: int) -> ReturnRequest:
    return with_relations(returns_for(user)).get(pk=pk)


def campaigns_for(user: Any) -> QuerySet[RecallCampaign]:
    """Campaigns are company-wide: whoever may see recalls sees every campaign (a lead, his province's units)."""
    qs = RecallCampaign.objects.select_related("product_model", "created_by")
    return qs if has_perm(user, VIEW_RECALLS) else qs.none()


def units_for(user: Any, campaign: RecallCampaign) -> QuerySet[RecallUnit]:
    qs = RecallUnit.objects.filter(campaign=campaign)
    if not has_perm(user, VIEW_RECALLS):
        return qs.none()
    if user.role == "lead":
        qs = qs.filter(province_id=user.region_id)
    return qs.select_related("equipment", "customer", "site", "site__city", "work_order", "work_order__engineer",
                             "request").prefetch_related("compensations").order_by("id")


def progress(user: Any, campaign: RecallCampaign) -> dict[str, Any]:
    """Done = the unit's work order is completed. Overall and by province, with percentages."""
    return progress_of(user, [campaign])[campaign.pk]


def progress_of(user: Any, campaigns: list[RecallCampaign]) -> dict[int, dict[str, Any]]:
    """`progress` of several campaigns (a list page) in one query: campaign id → progress."""
    units = RecallUnit.objects.filter(campaign__in=[c.pk for c in campaigns])
    if getattr(user, "role", "") == "lead":
        units = units.filter(province_id=user.region_id)
    rows = units.values("campaign_id", "province_id").annotate(
        total=Count("id"), done=Count("id", filter=Q(work_order__state=WorkOrderState.COMPLETED))).order_by()
    regions = regions_by_id()
    provinces: dict[int, list[dict[str, Any]]] = {c.pk: [] for c in campaigns}
    for row in rows:
        region = regions.get(row["province_id"])
        provinces[row["campaign_id"]].append({"province": region.label if region else "—", "total": row["total"],
                                              "done": row["done"], "percent": _percent(row["done"], row["total"])})
    result = {}
    for pk, by_province in provinces.items():
        total = sum(r["total"] for r in by_province)
        done = sum(r["done"] for r in by_province)
        result[pk] = {"total": total, "done": done, "percent": _percent(done, total),
                      "by_province": sorted(by_province, key=lambda r: r["province"])}
    return result


def _percent(done: int, total: int) -> float:
    return round(100 * done / total, 1) if total else 0.0


def preview(campaign: RecallCampaign) -> dict[str, Any]:
    """The affected units, customers and sites of a campaign's selection (before or after launch)."""
    from .services import campaign_selection

    units = campaign_selection(campaign)
    customers: dict[int, dict[str, Any]] = {}
    for unit in units:
        entry = customers.setdefault(unit.customer_id, {"customer": unit.customer, "sites": {}, "units": 0})
        entry["units"] += 1
        entry["sites"][unit.site_id] = unit.site
    return {"units": units, "unit_count": len(units), "customer_count": len(customers),
            "site_count": sum(len(c["sites"]) for c in customers.values()),
            "customers": [{"customer": c["customer"], "units": c["units"], "sites": list(c["sites"].values())}
                          for c in customers.values()]}
