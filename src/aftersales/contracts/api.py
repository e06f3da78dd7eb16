"""REST endpoints of warranty and maintenance contracts, and of a work order's service class (C6).

Thin: reads start from `contracts.selectors` (a regional lead sees the contracts of his province's customers),
writes are service calls. The warranty look-up needs VIEW_CUSTOMERS (it is about units, which every intake and
RMA role may see); the contracts it lists are shown only to roles holding VIEW_CONTRACTS.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from aftersales.core.api import Page, get_or_404, needs, paginate
from aftersales.core.api_support import (
    Day,
    actor,
    body_example,
    etag,
    if_match,
    page_no,
    page_size,
    path_id,
    query_id,
    responses,
)
from aftersales.core.permissions import (
    EDIT_CONTRACTS,
    SET_SERVICE_CLASS,
    VIEW_CONTRACTS,
    VIEW_CUSTOMERS,
    has_perm,
)
from aftersales.customers import selectors as customer_selectors
from aftersales.fieldservice import selectors as fs_selectors

from . import selectors, services
from .models import Contract
from .schemas import (
    CONTRACT_SORTS,
    ContractIn,
    ContractOut,
    ContractPatch,
    ContractRow,
    ContractSort,
    ContractStateName,
    ServiceClassIn,
    ServiceClassOut,
    TerminateIn,
    WarrantyOut,
)

router = Router(tags=["contracts"])

ACTION_DOC = " A transition the state machine does not allow answers 409 `invalid_transition`."
NULLABLE = {"response_hours", "resolution_hours"}


def _qs(user: Any) -> QuerySet[Contract]:
    return selectors.contracts_for(user).select_related("customer", "renewed_from", "renewal")


def _get(request: HttpRequest, pk: int) -> tuple[Any, Contract]:
    user = actor(request, VIEW_CONTRACTS)
    return user, get_or_404(_qs(user), pk)


def _answer(response: HttpResponse, user: Any, pk: int) -> Contract:
    fresh = get_or_404(_qs(user), pk)
    etag(response, fresh)
    return fresh


def _units(user: Any, ids: list[int] | None) -> list[Any] | None:
    """The units named by id, among those the caller may see; an unknown id is a 404 like any other."""
    if ids is None:
        return None
    units = list(customer_selectors.equipment_for(user).filter(pk__in=ids))
    if len(units) != len(set(ids)):
        from aftersales.core.errors import NotFound

        raise NotFound()
    return units


def _values(body: Any) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    values.pop("equipment_ids", None)
    values.pop("customer_id", None)
    if values.get("notes", "") is None:
        values["notes"] = ""
    return {k: v for k, v in values.items() if v is not None or k in NULLABLE}


@router.get("/contracts", auth=needs(VIEW_CONTRACTS), response=responses(200, Page[ContractRow]),
            summary="List maintenance contracts",
            description="Contracts the caller may see (a regional lead: those of customers with a site in his "
                        "province), filtered by state (repeatable), customer, a unit's id or serial, and "
                        "`expiring_within` days (active contracts whose last day falls within that many days).")
def contract_list(request: HttpRequest,
                  state: list[ContractStateName] = Query(None, description="Any of these states"),
                  customer: int = query_id("Customer id"), equipment: int = query_id("Covered unit id"),
                  q: str = Query("", max_length=100, description="Number, title, customer name or exact serial"),
                  expiring_within: int = Query(None, ge=0, le=3650, description="Days"),
                  sort: ContractSort = Query("-start", description="Sort key"),
                  page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.contracts_for(actor(request, VIEW_CONTRACTS))
    if state:
        qs = qs.filter(state__in=state)
    if customer:
        qs = qs.filter(customer_id=customer)
    if equipment:
        qs = qs.filter(equipment__id=equipment)
    if expiring_within is not None:
        qs = selectors.expiring(qs, expiring_within)
    qs = selectors.search(qs, q)
    return paginate(qs.order_by(*CONTRACT_SORTS[sort]), page, page_size)


@router.get("/contracts/{id}", auth=needs(VIEW_CONTRACTS), response=responses(200, ContractOut),
            summary="Get a maintenance contract",
            description="One contract with its covered units, terms, visits used versus included in the current "
                        "contract year, its renewal chain and the actions open to the caller. `ETag` carries its "
                        "version.")
def contract_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Contract:  # noqa: A002
    _, contract = _get(request, id)
    etag(response, contract)
    return contract


@router.post("/contracts", auth=needs(EDIT_CONTRACTS), response=responses(201, ContractOut, write=True),
             summary="Create a maintenance contract",
             description="A draft contract (维保合同) for a customer: period, covered units (the customer's own: "
                         "422 `equipment_not_of_customer` otherwise), included visits per year, what it covers, "
                         "response commitments in working hours (they feed the SLA) and the price (Decimal, in a "
                         "currency; CNY by default). Activate it to make it count.",
             openapi_extra=body_example({
                 "customer_id": 1, "title": "中央空调冷水机组年度维保", "start_date": "2026-01-01",
                 "end_date": "2026-12-31", "equipment_ids": [3, 4], "included_visits_per_year": 4,
                 "covers_labour": True, "covers_parts": False, "covers_travel": True, "response_hours": 4,
                 "resolution_hours": 24, "price": "36000.00", "currency": "CNY", "notes": "每季度巡检一次"}))
def contract_create(request: HttpRequest, response: HttpResponse, body: ContractIn) -> Status:
    user = actor(request, EDIT_CONTRACTS)
    customer = get_or_404(customer_selectors.customers_for(user), body.customer_id)
    values = _values(body)
    contract = services.contract_create(actor=user, customer=customer, equipment=_units(user, body.equipment_ids) or [],
                                        **values)
    return Status(201, _answer(response, user, contract.pk))


@router.patch("/contracts/{id}", auth=needs(EDIT_CONTRACTS), response=responses(200, ContractOut, write=True),
              summary="Update a maintenance contract",
              description="Change only the fields sent (`equipment_ids` replaces the covered units) of a draft or "
                          "active contract (409 `contract_closed` once expired or terminated). An active contract "
                          "may not come to cover a unit another active contract covers in the same period (409 "
                          "`equipment_already_covered`). Honours `If-Match`.",
              openapi_extra=body_example({"response_hours": 2, "equipment_ids": [3, 4, 5]}))
def contract_update(request: HttpRequest, response: HttpResponse, body: ContractPatch,
                    id: int = path_id()) -> Contract:  # noqa: A002
    user, contract = _get(request, id)
    actor(request, EDIT_CONTRACTS)
    services.contract_update(actor=user, contract=contract, values=_values(body),
                             equipment=_units(user, body.equipment_ids), expected_version=if_match(request))
    return _answer(response, user, contract.pk)


@router.post("/contracts/{id}/activate", auth=needs(EDIT_CONTRACTS), response=responses(200, ContractOut, write=True),
             summary="Activate a contract",
             description="Draft → active. Needs at least one covered unit (422 `contract_has_no_equipment`), a "
                         "period not already over (409 `contract_already_ended`) and no unit covered twice (409 "
                         "`equipment_already_covered`). Honours `If-Match`." + ACTION_DOC)
def contract_activate(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Contract:  # noqa: A002
    user, contract = _get(request, id)
    actor(request, EDIT_CONTRACTS)
    services.contract_activate(actor=user, contract=contract, expected_version=if_match(request))
    return _answer(response, user, contract.pk)


@router.post("/contracts/{id}/terminate", auth=needs(EDIT_CONTRACTS), response=responses(200, ContractOut, write=True),
             summary="Terminate a contract",
             description="End a draft or active contract early, with the reason (kept on the contract and in the "
                         "audit trail). Honours `If-Match`." + ACTION_DOC,
             openapi_extra=body_example({"reason": "客户设备已整体更换，双方协商提前终止"}))
def contract_terminate(request: HttpRequest, response: HttpResponse, body: TerminateIn,
                       id: int = path_id()) -> Contract:  # noqa: A002
    user, contract = _get(request, id)
    actor(request, EDIT_CONTRACTS)
    services.contract_terminate(actor=user, contract=contract, reason=body.reason, expected_version=if_match(request))
    return _answer(response, user, contract.pk)


@router.post("/contracts/{id}/renew", auth=needs(EDIT_CONTRACTS), response=responses(201, ContractOut, write=True),
             summary="Renew a contract",
             description="Create the next period's contract (same length, starting the day after this one ends) as "
                         "a draft, copying the covered units and the terms; answers the new contract. Only active or "
                         "expired contracts (409 `not_renewable`), once (409 `already_renewed`).")
def contract_renew(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Status:  # noqa: A002
    user, contract = _get(request, id)
    actor(request, EDIT_CONTRACTS)
    renewal = services.contract_renew(actor=user, contract=contract)
    return Status(201, _answer(response, user, renewal.pk))


@router.get("/warranty", auth=needs(VIEW_CUSTOMERS), response=responses(200, list[WarrantyOut]),
            summary="Look up warranty by serial number",
            description="Every unit the caller may see whose serial number is `serial` (case-insensitive; the same "
                        "serial may exist for several models), with its warranty status and dates on the day `on` "
                        "(default today), the service class a job would get, and the active contracts covering it "
                        "(listed for roles holding VIEW_CONTRACTS only). At most 20 units.")
def warranty_lookup(request: HttpRequest,
                    serial: str = Query(..., min_length=1, max_length=60, description="Serial number"),
                    on: Day = Query(None, description="The day to check; default today")) -> list[dict[str, Any]]:
    user = actor(request, VIEW_CUSTOMERS)
    on = on or timezone.localdate()
    see_contracts = has_perm(user, VIEW_CONTRACTS)
    units = customer_selectors.equipment_for(user).filter(serial__iexact=serial.strip()).order_by("id")[:20]
    result = []
    for unit in units:
        cover = selectors.coverage(unit, on)
        result.append({
            "equipment_id": unit.pk, "serial": unit.serial, "product_model": unit.product_model,
            "customer": unit.customer, "site": unit.site, "warranty_status": cover.warranty_status,
            "warranty_start": cover.warranty_start, "warranty_end": cover.warranty_end, "on": on,
            "service_class": cover.service_class, "contracts": cover.contracts if see_contracts else [],
            "contracts_visible": see_contracts,
        })
    return result


@router.post("/work-orders/{id}/service-class", auth=needs(SET_SERVICE_CLASS),
             response=responses(200, ServiceClassOut, write=True), summary="Override a work order's service class",
             description="Set the class by hand (A paid / B contract / C warranty / D internal) with a reason, "
                         "audited. Class B needs an active contract covering the unit (422 `contract_required`). "
                         "Refused once the work order is billed (409 `work_order_billed`) or cancelled. Honours "
                         "`If-Match`.",
             openapi_extra=body_example({"service_class": "D", "reason": "公司自用设备，内部维修"}))
def work_order_service_class(request: HttpRequest, response: HttpResponse, body: ServiceClassIn,
                             id: int = path_id()) -> Any:  # noqa: A002
    user = actor(request, SET_SERVICE_CLASS)
    work_order = get_or_404(fs_selectors.work_orders_for(user).select_related("request"), id)
    contract = get_or_404(selectors.contracts_for(user), body.contract_id) if body.contract_id else None
    services.work_order_set_service_class(actor=user, work_order=work_order, service_class=body.service_class,
                                          reason=body.reason, contract=contract, expected_version=if_match(request))
    etag(response, work_order)
    return work_order
