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
# Money and material (C6–C9)
VIEW_CONTRACTS = "contracts.view"  # warranty and maintenance contracts
EDIT_CONTRACTS = "contracts.edit"
SET_SERVICE_CLASS = "workorders.service_class"  # override a work order's derived service class, with a reason
VIEW_BILLING = "billing.view"  # charges, quotes, receipts
EDIT_CHARGES = "billing.charges"  # record charges and quotes, record the customer's approval
FINANCE = "billing.finance"  # payment status: the finance role only
VIEW_STOCK = "stock.view"  # parts catalogue, stock on hand, moves
MOVE_STOCK = "stock.move"  # receive, transfer, count, scrap at a stock location
EDIT_PARTS = "parts.edit"  # parts catalogue, locations, reorder points
PURCHASE = "stock.purchase"  # purchase requests
VIEW_RMA = "rma.view"
REGISTER_RMA = "rma.register"  # register an item brought back for repair
HANDLE_RMA = "rma.handle"  # the RMA clerk: test, ship to the vendor, receive back, return or scrap
VIEW_RETURNS = "returns.view"
REQUEST_RETURNS = "returns.create"
APPROVE_RETURNS = "returns.approve"  # the step's own role decides, in order (agent → … → manager)
VIEW_RECALLS = "recalls.view"
MANAGE_RECALLS = "recalls.manage"

ALL = {
    VIEW_CUSTOMERS, EDIT_CUSTOMERS, IMPORT_CUSTOMERS, VIEW_REQUESTS, CREATE_REQUESTS, EDIT_REQUESTS,
    TRIAGE_REQUESTS, PROGRESS_REQUESTS, VIEW_WORK_ORDERS, DISPATCH, RESPOND_WORK_ORDERS, FIELD_WORK,
    VIEW_CALLBACKS, RECORD_CALLBACKS, VIEW_COMPLAINTS, HANDLE_COMPLAINTS, VIEW_AUDIT, CONFIGURE,
    VIEW_CONTRACTS, EDIT_CONTRACTS, SET_SERVICE_CLASS, VIEW_BILLING, EDIT_CHARGES, FINANCE, VIEW_STOCK, MOVE_STOCK,
    EDIT_PARTS, PURCHASE, VIEW_RMA, REGISTER_RMA, HANDLE_RMA, VIEW_RETURNS, REQUEST_RETURNS, APPROVE_RETURNS,
    VIEW_RECALLS, MANAGE_RECALLS,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": frozenset({
        VIEW_CUSTOMERS, EDIT_CUSTOMERS, IMPORT_CUSTOMERS, VIEW_REQUESTS, CREATE_REQUESTS, EDIT_REQUESTS,
        TRIAGE_REQUESTS, PROGRESS_REQUESTS, VIEW_WORK_ORDERS, VIEW_CALLBACKS, RECORD_CALLBACKS, VIEW_AUDIT,
        VIEW_CONTRACTS, VIEW_BILLING, EDIT_CHARGES, VIEW_STOCK, VIEW_RMA, REGISTER_RMA, VIEW_RETURNS,
        REQUEST_RETURNS, APPROVE_RETURNS, VIEW_RECALLS,
    }),
    "dispatcher": frozenset({
        VIEW_CUSTOMERS, VIEW_REQUESTS, CREATE_REQUESTS, EDIT_REQUESTS, TRIAGE_REQUESTS, PROGRESS_REQUESTS,
        VIEW_WORK_ORDERS, DISPATCH, VIEW_AUDIT,
        VIEW_CONTRACTS, SET_SERVICE_CLASS, VIEW_BILLING, EDIT_CHARGES, VIEW_STOCK, VIEW_RMA, VIEW_RETURNS,
        REQUEST_RETURNS, APPROVE_RETURNS, VIEW_RECALLS,
    }),
    "engineer": frozenset({
        VIEW_REQUESTS, VIEW_WORK_ORDERS, RESPOND_WORK_ORDERS, FIELD_WORK, VIEW_BILLING, EDIT_CHARGES, VIEW_STOCK,
        REGISTER_RMA, VIEW_RMA, VIEW_RETURNS, APPROVE_RETURNS,
    }),
    "lead": frozenset({
        VIEW_CUSTOMERS, VIEW_REQUESTS, EDIT_REQUESTS, TRIAGE_REQUESTS, PROGRESS_REQUESTS, VIEW_WORK_ORDERS,
        DISPATCH, VIEW_CALLBACKS, VIEW_COMPLAINTS, VIEW_AUDIT,
        VIEW_CONTRACTS, VIEW_BILLING, VIEW_STOCK, VIEW_RMA, VIEW_RETURNS, VIEW_RECALLS,
    }),
    # Payment status is the finance role's alone: not even the manager or the administrator may change it.
    "manager": frozenset(ALL - {FIELD_WORK, RESPOND_WORK_ORDERS, FINANCE}),
    "admin": frozenset(ALL - {FIELD_WORK, RESPOND_WORK_ORDERS, FINANCE}),
    "finance": frozenset({
        VIEW_CUSTOMERS, VIEW_REQUESTS, VIEW_WORK_ORDERS, VIEW_CONTRACTS, VIEW_BILLING, FINANCE, VIEW_STOCK,
        VIEW_AUDIT,
    }),
    "purchasing": frozenset({VIEW_STOCK, EDIT_PARTS, PURCHASE, VIEW_RMA}),
    "storekeeper": frozenset({VIEW_WORK_ORDERS, VIEW_STOCK, MOVE_STOCK, EDIT_PARTS, VIEW_RMA, VIEW_RETURNS,
                              APPROVE_RETURNS}),
    "rma_clerk": frozenset({VIEW_CUSTOMERS, VIEW_WORK_ORDERS, VIEW_STOCK, VIEW_RMA, REGISTER_RMA, HANDLE_RMA}),
}


def has_perm(user: Any, perm: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in ROLE_PERMISSIONS.get(getattr(user, "role", ""), frozenset())


def read_scope(user: Any, perm: str) -> tuple[str, tuple[int, ...]]:
    """How far the user's reads of records guarded by `perm` reach, as a shape and its key values (the form a
    prepared query takes, `core.prepared`): ("none", ()) without the permission; ("own", (user id,)) for an
    engineer; ("region", (region id,)) for a lead, or ("no-region", ()) for a lead without one; ("all", ()) for the
    office roles. Each app's `..._for(user)` selector turns it into its own filter."""
    if not has_perm(user, perm):
        return "none", ()
    role = getattr(user, "role", "")
    if role == "engineer":
        return "own", (user.pk,)
    if role == "lead":
        return ("region", (user.region_id,)) if user.region_id is not None else ("no-region", ())
    return "all", ()


def require(user: Any, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied(perm=perm)
