"""The dashboards' short lists of requests and work orders, rendered in Python.

Through `{% include %}` of a row template, the dispatcher's three lists of ten cost more than its four queries
(`{% url %}`, two badges and a date per row). These write the same HTML, escaped by `format_html`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from aftersales.core.templatetags.aftersales import badge, local_minute
from aftersales.core.views import pk_url

register = template.Library()

REQUEST_ITEM = ('  <li><a class="mono" href="{}">{}</a>\n    {}\n    {}\n    <span class="dash-title">{}</span>\n'
                '    <span class="muted small">{}{} · {}</span></li>\n')
WORK_ORDER_ITEM = ('  <li><a class="mono" href="{}">{}</a>\n    {}\n    <span class="dash-title">{}</span>\n'
                   '    <span class="muted small">{}{} · {}</span></li>\n')
EMPTY_ITEM = '  <li class="muted">{}</li>\n'


def _list(items: list[str], empty: Any) -> str:
    body = "".join(items) if items else format_html(EMPTY_ITEM, empty)
    return mark_safe('<ul class="dash-list">\n' + body + "</ul>\n")  # noqa: S308 - every part escaped


@register.simple_tag
def dash_requests(requests: Any, empty: Any, show_state: bool = False) -> str:
    """Requests as a dashboard lists them: number, severity (and state), summary, customer, city, when reported.
    The rows come from `reporting.selectors._request_rows` (customer and city joined)."""
    url = pk_url("servicedesk:detail")
    items = [format_html(
        REQUEST_ITEM, url(sr.pk), sr.number,
        badge(sr.severity, sr.get_severity_display(), "severity") if sr.severity else "",
        badge(sr.state, sr.get_state_display()) if show_state else "",
        sr.summary, sr.customer, format_html(" · {}", sr.city) if sr.city_id and sr.city else "",
        local_minute(sr.created_at)) for sr in requests]
    return _list(items, empty)


@register.simple_tag
def dash_work_orders(work_orders: Any) -> str:
    """Unassigned work orders, each linking to its assignment page. Rows from `_work_order_rows`."""
    url = pk_url("fieldservice:assign")
    items = []
    for wo in work_orders:
        sr = wo.request
        city = sr.site.city if sr.site_id and sr.site.city_id else None
        items.append(format_html(
            WORK_ORDER_ITEM, url(wo.pk), wo.number,
            badge(sr.severity, sr.get_severity_display(), "severity") if sr.severity else "",
            sr.summary, sr.customer, format_html(" · {}", city) if city else "", local_minute(wo.created_at)))
    return _list(items, _("No unassigned work."))
