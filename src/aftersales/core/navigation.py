"""The main menu, filtered by what the user's role may do.

Top-level entries are the daily work of the service loop; the money-and-material pages (contracts, bills, parts,
RMA, returns, recalls) sit in one group, shown as a drop-down, so a manager's bar stays one line. A role whose
work is mostly in that group (finance, purchasing, storekeeper, RMA clerk) sees the group's entries on the bar
itself.
"""

from __future__ import annotations

import functools
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse
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
]
# Money and material (C6–C9).
MATERIAL_MENU: list[tuple[str, Any, Any]] = [
    ("contracts:list", _("Maintenance contracts"), p.VIEW_CONTRACTS),
    ("billing:list", _("Bills"), p.VIEW_BILLING),
    ("inventory:parts", _("Parts and stock"), p.VIEW_STOCK),
    ("inventory:purchases", _("Purchase requests"), (p.PURCHASE, p.MOVE_STOCK)),
    ("rma:list", _("Return for repair"), p.VIEW_RMA),
    ("returns:list", _("Returns and exchanges"), p.VIEW_RETURNS),
    ("returns:recalls", _("Recall campaigns"), p.VIEW_RECALLS),
]
MATERIAL_LABEL = _("Money & material")
# Roles whose daily work is money and material: no drop-down for them.
MATERIAL_ROLES = frozenset({"finance", "purchasing", "storekeeper", "rma_clerk"})
TAIL = [("notifications:inbox", _("Inbox"), None)]  # every signed-in user: his own messages


def _allowed(user: Any, perm: str | tuple[str, ...] | None) -> bool:
    """No permission: everyone signed in; a tuple: any one of them."""
    if perm is None:
        return True
    return any(p.has_perm(user, one) for one in ((perm,) if isinstance(perm, str) else perm))


@functools.lru_cache(maxsize=256)
def _url(name: str, prefix: str, urlconf: Any) -> str:
    return reverse(name, urlconf=urlconf)


def _entries(user: Any, menu: list[tuple[str, Any, Any]]) -> list[dict[str, Any]]:
    # The menu's URLs are the same on every page: resolved once per process (~20 reverse() calls a page).
    prefix, urlconf = get_script_prefix(), get_urlconf()
    return [{"name": name, "label": label, "url": _url(name, prefix, urlconf), "active": False}
            for name, label, perm in menu if _allowed(user, perm)]


def menu_for(user: Any, path: str = "") -> list[dict[str, Any]]:
    """The user's menu; the entry whose URL is the longest prefix of the current path is marked active (and its
    group, when it sits in one). A group is {"label", "url": "", "children": [...], "active"}."""
    items = _entries(user, MENU)
    material = _entries(user, MATERIAL_MENU)
    tail = _entries(user, TAIL)
    flat = items + material + tail
    best = max((i for i in flat if i["url"] != "/" and path.startswith(i["url"])),
               key=lambda i: len(i["url"]), default=None)
    if best is None and path == "/":
        best = next((i for i in flat if i["url"] == "/"), None)
    if best is not None:
        best["active"] = True
    if getattr(user, "role", "") in MATERIAL_ROLES or len(material) <= 1:
        return items + material + tail
    group = {"name": "material", "label": MATERIAL_LABEL, "url": "", "children": material,
             "active": any(i["active"] for i in material)}
    return [*items, group, *tail]
