"""Template tags that show warranty and contract coverage wherever a unit or a work order appears (C6)."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.core.permissions import EDIT_CONTRACTS, SET_SERVICE_CLASS, VIEW_CONTRACTS, has_perm

from .. import selectors
from ..choices import ContractState, ServiceClass

register = template.Library()


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.inclusion_tag("contracts/_unit_contracts.html", takes_context=True)
def unit_contracts(context: Any, unit: Any) -> dict[str, Any]:
    """The active contracts covering a unit today, as badges (for roles that may see contracts)."""
    user = _user(context)
    if unit is None or not has_perm(user, VIEW_CONTRACTS):
        return {"contracts": []}
    # One query per customer per page (a customer page lists many units), kept on the request being answered.
    holder = context.get("request") or context.render_context
    cache = getattr(holder, "_contracts_by_unit", None)
    if cache is None:
        cache = {}
        try:
            holder._contracts_by_unit = cache
        except AttributeError:
            pass
    if unit.customer_id not in cache:
        cache[unit.customer_id] = selectors.covering_by_unit(unit.customer_id)
    return {"contracts": cache[unit.customer_id].get(unit.pk, [])}


@register.inclusion_tag("contracts/_work_order_class_panel.html", takes_context=True)
def work_order_class(context: Any, work_order: Any) -> dict[str, Any]:
    """The work order's service class, its contract and the override form for those who may set it."""
    from aftersales.billing.models import Bill
    from aftersales.fieldservice.choices import WorkOrderState

    user = _user(context)
    unit = work_order.request.equipment if work_order.request.equipment_id else None
    cover = selectors.coverage(unit) if unit is not None else None
    billed = Bill.objects.filter(work_order=work_order).exists()
    locked = billed or work_order.state == WorkOrderState.CANCELLED
    return {
        "wo": work_order, "cover": cover, "billed": billed,
        "can_set": has_perm(user, SET_SERVICE_CLASS) and not locked,
        "can_see_contracts": has_perm(user, VIEW_CONTRACTS),
        "classes": ServiceClass.choices, "csrf_token": context.get("csrf_token"),
        "error": context.get("service_class_error"),
    }


@register.inclusion_tag("contracts/_customer_contracts.html", takes_context=True)
def customer_contracts(context: Any, customer: Any) -> dict[str, Any]:
    """The customer's contracts, newest first (at most 10), with a link to add one."""
    user = _user(context)
    if not has_perm(user, VIEW_CONTRACTS):
        return {"show": False}
    qs = selectors.contracts_for(user).filter(customer=customer).order_by("-end_date", "-id")
    return {"show": True, "customer": customer, "contracts": list(qs[:10]), "more": qs.count() > 10,
            "can_edit": has_perm(user, EDIT_CONTRACTS), "active": ContractState.ACTIVE}
