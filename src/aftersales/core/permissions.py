"""What each role may do. Denied by default: a permission absent from a role's set is refused.

Object-level visibility (an engineer sees his own work orders, a lead his region) is applied by each app's
selectors, which every view and API endpoint starts from; these permissions say which actions a role has.
"""

from __future__ import annotations

from typing import Any

from .errors import PermissionDenied

VIEW_CUSTOMERS = "customers.view"
EDIT_CUSTOMERS = "customers.edit"
IMPORT_CUSTOMERS = "customers.import"
VIEW_REQUESTS = "requests.view"
CREATE_REQUESTS = "requests.create"
EDIT_REQUESTS = "requests.edit"
TRIAGE_REQUESTS = "requests.triage"
PROGRESS_REQUESTS = "requests.progress"  # wait on customer, resume, resolve, close, reopen, cancel
VIEW_WORK_ORDERS = "workorders.view"
DISPATCH = "workorders.dispatch"  # create, assign, reassign, cancel work orders; the dispatch board
RESPOND_WORK_ORDERS = "workorders.respond"  # accept or decline one's own assignment
FIELD_WORK = "workorders.field"  # record visits, parts, photos, signatures on one's own work orders
VIEW_CALLBACKS = "callbacks.view"
RECORD_CALLBACKS = "callbacks.record"
VIEW_COMPLAINTS = "complaints.view"
HANDLE_COMPLAINTS = "complaints.handle"
VIEW_AUDIT = "audit.view"
CONFIGURE = "config.edit"  # fault categories and other reference data

ALL = {
    VIEW_CUSTOMERS, EDIT_CUSTOMERS, IMPORT_CUSTOMERS, VIEW_REQUESTS, CREATE_REQUESTS, EDIT_REQUESTS,
    TRIAGE_REQUESTS, PROGRESS_REQUESTS, VIEW_WORK_ORDERS, DISPATCH, RESPOND_WORK_ORDERS, FIELD_WORK,
    VIEW_CALLBACKS, RECORD_CALLBACKS, VIEW_COMPLAINTS, HANDLE_COMPLAINTS, VIEW_AUDIT, CONFIGURE,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": frozenset({
        VIEW_CUSTOMERS, EDIT_CUSTOMERS, IMPORT_CUSTOMERS, VIEW_REQUESTS, CREATE_REQUESTS, EDIT_REQUESTS,
        TRIAGE_REQUESTS, PROGRESS_REQUESTS, VIEW_WORK_ORDERS, VIEW_CALLBACKS, RECORD_CALLBACKS, VIEW_AUDIT,
    }),
    "dispatcher": frozenset({
        VIEW_CUSTOMERS, VIEW_REQUESTS, CREATE_REQUESTS, EDIT_REQUESTS, TRIAGE_REQUESTS, PROGRESS_REQUESTS,
        VIEW_WORK_ORDERS, DISPATCH, VIEW_AUDIT,
    }),
    "engineer": frozenset({VIEW_REQUESTS, VIEW_WORK_ORDERS, RESPOND_WORK_ORDERS, FIELD_WORK}),
    "lead": frozenset({
        VIEW_CUSTOMERS, VIEW_REQUESTS, EDIT_REQUESTS, TRIAGE_REQUESTS, PROGRESS_REQUESTS, VIEW_WORK_ORDERS,
        DISPATCH, VIEW_CALLBACKS, VIEW_COMPLAINTS, VIEW_AUDIT,
    }),
    "manager": frozenset(ALL - {FIELD_WORK, RESPOND_WORK_ORDERS}),
    "admin": frozenset(ALL - {FIELD_WORK, RESPOND_WORK_ORDERS}),
}


def has_perm(user: Any, perm: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in ROLE_PERMISSIONS.get(getattr(user, "role", ""), frozenset())


def require(user: Any, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied(perm=perm)
