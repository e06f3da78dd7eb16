"""REST endpoints for service requests: intake, the filtered queue, edits, transitions, timeline, duplicates.

Thin: every read starts from `servicedesk.selectors` (scoped to the caller), every write is a service call.
Transitions are actions (`POST /service-requests/{id}/triage`); one the state machine refuses answers 409.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from aftersales.core import audit
from aftersales.core.api import Page, get_or_404, get_prepared_or_404, needs, paginate
from aftersales.core.api_support import (
    MAX_ID,
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
    CREATE_REQUESTS,
    EDIT_REQUESTS,
    PROGRESS_REQUESTS,
    TRIAGE_REQUESTS,
    VIEW_AUDIT,
    VIEW_CUSTOMERS,
    VIEW_REQUESTS,
    read_scope,
)
from aftersales.core.prepared import PreparedQuery
from aftersales.customers import selectors as customer_selectors

from . import selectors, services
from .models import FaultCategory, ServiceRequest
from .schemas import (
    AuditEntryOut,
    ReasonIn,
    ResolveIn,
    ServiceRequestIn,
    ServiceRequestOut,
    ServiceRequestPatch,
    ServiceRequestRow,
    SeverityName,
    SortKey,
    StateName,
    TriageIn,
    TypeName,
)

router = Router(tags=["service requests"])

# Joined with the request; province, city, models and fault category come from selectors.attach_references
# (an IN query per small table): on PostgreSQL each extra join costs more planning time than the query itself.
DETAIL_RELATIONS = ("customer", "site", "equipment", "contact")


_DETAIL = PreparedQuery(lambda scope, pk, *ids: selectors.requests_in_scope(scope, *ids)
                        .select_related(*DETAIL_RELATIONS).filter(pk=pk)[:1])
_IN_SCOPE = PreparedQuery(lambda scope, pk, *ids: selectors.requests_in_scope(scope, *ids).only("pk")
                          .filter(pk=pk)[:1])


def _detail(user: Any, pk: int) -> ServiceRequest:
    """The request as `ServiceRequestOut` shows it, from the caller's scope (another's request: 404). Its SQL is
    compiled once per scope (`core.prepared`)."""
    scope, ids = read_scope(user, VIEW_REQUESTS)
    obj = get_prepared_or_404(_DETAIL, scope, pk, *ids)
    selectors.attach_references([obj])
    return obj


def _get(request: HttpRequest, pk: int) -> tuple[Any, ServiceRequest]:
    user = actor(request, VIEW_REQUESTS)
    return user, _detail(user, pk)


def _answer(response: HttpResponse, user: Any, pk: int) -> ServiceRequest:
    """Re-read the request after a write (relations may have changed) and put its version in the ETag."""
    fresh = _detail(user, pk)
    etag(response, fresh)
    return fresh


@router.get("/service-requests", auth=needs(VIEW_REQUESTS), response=responses(200, Page[ServiceRequestRow]), summary="List service requests",
            description="The caller's requests (an engineer: those with his work orders; a regional lead: his "
                        "province's), filtered and sorted. Repeat `state`, `severity` and `type` to match any of "
                        "several values. `q` matches a number prefix (`SR-2026-`) or words of the summary. `sort` "
                        "takes only the documented keys; anything else answers 422.")
def request_list(
    request: HttpRequest,
    state: list[StateName] = Query(None, description="Any of these states"),
    severity: list[SeverityName] = Query(None, description="Any of these severities"),
    type: list[TypeName] = Query(None, description="Any of these request types"),  # noqa: A002, B008
    customer: int = query_id("Customer id"),
    province: int = query_id("Province (region) id"),
    city: int = query_id("City (region) id"),
    assignee: int = query_id("Engineer id: requests with a work order for him"),
    created_from: Day = Query(None, description="Created on or after this day (caller's time zone)"),
    created_to: Day = Query(None, description="Created on or before this day (caller's time zone)"),
    open: bool = Query(False, description="Only open requests (ignored when `state` is given)"),  # noqa: A002
    q: str = Query("", max_length=100, description="Number prefix or summary words"),
    sort: SortKey = Query(selectors.DEFAULT_SORT, description="Sort key"),
    page: int = page_no(),
    page_size: int = page_size(),
) -> dict[str, Any]:
    user = actor(request, VIEW_REQUESTS)
    qs = selectors.request_list(user, state=state, severity=severity, type=type, customer=customer,
                                province=province, city=city, assignee=assignee, created_from=created_from,
                                created_to=created_to, open_only=open, q=q, sort=sort)
    return paginate(selectors.with_list_relations(qs), page, page_size)


@router.get("/service-requests/duplicates", auth=needs(VIEW_REQUESTS), response=responses(200, Page[ServiceRequestRow]),
            summary="Possible duplicates",
            description="Open requests on the same equipment from the last 7 days, to show before recording a new "
                        "one. An equipment id the caller may not see answers 404.")
def request_duplicates(request: HttpRequest, equipment: int = Query(..., ge=1, le=MAX_ID, description="Equipment id"),
                       page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    user = actor(request, VIEW_REQUESTS)
    unit = get_or_404(customer_selectors.equipment_for(user), equipment)
    qs = selectors.possible_duplicates(user, equipment_id=unit.pk)
    return paginate(selectors.with_list_relations(qs), page, page_size)


@router.get("/service-requests/{id}", auth=needs(VIEW_REQUESTS), response=responses(200, ServiceRequestOut), summary="Get a service request",
            description="One request with customer, site and equipment summaries, warranty status and the actions "
                        "open to the caller. The `ETag` header carries its version for `If-Match`.")
def request_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> ServiceRequest:  # noqa: A002
    _, obj = _get(request, id)
    etag(response, obj)
    return obj


def _refs(user: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Resolve body ids through the caller's scoped selectors: an id he may not see answers 404."""
    lookups = {
        "site_id": ("site", customer_selectors.sites_for),
        "equipment_id": ("equipment", customer_selectors.equipment_for),
        "product_model_id": ("product_model", customer_selectors.product_models_for),
        "contact_id": ("contact", customer_selectors.contacts_for),
    }
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key in lookups:
            name, selector = lookups[key]
            values[name] = get_or_404(selector(user), value) if value else None
        else:
            values[key] = value
    return values


def _models_loaded(obj: ServiceRequest) -> bool:
    """Whether the request's product model and its unit's are already in memory (or absent)."""
    if obj.product_model_id and not ServiceRequest.product_model.is_cached(obj):
        return False
    unit = obj.equipment if obj.equipment_id and ServiceRequest.equipment.is_cached(obj) else None
    if obj.equipment_id and unit is None:
        return False
    return unit is None or not unit.product_model_id or type(unit).product_model.is_cached(unit)


# The unit of a new request with its site, model and customer in one query, compiled once per scope.
_UNIT_FOR_REQUEST = PreparedQuery(lambda scope, pk, *ids: customer_selectors.equipment_in_scope(scope, *ids)
                                  .select_related(None).select_related("site", "product_model", "customer")
                                  .filter(pk=pk)[:1])


@router.post("/service-requests", auth=needs(CREATE_REQUESTS), response=responses(201, ServiceRequestOut, write=True),
             summary="Record a service request",
             description="Intake of a customer's problem. Site and model follow from the equipment; site, "
                         "equipment and contact must belong to the customer (422 `not_of_customer`). The request "
                         "gets a number such as `SR-2026-000123` and starts in state `new`.",
             openapi_extra=body_example({"customer_id": 1, "equipment_id": 1, "channel": "hotline", "type": "repair",
                                         "summary": "冷水机组高压报警", "symptom": "开机 10 分钟后高压报警停机",
                                         "contact_name": "张经理", "contact_phone": "138 0027 1234"}))
def request_create(request: HttpRequest, response: HttpResponse, body: ServiceRequestIn) -> Status:
    user = actor(request, CREATE_REQUESTS)
    data = body.model_dump()
    customer_id = data.pop("customer_id")
    unit = None
    if data.get("equipment_id"):
        # The unit with its site, model and customer in one query: whoever may see a unit may see its customer
        # (leads see a customer through a site in their region, and the unit stands on one), so the body's customer
        # needs no query of its own when it is the unit's. Region rows come from the per-process cache.
        scope, ids = read_scope(user, VIEW_CUSTOMERS)
        unit = get_prepared_or_404(_UNIT_FOR_REQUEST, scope, data.pop("equipment_id"), *ids)
    if unit is not None and unit.customer_id == customer_id:
        customer = unit.customer
    else:
        customer = get_or_404(customer_selectors.customers_for(user), customer_id)
    refs = _refs(user, data)
    if unit is not None:
        refs["equipment"] = unit
    obj = services.request_create(actor=user, customer=customer, **refs)
    # The new request already holds its customer, site, unit and contact: fill the references, no re-read. Its
    # product model (and its unit's) came loaded with the unit or the body's id: no query for them either.
    selectors.attach_references([obj], models=not _models_loaded(obj))
    etag(response, obj)
    return Status(201, obj)


@router.patch("/service-requests/{id}", auth=needs(EDIT_REQUESTS), response=responses(200, ServiceRequestOut, write=True),
              summary="Update a service request",
              description="Change only the fields sent (summary, symptom, contact, type, site, equipment, ...). "
                          "Send the `ETag` you read as `If-Match`: a stale version answers 412 `stale_version` "
                          "and nothing is overwritten.",
              openapi_extra=body_example({"summary": "冷水机组高压报警（第二次）", "symptom": "夜间再次停机"}))
def request_update(request: HttpRequest, response: HttpResponse, body: ServiceRequestPatch,
                   id: int = path_id()) -> ServiceRequest:  # noqa: A002
    user, obj = _get(request, id)
    actor(request, EDIT_REQUESTS)
    services.request_update(actor=user, request=obj, values=_refs(user, body.model_dump(exclude_unset=True)),
                            expected_version=if_match(request))
    return _answer(response, user, obj.pk)


ACTION_DOC = " Honours `If-Match`; a transition the state machine does not allow answers 409 `invalid_transition`."


@router.post("/service-requests/{id}/triage", auth=needs(TRIAGE_REQUESTS), response=responses(200, ServiceRequestOut, write=True),
             summary="Triage a service request",
             description="Set severity (general / important / urgent) and fault category: `new` → `triaged`. On an "
                         "open request that is already triaged this re-triages without a state change." + ACTION_DOC,
             openapi_extra=body_example({"severity": "important", "fault_category_id": 1}))
def request_triage(request: HttpRequest, response: HttpResponse, body: TriageIn,
                   id: int = path_id()) -> ServiceRequest:  # noqa: A002
    user, obj = _get(request, id)
    category = None
    if body.fault_category_id:
        category = get_or_404(FaultCategory.objects.filter(is_active=True), body.fault_category_id)
    services.request_triage(actor=user, request=obj, severity=body.severity, fault_category=category,
                            reason=body.reason, expected_version=if_match(request))
    return _answer(response, user, obj.pk)


def _reason_action(name: str, summary: str, description: str) -> None:
    service = getattr(services, f"request_{name}")

    def endpoint(request: HttpRequest, response: HttpResponse, body: ReasonIn,
                 id: int = path_id()) -> ServiceRequest:  # noqa: A002
        user, obj = _get(request, id)
        service(actor=user, request=obj, reason=body.reason, expected_version=if_match(request))
        return _answer(response, user, obj.pk)

    endpoint.__name__ = f"request_{name}"
    router.post(f"/service-requests/{{id}}/{name}", auth=needs(PROGRESS_REQUESTS), response=responses(200, ServiceRequestOut, write=True),
                summary=summary, description=description + ACTION_DOC, operation_id=f"service_request_{name}",
                openapi_extra=body_example({"reason": "客户要求下周一再上门"}))(endpoint)


_reason_action("wait", "Wait on the customer",
               "Pause while waiting on the customer (parts approval, access to the site); the resolution clock "
               "pauses. A reason is required.")
_reason_action("resume", "Resume work", "Waiting on the customer is over: back to `in_progress`.")
_reason_action("close", "Close a resolved request", "`resolved` → `closed`.")
_reason_action("cancel", "Cancel a request",
               "Close a request that needs no work (a duplicate, a mistaken call) before any work order is out. "
               "A reason is required.")
_reason_action("reopen", "Reopen a request",
               "The problem came back: `resolved`/`closed` → `triaged`, within the configured period after it "
               "ended (else 409 `reopen_period_over`). A reason is required.")


@router.post("/service-requests/{id}/resolve", auth=needs(PROGRESS_REQUESTS), response=responses(200, ServiceRequestOut, write=True),
             summary="Resolve a service request",
             description="The problem is solved: describe how. Open work orders must be finished or cancelled "
                         "first (409 `open_work_orders`). A callback task is scheduled for an agent." + ACTION_DOC,
             openapi_extra=body_example({"resolution": "清洗冷凝器，更换密封圈，试运行正常"}))
def request_resolve(request: HttpRequest, response: HttpResponse, body: ResolveIn,
                    id: int = path_id()) -> ServiceRequest:  # noqa: A002
    user, obj = _get(request, id)
    services.request_resolve(actor=user, request=obj, resolution=body.resolution, expected_version=if_match(request))
    return _answer(response, user, obj.pk)


@router.get("/service-requests/{id}/timeline", auth=needs(VIEW_AUDIT), response=responses(200, Page[AuditEntryOut]),
            summary="A request's timeline",
            description="The change log of the request and of the records filed under it (work orders, visits, "
                        "receipts, callbacks), oldest first: who, when, before and after.")
def request_timeline(request: HttpRequest, id: int = path_id(),  # noqa: A002
                     page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    user = actor(request, VIEW_REQUESTS)
    actor(request, VIEW_AUDIT)
    scope, ids = read_scope(user, VIEW_REQUESTS)
    obj = get_prepared_or_404(_IN_SCOPE, scope, id, *ids)  # only its id is needed: no joins
    return paginate(audit.timeline(obj), page, page_size)
