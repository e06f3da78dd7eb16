"""The main menu, filtered by what the user's role may do."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import permissions as p

MENU = [
    ("home", _("Dashboard"), None),
    ("servicedesk:intake", _("Intake"), p.CREATE_REQUESTS),
    ("servicedesk:list", _("Requests"), p.VIEW_REQUESTS),
    ("fieldservice:board", _("Dispatch board"), p.DISPATCH),
    ("fieldservice:my", _("My work"), p.FIELD_WORK),
    ("customers:list", _("Customers"), p.VIEW_CUSTOMERS),
    ("feedback:callbacks", _("Callbacks"), p.VIEW_CALLBACKS),
    ("feedback:complaints", _("Complaints"), p.VIEW_COMPLAINTS),
    ("core:audit_list", _("Audit trail"), p.VIEW_AUDIT),
    ("notifications:inbox", _("Inbox"), None),  # every signed-in user: his own messages
]


def menu_for(user: Any, path: str = "") -> list[dict[str, Any]]:
    """The user's menu; the item whose URL is the longest prefix of the current path is marked active."""
    items = []
    for name, label, perm in MENU:
        if perm is None or p.has_perm(user, perm):
            items.append({"name": name, "label": label, "url": reverse(name), "active": False})
    best = max((i for i in items if i["url"] != "/" and path.startswith(i["url"])),
               key=lambda i: len(i["url"]), default=None)
    if best is None and path == "/":
        best = next((i for i in items if i["url"] == "/"), None)
    if best is not None:
        best["active"] = True
    return items
