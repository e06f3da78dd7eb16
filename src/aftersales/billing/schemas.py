"""In/Out schemas of the billing API. Amounts are decimal strings with their currency (never floats)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_support import Day, Id, Line

from .choices import ApprovalMethod, BillState, ChargeKind, PaymentMethod, PaymentStatus, QuoteState

ChargeKindName = Literal[tuple(ChargeKind.values)]  # type: ignore[valid-type]
PaymentStatusName = Literal[tuple(PaymentStatus.values)]  # type: ignore[valid-type]
BillStateName = Literal[tuple(BillState.values)]  # type: ignore[valid-type]
ServiceClassName = Literal["A", "B", "C", "D"]
MethodName = Literal[tuple(PaymentMethod.values)]  # type: ignore[valid-type]
ApprovalName = Literal[tuple(ApprovalMethod.values)]  # type: ignore[valid-type]
Amount = Decimal


def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.name} if user is not None else None


class BillingRef(Schema):
    id: int
    name: str


class LineIn(Schema):
    kind: ChargeKindName = Field(examples=["parts"])
    description: Line(200, 1) = Field(examples=["非标铜管 Φ12"])
    quantity: Decimal = Field(gt=0, le=Decimal("9999999.99"), max_digits=12, decimal_places=2, examples=["3"])
    unit_price: Decimal = Field(ge=Decimal("-9999999999.99"), le=Decimal("9999999999.99"), max_digits=14,
                                decimal_places=2, examples=["35.20"])
    part_id: Id | None = Field(None, description="A catalogue part, if any.")
    covered: bool = Field(False, description="Covered by the contract: shown at amount 0.")


class LinesIn(Schema):
    lines: list[LineIn] = Field(min_length=1, max_length=100)


class LineOut(Schema):
    id: int
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    covered: bool
    part_id: int | None = None


class ChargeLineOut(LineOut):
    price_pending: bool


class PaymentOut(Schema):
    id: int
    account: BillingRef
    method: str
    amount: Decimal
    currency: str
    reference: str
    received_on: dt.date
    recorded_by: BillingRef
    recorded_at: dt.datetime = Field(alias="created_at")
    note: str

    @staticmethod
    def resolve_recorded_by(obj: Any) -> dict[str, Any] | None:
        return _person(obj.recorded_by)


class BillRow(Schema):
    id: int
    number: str
    customer: BillingRef
    work_order_id: int | None = None
    work_order_number: str | None = None
    reference: str
    service_class: str
    state: BillStateName
    payment_status: PaymentStatusName
    currency: str
    total: Decimal = Field(examples=["541.00"])
    created_at: dt.datetime
    issued_at: dt.datetime | None = None

    @staticmethod
    def resolve_work_order_number(obj: Any) -> str | None:
        return obj.work_order.number if obj.work_order_id else None


class BillOut(BillRow):
    lines: list[ChargeLineOut]
    payments: list[PaymentOut]
    paid_at: dt.datetime | None = None
    waived_at: dt.datetime | None = None
    waive_reason: str = ""
    settled_by: BillingRef | None = None
    lines_total: Decimal = Field(description="The sum of the lines; always equal to `total`.")

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_payments(obj: Any) -> list[Any]:
        return list(obj.payments.all())

    @staticmethod
    def resolve_settled_by(obj: Any) -> dict[str, Any] | None:
        return _person(obj.settled_by)

    @staticmethod
    def resolve_lines_total(obj: Any) -> Decimal:
        from aftersales.core.money import total

        return total((line.amount for line in obj.lines.all()), obj.currency)


class PayIn(Schema):
    account_id: Id = Field(description="One of the company's designated accounts (GET /company-accounts).")
    method: MethodName = Field(examples=["bank_transfer"], description="Cash is `cash_deposit` into a bank account.")
    amount: Decimal = Field(max_digits=14, decimal_places=2, examples=["541.00"],
                            description="Must equal the bill's total.")
    reference: Line(80, 1) = Field(examples=["招行流水 2026030112345"])
    received_on: Day = Field(examples=["2026-03-01"])
    note: Line(300) = ""


class WaiveIn(Schema):
    reason: Line(300, 1) = Field(examples=["首次故障，经理批准免收"])


class DiscardIn(Schema):
    reason: Line(300) = ""


class QuoteOut(Schema):
    id: int
    number: str
    work_order_id: int
    state: Literal[tuple(QuoteState.values)]  # type: ignore[valid-type]
    currency: str
    total: Decimal
    note: str
    lines: list[LineOut]
    created_at: dt.datetime
    created_by: BillingRef | None = None
    approval_method: str
    approved_at: dt.datetime | None = None
    approver_name: str
    approver_phone: str
    approval_note: str
    recorded_by: BillingRef | None = None
    signed: bool

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_created_by(obj: Any) -> dict[str, Any] | None:
        return _person(obj.created_by)

    @staticmethod
    def resolve_recorded_by(obj: Any) -> dict[str, Any] | None:
        return _person(obj.recorded_by)

    @staticmethod
    def resolve_signed(obj: Any) -> bool:
        return bool(obj.signature)


class QuoteStatusOut(Schema):
    needed: bool = Field(description="True for a paid (class A) job: work is recorded only after approval.")
    approved: bool
    service_class: str
    quote: QuoteOut | None = None


class QuoteIn(Schema):
    hours: Decimal | None = Field(None, gt=0, le=1000, max_digits=6, decimal_places=2, examples=["2"],
                                  description="Estimated hours; with no `lines`, the estimate is these hours of "
                                              "labour at the engineer's grade rate plus one trip's travel fee.")
    lines: list[LineIn] | None = Field(None, max_length=100)
    note: Line(500) = ""


class ApproveIn(Schema):
    method: ApprovalName = Field(examples=["phone"])
    approver_name: Line(60, 1) = Field(examples=["张经理"])
    approver_phone: Line(32) = ""
    note: Line(500) = Field("", examples=["电话确认报价，同意维修"], description="Required for a phone approval.")
    signature: str = Field("", max_length=2 * 1024 * 1024,
                           description="For `signature`: the canvas as a PNG data URL.")


class AccountOut(Schema):
    id: int
    kind: str
    name: str
    bank_name: str
    account_number: str
    holder: str
