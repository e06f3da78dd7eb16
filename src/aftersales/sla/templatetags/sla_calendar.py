"""Template tags for the working-time calendars: the missing-holiday-schedule warning for administrators."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from aftersales.sla import calendar_services as cal
from aftersales.sla.calendar_services import calendar_default, calendar_warnings

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_warning_context(context: Any) -> dict[str, Any]:
    """{"messages": [...], "url": admin page to enter the notice} for the current user (empty when nothing is due).

    A view may put `calendar_warnings` (a list of messages) in the context itself; then those are shown."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    messages = context.get("calendar_warnings")
    if messages is None:
        messages = calendar_warnings(user) if user is not None else []
    url = ""
    if messages and getattr(user, "is_staff", False):
        try:
            url = reverse("admin:sla_workcalendar_notice", args=[calendar_default().pk])
        except (NoReverseMatch, cal.NoDefaultCalendar):  # no calendar: the message says what to do
            url = ""
    return {"messages": messages, "url": url}
