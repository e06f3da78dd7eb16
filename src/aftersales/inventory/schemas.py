"""In/Out schemas of the spare-parts API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api import Page
from aftersales.core.api_support import Day, Id, Line

LocationKindName = Literal["warehouse", "service_point", "van", "rma"]
MoveKindName = Literal["receive", "transfer", "reserve", "release", "issue", "return", "scrap", "adjust"]
PurchaseStateName = Literal["open", "ordered", "received", "cancelled"]


class StockRef(Schema):
    id: int
    code: str = ""
    name: str = ""


class CataloguePartIn(Schema):
    number: Line(40, 1) = Field(examples=["CH-CT-3210"])
    name: Line(120, 1) = Field(examples=["压缩机接触器 3TF46"])
    name_en: Line(120) = Field("", examples=["Compressor contactor 3TF46"])
    unit: Line(12, 1) = Field("pcs", examples=["pcs"])
    compatible_model_ids: list[Id] = Field([], max_length=200, description="Product models the part fits.")
    supplier_id: Id | None = None
    list_price: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    cost_price: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    currency: Literal["CNY", "USD", "EUR", "HKD", "JPY"] = "CNY"


class PartPatch(Schema):
    number: Line(40, 1) = None
    name: Line(120, 1) = None
    name_en: Line(120) = None
    unit: Line(12, 1) = None
    compatible_model_ids: list[Id] = Field(None, max_length=200)
    supplier_id: Id | None = None
    list_price: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)
    cost_price: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: Literal["CNY", "USD", "EUR", "HKD", "JPY"] = None
    is_active: bool = None


class CataloguePartOut(Schema):
    id: int
    number: str
    name: str
    name_en: str
    unit: str
    supplier: StockRef | None = None
    compatible_models: list[StockRef]
    list_price: Decimal
    cost_price: Decimal
    currency: str
    is_active: bool
    version: int

    @staticmethod
    def resolve_compatible_models(obj: Any) -> list[dict[str, Any]]:
        return [{"id": m.pk, "code": m.code, "name": m.name} for m in obj.compatible_models.all()]

    @staticmethod
    def resolve_supplier(obj: Any) -> dict[str, Any] | None:
        s = obj.supplier
        return {"id": s.pk, "code": s.code, "name": s.name} if s else None


class BalanceOut(Schema):
    location: StockRef
    on_hand: Decimal
    reserved: Decimal
    available: Decimal

    @staticmethod
    def resolve_location(obj: Any) -> dict[str, Any]:
        return {"id": obj.location.pk, "code": obj.location.code, "name": obj.location.name}

    @staticmethod
    def resolve_available(obj: Any) -> Decimal:
        return obj.on_hand - obj.reserved


class PartStockOut(Page[BalanceOut]):
    """One page of the locations holding the part (`results`), with the part's totals over all of them."""

    part_id: int
    on_hand: Decimal = Field(description="On hand over every location, not only this page's.")
    reserved: Decimal
    available: Decimal


class LocationBalanceOut(Schema):
    part: StockRef
    on_hand: Decimal
    reserved: Decimal
    available: Decimal

    @staticmethod
    def resolve_part(obj: Any) -> dict[str, Any]:
        return {"id": obj.part.pk, "code": obj.part.number, "name": obj.part.name}

    @staticmethod
    def resolve_available(obj: Any) -> Decimal:
        return obj.on_hand - obj.reserved


class LocationIn(Schema):
    code: Line(30, 1) = Field(examples=["SP-YC"])
    name: Line(120, 1) = Field(examples=["宜昌服务站"])
    kind: LocationKindName = Field(examples=["service_point"])
    region_id: Id | None = None
    engineer_id: Id | None = Field(None, description="Vans only: the engineer who drives it (one van each).")


class LocationPatch(Schema):
    code: Line(30, 1) = None
    name: Line(120, 1) = None
    kind: LocationKindName = None
    region_id: Id | None = None
    engineer_id: Id | None = None
    is_active: bool = None


class LocationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    region_id: int | None
    engineer_id: int | None
    is_active: bool
    version: int


Quantity = Field(description="A decimal with at most 2 places, as a string or number; > 0 (adjust: ≠ 0).",
                 examples=["2"])


class MoveIn(Schema):
    kind: MoveKindName = Field(examples=["transfer"])
    part_id: Id
    quantity: str | int = Quantity
    location_id: Id = Field(description="Where stock leaves (receive, return, adjust: where it arrives).")
    target_id: Id | None = Field(None, description="Transfers: where the stock goes.")
    work_order_id: Id | None = None
    from_reservation: bool = Field(False, description="Issue only: take the units out of what was reserved.")
    reference: Line(60) = Field("", examples=["PR-2026-000012"])
    reason: Line(240) = ""


class MoveOut(Schema):
    id: int
    kind: str
    part_id: int
    quantity: Decimal
    from_location_id: int | None
    to_location_id: int | None
    work_order_id: int | None
    reference: str
    reason: str
    unit_cost: Decimal | None
    actor_id: int | None
    created_at: dt.datetime


class ReorderPointIn(Schema):
    part_id: Id
    location_id: Id
    min_level: Decimal = Field(ge=0, max_digits=14, decimal_places=2, examples=["5"])
    reorder_quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=2, examples=["20"])
    is_active: bool = True


class ReorderPointOut(Schema):
    id: int
    part_id: int
    location_id: int
    min_level: Decimal
    reorder_quantity: Decimal
    is_active: bool


class PurchaseIn(Schema):
    part_id: Id
    location_id: Id
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=2, examples=["20"])
    reason: Line(240) = ""


class PurchaseOrderIn(Schema):
    supplier_id: Id
    expected_on: Day | None = None
    quantity: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)


class PurchaseReceiveIn(Schema):
    quantity: str | int = Quantity


class PurchaseCancelIn(Schema):
    reason: Line(240, 1) = Field(examples=["供应商停产，改用替代件"])


class PurchaseOut(Schema):
    id: int
    number: str
    state: str
    part: StockRef
    location: StockRef
    quantity: Decimal
    received_quantity: Decimal
    supplier_id: int | None
    expected_on: dt.date | None
    reason: str
    raised_by_id: int | None
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_part(obj: Any) -> dict[str, Any]:
        return {"id": obj.part.pk, "code": obj.part.number, "name": obj.part.name}

    @staticmethod
    def resolve_location(obj: Any) -> dict[str, Any]:
        return {"id": obj.location.pk, "code": obj.location.code, "name": obj.location.name}


class ValuationRow(Schema):
    location: StockRef
    lines: int
    units: Decimal
    value: Decimal


class ValuationOut(Page[ValuationRow]):
    """One page of the locations' values (`results`), with the totals over all of them."""

    currency: str = "CNY"
    units: Decimal = Field(description="Units on hand over every location, not only this page's.")
    total: Decimal = Field(description="Stock value over every location, not only this page's.")


class UsePartIn(Schema):
    part_id: Id
    quantity: str | int = Quantity
    location_id: Id | None = Field(None, description="Defaults to the engineer's van.")


class UsageOut(Schema):
    id: int
    visit_id: int
    part_id: int | None
    description: str
    quantity: Decimal
    unit: str
    stock_move_id: int | None


class SupplierIn(Schema):
    code: Line(30, 1) = Field(examples=["SUP-HZ"])
    name: Line(120, 1) = Field(examples=["上海汉钟精机股份有限公司"])
    contact_name: Line(60) = ""
    phone: Line(32) = ""
    email: Line(254) = ""
    address: Line(240) = ""
    repairs_items: bool = Field(False, description="An RMA vendor: returned items can be shipped to it.")


class SupplierPatch(Schema):
    code: Line(30, 1) = None
    name: Line(120, 1) = None
    contact_name: Line(60) = None
    phone: Line(32) = None
    email: Line(254) = None
    address: Line(240) = None
    repairs_items: bool = None
    is_active: bool = None


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    contact_name: str
    phone: str
    email: str
    address: str
    repairs_items: bool
    is_active: bool
    version: int
