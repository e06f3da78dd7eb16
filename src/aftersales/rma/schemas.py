"""In/Out schemas of the RMA API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_support import Day, Id, Line, Text
from aftersales.core.permissions import HANDLE_RMA, has_perm
from aftersales.customers.schemas import CustomerRef
from aftersales.servicedesk.schemas import ActorRef

from . import selectors
from .choices import MisuseDecision, RetestResult, RmaKind, RmaState, ScrapChoice, TestResult

KindName = Literal[tuple(RmaKind.values)]  # type: ignore[valid-type]
StateName = Literal[(*RmaState.values, "open")]  # type: ignore[valid-type]


class RmaRef(Schema):
    id: int
    name: str


class RmaRegisterIn(Schema):
    customer_id: Id = Field(examples=[12])
    equipment_id: Id | None = Field(None, examples=[34], description="The unit, when known; its serial is used "
                                                                        "when `serial` is empty.")
    source_work_order_id: Id | None = Field(None, description="The work order whose visit took the item back.")
    serial: Line(60) = Field("", examples=["GR-LS-2023-0418"])
    item_description: Line(200, 1) = Field(examples=["压缩机控制板"])
    fault: Text(4_000, 1) = Field(examples=["上电无显示，指示灯不亮"])
    kind: KindName = Field(examples=["warranty"], description="exchange, warranty or paid")
    brought_by: Line(60, 1) = Field(examples=["张工（工程师带回）"])


class TestIn(Schema):
    result: Literal[tuple(TestResult.values)] = Field(examples=["product_fault"])  # type: ignore[valid-type]
    notes: Text(4_000) = Field("", examples=["主板电源芯片击穿"])
    misuse_decision: Literal[("", *MisuseDecision.values)] = Field(  # type: ignore[valid-type]
        "", description="Required for misuse: paid_repair or return_as_is.")


class LeftoverIn(Schema):
    part_id: Id | None = Field(None, description="A catalogue part: put in stock on the RMA shelf.")
    description: Line(200) = Field("", examples=["外壳螺丝一袋"])
    quantity: Decimal = Field(Decimal("1"), examples=["1"])


class ShipIn(Schema):
    vendor_id: Id = Field(examples=[3])
    carrier: Line(60, 1) = Field(examples=["顺丰速运"])
    tracking_number: Line(60, 1) = Field(examples=["SF1400123456789"])
    shipped_on: Day = Field(examples=["2026-11-20"])
    leftovers: list[LeftoverIn] = Field(default_factory=list, max_length=50)


class ReceiveIn(Schema):
    received_on: Day = Field(examples=["2026-11-28"])
    vendor_report: Text(4_000) = Field("", examples=["更换主板，出厂测试合格"])


class RetestIn(Schema):
    result: Literal[tuple(RetestResult.values)] = Field(examples=["repaired"])  # type: ignore[valid-type]
    notes: Text(4_000) = ""


class ReturnIn(Schema):
    signer_name: Line(60, 1) = Field(examples=["王经理"])
    signature: str = Field(max_length=2_800_000, description="The customer's signature, a PNG data URL.",
                           examples=["data:image/png;base64,iVBORw0…"])
    notes: Text(2_000) = ""


class ScrapIn(Schema):
    choice: Literal[tuple(ScrapChoice.values)] = Field(examples=["company_disposes"])  # type: ignore[valid-type]
    notes: Text(2_000) = ""


class ChaseIn(Schema):
    note: Text(2_000, 1) = Field(examples=["厂家答复：下周三寄回"])
    next_on: Day | None = Field(None, description="The day the vendor promised news; default one interval on.")


class NoticeSentIn(Schema):
    note: Line(200) = Field("", examples=["电话告知王经理"])


class LeftoverOut(Schema):
    id: int
    part_id: int | None
    part_number: str = ""
    description: str
    quantity: Decimal
    location_id: int | None
    released_at: dt.datetime | None

    @staticmethod
    def resolve_part_number(obj: Any) -> str:
        return obj.part.number if obj.part_id else ""


class ChaseOut(Schema):
    id: int
    kind: str
    due_on: dt.date
    chased_at: dt.datetime | None
    chased_by: ActorRef | None = None
    note: str

    @staticmethod
    def resolve_chased_by(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.chased_by.pk, "name": str(obj.chased_by)} if obj.chased_by_id else None


class RmaCaseOut(Schema):
    """A returned item on its way through test, the vendor and back to the customer."""

    id: int
    number: str = Field(examples=["RMA-2026-000001"])
    kind: str
    state: str
    customer: CustomerRef
    equipment_id: int | None
    serial: str
    item_description: str
    fault: str
    source_work_order_id: int | None
    brought_by: str
    test_result: str
    misuse_decision: str
    test_notes: str
    vendor: RmaRef | None = None
    carrier: str
    tracking_number: str
    shipped_on: dt.date | None
    first_shipped_on: dt.date | None
    received_on: dt.date | None
    vendor_report: str
    retest_result: str
    retest_notes: str
    next_chase_on: dt.date | None
    signer_name: str
    signed_at: dt.datetime | None
    scrap_choice: str
    closed_at: dt.datetime | None
    days_since_registration: int
    days_at_vendor: int | None
    leftovers: list[LeftoverOut]
    chases: list[ChaseOut]
    allowed_actions: list[str]
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_vendor(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.vendor.pk, "name": obj.vendor.name} if obj.vendor_id else None

    @staticmethod
    def resolve_days_since_registration(obj: Any) -> int:
        return selectors.days_since_registration(obj)

    @staticmethod
    def resolve_days_at_vendor(obj: Any) -> int | None:
        return selectors.days_at_vendor(obj)

    @staticmethod
    def resolve_leftovers(obj: Any) -> list[Any]:
        return list(obj.leftovers.select_related("part").all())

    @staticmethod
    def resolve_chases(obj: Any) -> list[Any]:
        return list(obj.chases.select_related("chased_by").all())

    @staticmethod
    def resolve_allowed_actions(obj: Any, context: Any) -> list[str]:
        user = getattr(context["request"], "auth", None) if context else None
        if not has_perm(user, HANDLE_RMA):
            return []
        return selectors.allowed_actions(obj)


class RmaCaseRow(Schema):
    """A case in the list, with its ageing."""

    id: int
    number: str
    kind: str
    state: str
    customer: CustomerRef
    serial: str
    item_description: str
    vendor: RmaRef | None = None
    shipped_on: dt.date | None
    next_chase_on: dt.date | None
    days_since_registration: int
    age_bucket: str
    days_at_vendor: int | None
    vendor_bucket: str
    created_at: dt.datetime

    @staticmethod
    def resolve_vendor(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.vendor.pk, "name": obj.vendor.name} if obj.vendor_id else None

    @staticmethod
    def resolve_days_since_registration(obj: Any) -> int:
        return selectors.days_since_registration(obj)

    @staticmethod
    def resolve_age_bucket(obj: Any) -> str:
        return selectors.bucket(selectors.days_since_registration(obj))

    @staticmethod
    def resolve_days_at_vendor(obj: Any) -> int | None:
        return selectors.days_at_vendor(obj)

    @staticmethod
    def resolve_vendor_bucket(obj: Any) -> str:
        return selectors.bucket(selectors.days_at_vendor(obj))


class VendorStatsOut(Schema):
    vendor_id: int
    vendor: str
    code: str
    shipped: int = Field(description="Items shipped to the vendor (first trip).")
    returned: int = Field(description="Items received back.")
    away_now: int
    median_days: float | None = Field(description="Median days away, over the items received back.")
    average_days: float | None
    over_14: int = Field(description="Items away more than 14 days (received back or still away).")


class NoticeOut(Schema):
    id: int
    case_id: int
    case_number: str
    customer: CustomerRef
    language: str
    message: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    sent_note: str

    @staticmethod
    def resolve_case_number(obj: Any) -> str:
        return obj.case.number

    @staticmethod
    def resolve_customer(obj: Any) -> Any:
        return obj.case.customer
