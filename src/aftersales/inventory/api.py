"""REST endpoints for spare parts: the catalogue, stock locations and their stock, the ledger and moves, reorder
points, purchase requests, the valuation report, and catalogue parts used on a visit.

Thin: reads come from `inventory.selectors`, writes are one service call. Stock refusals are problems with a
stable code: 422 `invalid_quantity` / `unknown_part` / `unknown_location` / `invalid_move`, 409
`insufficient_stock` (with `available`), and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
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
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import EDIT_PARTS, FIELD_WORK, MOVE_STOCK, PURCHASE, VIEW_STOCK

from . import selectors, services
from .error_codes import UnknownLocation, UnknownPart
from .models import Part, PurchaseRequest, ReorderPoint, StockLocation
from .schemas import (
    CataloguePartIn,
    CataloguePartOut,
    LocationBalanceOut,
    LocationIn,
    LocationKindName,
    LocationOut,
    LocationPatch,
    MoveIn,
    MoveKindName,
    MoveOut,
    PartPatch,
    PartStockOut,
    PurchaseCancelIn,
    PurchaseIn,
    PurchaseOrderIn,
    PurchaseOut,
    PurchaseReceiveIn,
    PurchaseStateName,
    ReorderPointIn,
    ReorderPointOut,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
    UsageOut,
    UsePartIn,
    ValuationOut,
)

router = Router(tags=["spare parts"])

STOCK_ERRORS = " Refusals: 422 `invalid_quantity` (zero, negative, more than 2 decimals), `unknown_part`, " \
               "`unknown_location`, `invalid_move`; 409 `insufficient_stock` when less is available; nothing is saved."


class UnknownRecord(ValidationFailed):
    code = "unknown_reference"
    default_message = _("A referenced record (supplier, product model, region, engineer or work order) does not "
                        "exist.")


def _part(pk: int | None, *, active_only: bool = False) -> Part | None:
    if pk is None:
        return None
    part = Part.objects.filter(pk=pk).first()
    if part is None:
        raise UnknownPart()
    return part


def _location(pk: int | None) -> StockLocation | None:
    if pk is None:
        return None
    location = StockLocation.objects.filter(pk=pk).first()
    if location is None:
        raise UnknownLocation()
    return location


def _ref(model: Any, pk: int | None, **filters: Any) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, **filters).first()
    if obj is None:
        raise UnknownRecord()
    return obj


def _models(ids: list[int] | None) -> list[Any] | None:
    if ids is None:
        return None
    from aftersales.customers.models import ProductModel

    found = list(ProductModel.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise UnknownRecord()
    return found


def _supplier(pk: int | None) -> Any:
    from aftersales.suppliers.models import Supplier

    return _ref(Supplier, pk)


def _parts_qs(user: Any) -> Any:
    return selectors.parts_for(user).prefetch_related("compatible_models")


# Catalogue -----------------------------------------------------------------------------------------------------

@router.get("/parts", auth=needs(VIEW_STOCK), response=responses(200, Page[CataloguePartOut]), summary="List parts",
            description="The parts catalogue by number; `q` matches the start of the number, the name, or a "
                        "compatible model's code or name; `product_model` lists the parts that fit it first.")
def part_list(request: HttpRequest, q: str = Query("", max_length=100, description="Free-text search"),
              product_model: int = query_id("Product model id: its compatible parts first"),
              active: bool = Query(None, description="Only active (true) or retired (false) parts"),
              page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = _parts_qs(actor(request, VIEW_STOCK))
    if active is not None:
        qs = qs.filter(is_active=active)
    return paginate(selectors.search_parts(qs, q, product_model=product_model), page, page_size)


@router.get("/parts/{id}", auth=needs(VIEW_STOCK), response=responses(200, CataloguePartOut), summary="Get a part",
            description="One part; `ETag` carries its version.")
def part_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Part:  # noqa: A002
    part = get_or_404(_parts_qs(actor(request, VIEW_STOCK)), id)
    etag(response, part)
    return part


@router.post("/parts", auth=needs(EDIT_PARTS), response=responses(201, CataloguePartOut, write=True), summary="Create a part",
             description="A catalogue part: unique number (422 `code_taken`), unit, compatible models, supplier, "
                         "catalogue and cost prices (Decimal, never negative).",
             openapi_extra=body_example({"number": "CH-CT-3210", "name": "压缩机接触器 3TF46",
                                         "name_en": "Compressor contactor 3TF46", "unit": "pcs",
                                         "compatible_model_ids": [1, 2], "supplier_id": 1, "list_price": "680.00",
                                         "cost_price": "420.00", "currency": "CNY"}))
def part_create(request: HttpRequest, response: HttpResponse, body: CataloguePartIn) -> Status:
    user = actor(request, EDIT_PARTS)
    data = body.model_dump()
    models_ = _models(data.pop("compatible_model_ids"))
    data["supplier"] = _supplier(data.pop("supplier_id"))
    part = services.part_create(actor=user, compatible_models=models_ or (), **data)
    part = get_or_404(_parts_qs(user), part.pk)
    etag(response, part)
    return Status(201, part)


@router.patch("/parts/{id}", auth=needs(EDIT_PARTS), response=responses(200, CataloguePartOut, write=True),
              summary="Update a part", description="Change only the fields sent. Honours `If-Match`.",
              openapi_extra=body_example({"list_price": "720.00", "compatible_model_ids": [1, 2, 3]}))
def part_update(request: HttpRequest, response: HttpResponse, body: PartPatch,
                id: int = path_id()) -> Part:  # noqa: A002
    user = actor(request, EDIT_PARTS)
    part = get_or_404(_parts_qs(user), id)
    values = body.model_dump(exclude_unset=True)
    if "compatible_model_ids" in values:
        values["compatible_models"] = _models(values.pop("compatible_model_ids"))
    if "supplier_id" in values:
        values["supplier"] = _supplier(values.pop("supplier_id"))
    services.part_update(actor=user, part=part, values=values, expected_version=if_match(request))
    part = get_or_404(_parts_qs(user), id)
    etag(response, part)
    return part


@router.get("/parts/{id}/stock", auth=needs(VIEW_STOCK), response=responses(200, PartStockOut),
            summary="Stock of a part",
            description="On hand, reserved and available of one part at every location that holds it, by location "
                        "code, a page at a time, with the totals over all locations.")
def part_stock(request: HttpRequest, id: int = path_id(),  # noqa: A002
               page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    part = get_or_404(selectors.parts_for(actor(request, VIEW_STOCK)), id)
    return {"part_id": part.pk, **selectors.part_totals(part),
            **paginate(selectors.part_stock(part), page, page_size)}


# Locations ------------------------------------------------------------------------------------------------------

@router.get("/stock-locations", auth=needs(VIEW_STOCK), response=responses(200, Page[LocationOut]),
            summary="List stock locations",
            description="Warehouses, service points, engineers' vans and the RMA shelf, by code.")
def location_list(request: HttpRequest, kind: LocationKindName = Query(None, description="Only this kind"),
                  engineer: int = query_id("The van of this engineer"),
                  page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.locations_for(actor(request, VIEW_STOCK))
    if kind:
        qs = qs.filter(kind=kind)
    if engineer:
        qs = qs.filter(engineer_id=engineer)
    return paginate(qs.order_by("code", "id"), page, page_size)


@router.get("/stock-locations/{id}", auth=needs(VIEW_STOCK), response=responses(200, LocationOut),
            summary="Get a stock location", description="One location; `ETag` carries its version.")
def location_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> StockLocation:  # noqa: A002
    location = get_or_404(selectors.locations_for(actor(request, VIEW_STOCK)), id)
    etag(response, location)
    return location


def _location_values(data: dict[str, Any]) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from aftersales.core.models import Region

    if "region_id" in data:
        data["region"] = _ref(Region, data.pop("region_id"))
    if "engineer_id" in data:
        data["engineer"] = _ref(get_user_model(), data.pop("engineer_id"), role="engineer")
    return data


@router.post("/stock-locations", auth=needs(EDIT_PARTS), response=responses(201, LocationOut, write=True),
             summary="Create a stock location",
             description="A warehouse, service point, van (with its engineer: one van per engineer, 422 "
                         "`van_taken`) or RMA shelf; the code is unique (422 `code_taken`).",
             openapi_extra=body_example({"code": "VAN-E07", "name": "黄海涛 服务车", "kind": "van", "region_id": None,
                                         "engineer_id": 7}))
def location_create(request: HttpRequest, response: HttpResponse, body: LocationIn) -> Status:
    user = actor(request, EDIT_PARTS)
    location = services.location_create(actor=user, **_location_values(body.model_dump()))
    etag(response, location)
    return Status(201, location)


@router.patch("/stock-locations/{id}", auth=needs(EDIT_PARTS), response=responses(200, LocationOut, write=True),
              summary="Update a stock location", description="Change only the fields sent. Honours `If-Match`.")
def location_update(request: HttpRequest, response: HttpResponse, body: LocationPatch,
                    id: int = path_id()) -> StockLocation:  # noqa: A002
    user = actor(request, EDIT_PARTS)
    location = get_or_404(selectors.locations_for(user), id)
    services.location_update(actor=user, location=location,
                             values=_location_values(body.model_dump(exclude_unset=True)),
                             expected_version=if_match(request))
    etag(response, location)
    return location


@router.get("/stock-locations/{id}/stock", auth=needs(VIEW_STOCK), response=responses(200, Page[LocationBalanceOut]),
            summary="Stock at a location",
            description="What one location holds (on hand, reserved, available) by part number; `q` matches the "
                        "start of the part number or its name.")
def location_stock(request: HttpRequest, id: int = path_id(),  # noqa: A002
                   q: str = Query("", max_length=60, description="Part number prefix or name"),
                   page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    location = get_or_404(selectors.locations_for(actor(request, VIEW_STOCK)), id)
    return paginate(selectors.location_stock(location, q), page, page_size)


# The ledger -----------------------------------------------------------------------------------------------------

@router.get("/stock-moves", auth=needs(VIEW_STOCK), response=responses(200, Page[MoveOut]), summary="List stock moves",
            description="The ledger, newest first, filtered by part, location (either side), kind, work order and a "
                        "date range (whole days in the caller's time zone).")
def move_list(request: HttpRequest, part: int = query_id("Part id"), location: int = query_id("Location id"),
              kind: MoveKindName = Query(None, description="Only this kind"),
              work_order: int = query_id("Work order id"),
              date_from: Day = Query(None, description="From this day"),
              date_to: Day = Query(None, description="Until this day, inclusive"),
              page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    return selectors.move_page(selectors.moves_for(actor(request, VIEW_STOCK)), page=page, page_size=page_size,
                               part=part, location=location, kind=kind or "", work_order=work_order,
                               date_from=date_from, date_to=date_to)


@router.post("/stock-moves", auth=needs(MOVE_STOCK), response=responses(201, MoveOut, write=True),
             summary="Record a stock move",
             description="A storekeeper's move: `receive` (into `location`), `transfer` (from `location` to "
                         "`target`), `reserve` / `release` (at `location`), `issue` (out of `location`, optionally to "
                         "a work order; `from_reservation` takes it out of what was reserved), `return` (into `location`), `scrap` (needs a reason) or `adjust` (a signed "
                         "count difference at `location`, needs a reason). A receipt whose `reference` is an ordered "
                         "purchase request's number counts towards it." + STOCK_ERRORS,
             openapi_extra=body_example({"kind": "transfer", "part_id": 1, "quantity": "2", "location_id": 1,
                                         "target_id": 5, "reference": "", "reason": "补充宜昌服务站库存"}))
def move_create(request: HttpRequest, body: MoveIn) -> Status:
    from aftersales.fieldservice.models import WorkOrder

    user = actor(request, MOVE_STOCK)
    move = services.stock_move(
        actor=user, kind=body.kind, part=_part(body.part_id), quantity=body.quantity,
        location=_location(body.location_id), target=_location(body.target_id),
        work_order=_ref(WorkOrder, body.work_order_id), reference=body.reference, reason=body.reason,
        from_reservation=body.from_reservation)
    return Status(201, move)


@router.get("/stock-valuation", auth=needs(VIEW_STOCK), response=responses(200, ValuationOut),
            summary="Stock valuation",
            description="Stock value (on hand × cost price) by location (warehouses first, then service points, "
                        "vans and the RMA shelf), a page at a time, and in total over all locations, in CNY.")
def stock_valuation(request: HttpRequest, page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    actor(request, VIEW_STOCK)
    report = selectors.valuation()
    rows = [{"location": {"id": r["location"].pk, "code": r["location"].code, "name": r["location"].name},
             "lines": r["lines"], "units": r["units"], "value": r["value"]} for r in report["rows"]]
    return {**paginate(rows, page, page_size), "units": report["units"], "total": report["total"]}


# Reorder points -------------------------------------------------------------------------------------------------

@router.get("/reorder-points", auth=needs(VIEW_STOCK), response=responses(200, Page[ReorderPointOut]),
            summary="List reorder points", description="Minimum levels per part and location.")
def reorder_list(request: HttpRequest, part: int = query_id("Part id"), location: int = query_id("Location id"),
                 page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    actor(request, VIEW_STOCK)
    qs = ReorderPoint.objects.all()
    if part:
        qs = qs.filter(part_id=part)
    if location:
        qs = qs.filter(location_id=location)
    return paginate(qs.order_by("location_id", "part_id", "id"), page, page_size)


@router.post("/reorder-points", auth=needs(EDIT_PARTS), response=responses(200, ReorderPointOut, write=True),
             summary="Set a reorder point",
             description="Create or change the reorder point of a part at a location. When the available quantity "
                         "there falls below `min_level` and no purchase request is open for them, one for "
                         "`reorder_quantity` is raised for purchasing (checked at once, too).",
             openapi_extra=body_example({"part_id": 1, "location_id": 1, "min_level": "5", "reorder_quantity": "20"}))
def reorder_set(request: HttpRequest, body: ReorderPointIn) -> ReorderPoint:
    user = actor(request, EDIT_PARTS)
    return services.reorder_point_set(actor=user, part=_part(body.part_id), location=_location(body.location_id),
                                      min_level=body.min_level, reorder_quantity=body.reorder_quantity,
                                      is_active=body.is_active)


# Purchase requests --------------------------------------------------------------------------------------------

def _purchase(request: HttpRequest, pk: int, *perms: str) -> tuple[Any, PurchaseRequest]:
    user = actor(request, VIEW_STOCK)
    return user, get_or_404(selectors.purchase_requests_for(user), pk)


@router.get("/purchase-requests", auth=needs(VIEW_STOCK), response=responses(200, Page[PurchaseOut]),
            summary="List purchase requests",
            description="Newest first, filtered by state (repeatable), part and location.")
def purchase_list(request: HttpRequest, state: list[PurchaseStateName] = Query(None, description="Any of these"),
                  part: int = query_id("Part id"), location: int = query_id("Location id"),
                  page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.purchase_requests_for(actor(request, VIEW_STOCK))
    if state:
        qs = qs.filter(state__in=state)
    if part:
        qs = qs.filter(part_id=part)
    if location:
        qs = qs.filter(location_id=location)
    return paginate(qs.order_by("-created_at", "-id"), page, page_size)


@router.get("/purchase-requests/{id}", auth=needs(VIEW_STOCK), response=responses(200, PurchaseOut),
            summary="Get a purchase request", description="One request; `ETag` carries its version.")
def purchase_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> PurchaseRequest:  # noqa: A002
    _, pr = _purchase(request, id)
    etag(response, pr)
    return pr


@router.post("/purchase-requests", auth=needs(PURCHASE), response=responses(201, PurchaseOut, write=True),
             summary="Raise a purchase request",
             description="Ask for a part to be bought for a location; 409 `purchase_already_open` while one is open "
                         "for the same part and location.",
             openapi_extra=body_example({"part_id": 1, "location_id": 1, "quantity": "20", "reason": "旺季备货"}))
def purchase_create(request: HttpRequest, response: HttpResponse, body: PurchaseIn) -> Status:
    user = actor(request, PURCHASE)
    pr = services.purchase_request_create(actor=user, part=_part(body.part_id), location=_location(body.location_id),
                                          quantity=body.quantity, reason=body.reason)
    etag(response, pr)
    return Status(201, pr)


@router.post("/purchase-requests/{id}/order", auth=needs(PURCHASE), response=responses(200, PurchaseOut, write=True),
             summary="Order a purchase request",
             description="Purchasing ordered it from a supplier, expected on a date (the quantity may change). "
                         "Honours `If-Match`; 409 `invalid_transition` unless open.",
             openapi_extra=body_example({"supplier_id": 1, "expected_on": "2026-03-10"}))
def purchase_order(request: HttpRequest, response: HttpResponse, body: PurchaseOrderIn,
                   id: int = path_id()) -> PurchaseRequest:  # noqa: A002
    user, pr = _purchase(request, id)
    services.purchase_request_order(actor=user, request=pr, supplier=_supplier(body.supplier_id),
                                    expected_on=body.expected_on, quantity=body.quantity,
                                    expected_version=if_match(request))
    etag(response, pr)
    return pr


@router.post("/purchase-requests/{id}/receive", auth=needs(MOVE_STOCK, PURCHASE),
             response=responses(201, MoveOut, write=True), summary="Receive against a purchase request",
             description="Goods arrived: received into the request's location with its number as the reference "
                         "(possibly a part of the quantity); the request closes when the ordered quantity is in. "
                         "409 `invalid_transition` unless ordered." + STOCK_ERRORS,
             openapi_extra=body_example({"quantity": "10"}))
def purchase_receive(request: HttpRequest, body: PurchaseReceiveIn, id: int = path_id()) -> Status:  # noqa: A002
    user, pr = _purchase(request, id)
    move = services.purchase_request_receive(actor=user, request=pr, quantity=body.quantity)
    return Status(201, move)


@router.post("/purchase-requests/{id}/cancel", auth=needs(PURCHASE), response=responses(200, PurchaseOut, write=True),
             summary="Cancel a purchase request", description="With a reason. Honours `If-Match`.",
             openapi_extra=body_example({"reason": "供应商停产，改用替代件"}))
def purchase_cancel(request: HttpRequest, response: HttpResponse, body: PurchaseCancelIn,
                    id: int = path_id()) -> PurchaseRequest:  # noqa: A002
    user, pr = _purchase(request, id)
    services.purchase_request_cancel(actor=user, request=pr, reason=body.reason, expected_version=if_match(request))
    etag(response, pr)
    return pr


# Catalogue parts used on a visit -------------------------------------------------------------------------------

def _scoped_visit(user: Any, pk: int) -> Any:
    from aftersales.fieldservice import selectors as field_selectors
    from aftersales.fieldservice.models import Visit

    qs = Visit.objects.select_related("work_order", "work_order__request").filter(
        work_order__in=field_selectors.work_orders_for(user).values("pk"))
    return get_or_404(qs, pk)


@router.post("/visits/{id}/parts", auth=needs(FIELD_WORK), response=responses(201, UsageOut, write=True),
             summary="Use a catalogue part on a visit",
             description="The engineer records a catalogue part used on his visit: it is issued to the work order "
                         "from his van (or `location_id`: a service point or warehouse, never another engineer's "
                         "van, 422 `location_not_allowed`; 422 `no_van` when he has none and sends no location)."
                         + STOCK_ERRORS,
             openapi_extra=body_example({"part_id": 1, "quantity": "1"}))
def visit_use_part(request: HttpRequest, body: UsePartIn, id: int = path_id()) -> Status:  # noqa: A002
    from aftersales.fieldservice import services as field

    user = actor(request, FIELD_WORK)
    visit = _scoped_visit(user, id)
    usage = field.visit_use_part(actor=user, visit=visit, part=_part(body.part_id), quantity=body.quantity,
                                 location=_location(body.location_id))
    return Status(201, usage)


@router.delete("/part-usages/{id}", auth=needs(FIELD_WORK), response=responses(204, None, write=True),
               summary="Remove a part from a visit",
               description="Take a part off the visit report; a catalogue part goes back to the location it was "
                           "issued from, in the same transaction. 409 `receipt_already_signed` once signed.")
def part_usage_delete(request: HttpRequest, id: int = path_id()) -> Status:  # noqa: A002
    from aftersales.fieldservice import selectors as field_selectors
    from aftersales.fieldservice import services as field
    from aftersales.fieldservice.models import PartUsage

    user = actor(request, FIELD_WORK)
    qs = PartUsage.objects.select_related("visit__work_order", "stock_move").filter(
        visit__work_order__in=field_selectors.work_orders_for(user).values("pk"))
    field.visit_remove_part(actor=user, usage=get_or_404(qs, id))
    return Status(204, None)


# Suppliers ------------------------------------------------------------------------------------------------------

@router.get("/suppliers", auth=needs(VIEW_STOCK), response=responses(200, Page[SupplierOut]), summary="List suppliers",
            description="Parts suppliers and RMA vendors by name; `q` matches the code, name or contact; "
                        "`repairs_items=true` lists the RMA vendors.")
def supplier_list(request: HttpRequest, q: str = Query("", max_length=100, description="Free-text search"),
                  repairs_items: bool = Query(None, description="Only RMA vendors (true) or not (false)"),
                  page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    from aftersales.suppliers import selectors as supplier_selectors

    qs = supplier_selectors.suppliers_for(actor(request, VIEW_STOCK))
    if repairs_items is not None:
        qs = qs.filter(repairs_items=repairs_items)
    return paginate(supplier_selectors.search(qs, q), page, page_size)


@router.get("/suppliers/{id}", auth=needs(VIEW_STOCK), response=responses(200, SupplierOut), summary="Get a supplier",
            description="One supplier; `ETag` carries its version.")
def supplier_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Any:  # noqa: A002
    from aftersales.suppliers import selectors as supplier_selectors

    supplier = get_or_404(supplier_selectors.suppliers_for(actor(request, VIEW_STOCK)), id)
    etag(response, supplier)
    return supplier


@router.post("/suppliers", auth=needs(EDIT_PARTS), response=responses(201, SupplierOut, write=True),
             summary="Create a supplier", description="A unique code (422 `code_taken`) and a name.",
             openapi_extra=body_example({"code": "SUP-LS", "name": "江苏理士电池有限公司", "contact_name": "孙经理",
                                         "phone": "0511-8611 8888", "repairs_items": False}))
def supplier_create(request: HttpRequest, response: HttpResponse, body: SupplierIn) -> Status:
    from aftersales.suppliers import services as supplier_services

    supplier = supplier_services.supplier_create(actor=actor(request, EDIT_PARTS), **body.model_dump())
    etag(response, supplier)
    return Status(201, supplier)


@router.patch("/suppliers/{id}", auth=needs(EDIT_PARTS), response=responses(200, SupplierOut, write=True),
              summary="Update a supplier", description="Change only the fields sent. Honours `If-Match`.")
def supplier_update(request: HttpRequest, response: HttpResponse, body: SupplierPatch,
                    id: int = path_id()) -> Any:  # noqa: A002
    from aftersales.suppliers import selectors as supplier_selectors
    from aftersales.suppliers import services as supplier_services

    user = actor(request, EDIT_PARTS)
    supplier = get_or_404(supplier_selectors.suppliers_for(user), id)
    supplier_services.supplier_update(actor=user, supplier=supplier, values=body.model_dump(exclude_unset=True),
                                      expected_version=if_match(request))
    etag(response, supplier)
    return supplier
