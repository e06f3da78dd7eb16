"""Billing pieces other pages include: a work order's quote and charges, and money formatting."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.core.money import format_money
from aftersales.core.permissions import EDIT_CHARGES, FIELD_WORK, VIEW_BILLING, has_perm

register = template.Library()


@register.simple_tag
def money(amount: Any, currency: str | None = None) -> str:
    return format_money(amount, currency) if amount is not None else "—"


def _charges(context: Any, work_order: Any) -> dict[str, Any]:
    from aftersales.fieldservice.choices import WorkOrderState

    from ..choices import BillState
    from ..forms import QuoteForm
    from ..models import Bill
    from ..selectors import current_quote
    from ..services import CHARGED_CLASSES, quote_needed

    user = context["request"].user
    visible = has_perm(user, VIEW_BILLING)
    chargeable = work_order.service_class in CHARGED_CLASSES
    can_edit = has_perm(user, EDIT_CHARGES) and not (has_perm(user, FIELD_WORK) and work_order.engineer_id != user.pk)
    quote = current_quote(work_order) if visible and chargeable else None
    bills = list(Bill.objects.filter(work_order=work_order).exclude(state=BillState.CANCELLED)) if visible else []
    closed = work_order.state in (WorkOrderState.COMPLETED, WorkOrderState.CANCELLED)
    return {
        "request": context["request"], "wo": work_order, "visible": visible, "chargeable": chargeable,
        "quote": quote, "bills": bills, "needed": quote_needed(work_order),
        "approved": bool(quote and quote.state == "approved"),
        "can_quote": can_edit and chargeable and not closed and not (quote and quote.state == "draft"),
        "can_bill": can_edit and chargeable and work_order.state == WorkOrderState.COMPLETED
        and not any(b.service_class for b in bills),
        "quote_form": QuoteForm(), "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("billing/partials/work_order_charges.html", takes_context=True)
def work_order_charges(context: Any, work_order: Any) -> dict[str, Any]:
    """The quote and bills of a work order, on its page."""
    return _charges(context, work_order)


@register.inclusion_tag("billing/partials/field_quote.html", takes_context=True)
def field_quote(context: Any, work_order: Any) -> dict[str, Any]:
    """On the engineer's phone page: the quote to present and have signed before the work (class A)."""
    return _charges(context, work_order)
