"""Template tags that put SLA clocks on other apps' pages without their views knowing about clocks."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("sla/partials/clocks.html", takes_context=True)
def sla_clocks(context: Any, sr: Any) -> dict[str, Any]:
    """The clocks card of a request page: each clock with its status, time left, policy and events."""
    from aftersales.sla.views import clocks_context

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    data = clocks_context(user, sr)
    data["request"] = request
    data["csrf_token"] = context.get("csrf_token")
    data["messages_shown"] = True
    return data


def _board_request_ids(context: Any) -> set[int]:
    """The requests of every work order on the dispatch board, so their clocks are read in one query."""
    ids: set[int] = set()
    for wo in context.get("unassigned") or []:
        ids.add(wo.request_id)
    for lane in context.get("lanes") or []:
        for wo in lane.get("work_orders", []):
            ids.add(wo.request_id)
    return ids


@register.inclusion_tag("sla/partials/risk_marker.html", takes_context=True)
def sla_risk_marker(context: Any, sr: Any) -> dict[str, Any]:
    """A marker for a board card whose request is at risk or breached (a word and an icon, not colour alone).

    The statuses of all requests on the page are read once per render (one query), not once per card."""
    from aftersales.sla import display

    # Each card is an {% include %} with its own render context: keep the page's answer on the HTTP request.
    holder = context.get("request")
    statuses = getattr(holder, "_sla_risk_statuses", None)
    if statuses is None or sr.pk not in statuses:
        ids = _board_request_ids(context) | {sr.pk}
        statuses = {**(statuses or {}), **display.request_risk(ids)}
        if holder is not None:
            holder._sla_risk_statuses = statuses
    status = statuses.get(sr.pk, "")
    if status not in (display.Status.AT_RISK, display.Status.BREACHED):
        return {"status": ""}
    return {"status": status, "label": display.STATUS_LABELS[status], "icon": display.STATUS_ICONS[status]}
