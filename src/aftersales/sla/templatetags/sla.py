"""Template tags that put SLA clocks on other apps' pages without their views knowing about clocks."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.core.templatetags.aftersales import time_html

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
        # A request with no running clock has no status: remember it as "" too, or each of its cards would ask
        # again (a past day's board of completed work made one query per card).
        statuses = {**(statuses or {}), **dict.fromkeys(ids, ""), **display.request_risk(ids)}
        if holder is not None:
            holder._sla_risk_statuses = statuses
    status = statuses.get(sr.pk, "")
    if status not in (display.Status.AT_RISK, display.Status.BREACHED):
        return {"status": ""}
    return {"status": status, "label": display.STATUS_LABELS[status], "icon": display.STATUS_ICONS[status]}


RISK_MARKER = ('<span class="sla-marker sla-{}" data-sla="{}"><span aria-hidden="true">{}</span> {}</span>')


def risk_marker_html(context: Any, sr: Any) -> str:
    """`{% sla_risk_marker sr %}` for pages rendered in Python (the dispatch board's cards): the same HTML."""
    marker = sla_risk_marker(context, sr)
    if not marker["status"]:
        return ""
    return format_html(RISK_MARKER, marker["status"], marker["status"], marker["icon"], marker["label"])


CLOCK_ITEM = ('    <li class="sla-clock sla-{status}" data-clock="{kind}" data-status="{status}">\n'
              '      <div class="sla-clock-head">\n'
              '        <span class="sla-status sla-{status}"><span aria-hidden="true">{icon}</span> {label}</span>\n'
              '        <strong class="sla-clock-name">{name}</strong>\n'
              '        <span class="muted small">{target}</span>\n'
              '        {remaining}\n'
              '      </div>\n'
              '      <div class="small muted">\n'
              '        {due}\n'
              '        {estimated}\n'
              '        {stopped}\n'
              '      </div>\n'
              '      {policy}\n'
              '      {events}\n'
              '    </li>\n')
CLOCK_EVENT = ('\n          <li>{} {}{}{}</li>\n        ')


@register.simple_tag
def sla_clock_list(rows: Any) -> str:
    """The clock items of the clocks card (`ClockView`s from `sla.views.clock_rows`), rendered in Python: through the
    template, four clocks with their events cost ~2 ms of every request page. Same HTML, escaped the same way."""
    items = []
    for row in rows:
        clock = row.clock
        remaining = (format_html('<span class="sla-left{}">{}</span>', " overdue" if row.overdue else "",
                                 row.remaining_text) if row.remaining_text else "")
        due = (format_html("{} {}", _("Due"), time_html(clock.due_at)) if clock.due_at
               else _("No deadline while paused"))
        estimated = (format_html('<abbr class="sla-estimated" title="{}">{}</abbr>', _(
            "The deadline uses a year without an official holiday table, so it may move when the State Council "
            "notice is entered."), _("estimated")) if clock.estimated else "")
        stopped = format_html("· {} {}", _("stopped"), time_html(clock.stopped_at)) if clock.stopped_at else ""
        policy = ""
        if row.policy_name and clock.explanation:  # why this policy: one click away, not repeated on every clock
            policy = format_html('<details class="small sla-policy"><summary>{}: {}</summary>'
                                 '<span class="muted">{}</span></details>', _("Policy"), row.policy_name,
                                 clock.explanation)
        elif row.policy_name:
            policy = format_html('<div class="small sla-policy">{}: {}</div>', _("Policy"), row.policy_name)
        events = ""
        if row.events:
            count = len(row.events)
            lines = format_html_join("", CLOCK_EVENT, (
                (time_html(e.at), e.get_kind_display(), format_html(" · {}", e.actor) if e.actor else "",
                 format_html(' <span class="muted">— {}</span>', e.reason) if e.reason else "")
                for e in row.events))
            events = format_html('<details class="sla-events">\n        <summary class="small">{}</summary>\n'
                                 '        <ol class="small">{}</ol>\n      </details>',
                                 ngettext("%(n)s event", "%(n)s events", count) % {"n": count}, lines)
        items.append(format_html(CLOCK_ITEM, status=row.status, kind=clock.kind, icon=row.icon, label=row.label,
                                 name=row.name, target=row.target_text, remaining=remaining, due=due,
                                 estimated=estimated, stopped=stopped, policy=policy, events=events))
    return mark_safe("".join(items))  # noqa: S308 - every part escaped by format_html
