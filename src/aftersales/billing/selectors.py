"""Reads of bills and quotes, scoped to the user: an engineer his own work orders', a lead his province's."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from aftersales.core.permissions import VIEW_BILLING, has_perm

from .choices import QuoteState
from .models import Bill, CompanyAccount, Quote


def bills_for(user: Any) -> QuerySet[Bill]:
    """Bills the user may see. Bills without a work order (refunds) follow the customer's sites for a lead and
    are not shown to engineers."""
    qs = Bill.objects.all()
    if not has_perm(user, VIEW_BILLING):
        return qs.none()
    if user.role == "engineer":
        return qs.filter(work_order__engineer=user)
    if user.role == "lead":
        from aftersales.customers.models import Site

        in_province = Exists(Site.objects.filter(customer=OuterRef("customer_id"), province_id=user.region_id))
        return qs.filter(Q(work_order__request__province_id=user.region_id)
                         | (Q(work_order__isnull=True) & in_province))
    return qs


def bill_list(user: Any, *, payment_status: str = "", service_class: str = "", customer: int | None = None,
              state: str = "", q: str = "") -> QuerySet[Bill]:
    qs = bills_for(user).select_related("customer", "work_order")
    if payment_status:
        qs = qs.filter(payment_status=payment_status)
    if service_class:
        qs = qs.filter(service_class=service_class)
    if customer:
        qs = qs.filter(customer_id=customer)
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(reference__icontains=q))
    return qs.order_by("-created_at", "-id")


def bill_detail(user: Any, pk: int) -> Bill:
    return bills_for(user).select_related(
        "customer", "work_order", "work_order__request", "work_order__contract", "created_by", "settled_by",
    ).prefetch_related("lines", "lines__part", "payments", "payments__account", "payments__recorded_by").get(pk=pk)


def quotes_for(user: Any) -> QuerySet[Quote]:
    from aftersales.fieldservice.selectors import work_orders_for

    if not has_perm(user, VIEW_BILLING):
        return Quote.objects.none()
    return Quote.objects.filter(work_order__in=work_orders_for(user).values("pk"))


def quote_detail(user: Any, pk: int) -> Quote:
    return quotes_for(user).select_related(
        "work_order", "work_order__request", "work_order__request__customer", "work_order__engineer",
        "created_by", "recorded_by",
    ).prefetch_related("lines").get(pk=pk)


def current_quote(work_order: Any) -> Quote | None:
    """The quote that matters now: the approved one, else the one awaiting approval, else the latest."""
    quotes = list(Quote.objects.filter(work_order=work_order).order_by("-created_at", "-id"))
    for state in (QuoteState.APPROVED, QuoteState.DRAFT):
        for quote in quotes:
            if quote.state == state:
                return quote
    return quotes[0] if quotes else None


def accounts(active_only: bool = True) -> QuerySet[CompanyAccount]:
    qs = CompanyAccount.objects.all()
    return qs.filter(active=True) if active_only else qs
