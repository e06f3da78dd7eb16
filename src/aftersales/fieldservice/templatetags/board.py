"""The dispatch board's cards, rendered in Python.

As an `{% include %}` of `partials/wo_card.html` per card, a board of 115 unassigned orders spent most of its time
in the template engine (two `{% url %}`, badges, dates and the SLA marker per card). `board_cards` writes the same
HTML, every value escaped by `format_html`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from aftersales.core.templatetags.aftersales import badge
from aftersales.core.views import pk_url
from aftersales.sla.templatetags.sla import risk_marker_html

register = template.Library()

CARD = ('<article class="wo-card sev-{}" data-board-card>\n'
        '  <div class="row between">\n    <a href="{}" class="wo-number">{}</a>\n    {}\n  </div>\n'
        '  {}\n{}'
        '  <div class="wo-customer">{}</div>\n'
        '  <div class="meta">{}{}</div>\n{}'
        '</article>\n')
TIME = '  <div class="meta">\n    {}\n    · {}\n  </div>\n'
APPOINTMENT = '<time datetime="{}">{}{}</time>'
REQUEST = ('  <div class="wo-summary">{}</div>\n'
           '  <div class="row between meta"><span>{} · {}</span>\n'
           '    <a class="btn small primary" href="{}">{}</a></div>\n')


@register.simple_tag(takes_context=True)
def board_cards(context: Any, work_orders: Any, show_request: bool = False, show_time: bool = False) -> str:
    """Work orders as the board shows them: the request's number, severity, SLA marker, customer and site; with
    `show_time` the appointment and state (an engineer's lane), with `show_request` the summary, the order's
    number and age, and the Assign button (the unassigned column). Rows from `selectors.board`."""
    detail, assign = pk_url("fieldservice:detail"), pk_url("fieldservice:assign")
    no_appointment, assign_label = _("no appointment yet"), _("Assign")
    cards = []
    # A board shows hundreds of cards with a handful of distinct badges: each is rendered once per call.
    severity_badges: dict[str, str] = {}
    state_badges: dict[str, str] = {}
    for wo in work_orders:
        sr = wo.request
        when = ""
        if show_time:
            if wo.appointment_start:
                start = timezone.localtime(wo.appointment_start)
                end = f"–{timezone.localtime(wo.appointment_end):%H:%M}" if wo.appointment_end else ""
                slot = format_html(APPOINTMENT, start.isoformat(), f"{start:%H:%M}", end)
            else:
                slot = no_appointment
            if wo.state not in state_badges:
                state_badges[wo.state] = badge(wo.state, wo.get_state_display())
            when = format_html(TIME, slot, state_badges[wo.state])
        site = sr.site if sr.site_id else None
        city = site.city.name if site is not None and site.city_id else ""
        extra = ""
        if show_request:
            extra = format_html(REQUEST, sr.summary, wo.number, f"{timezone.localtime(wo.created_at):%m-%d %H:%M}",
                                assign(wo.pk), assign_label)
        if sr.severity and sr.severity not in severity_badges:
            severity_badges[sr.severity] = badge(sr.severity, sr.get_severity_display(), "severity")
        cards.append(format_html(
            CARD, sr.severity or "none", detail(wo.pk), sr.number, severity_badges.get(sr.severity, ""),
            risk_marker_html(context, sr), when, sr.customer.name, city,
            format_html(" · {}", site.name) if site is not None else "", extra))
    return mark_safe("".join(cards))  # noqa: S308 - every part escaped by format_html
