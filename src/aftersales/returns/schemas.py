"""In/Out schemas of the returns and recalls API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_support import Id, Line, Text
from aftersales.customers.schemas import CustomerRef
from aftersales.servicedesk.schemas import ActorRef

from .choices import STEP_ORDER, CompensationKind, Decision, ReturnKind, ReturnState

KindName = Literal[tuple(ReturnKind.values)]  # type: ignore[valid-type]
StateName = Literal[tuple(ReturnState.values)]  # type: ignore[valid-type]
StepName = Literal[tuple(STEP_ORDER)]  # type: ignore[valid-type]


class ReturnsRef(Schema):
    id: int
    name: str


def _actor(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


class ReturnCreateIn(Schema):
    customer_id: Id = Field(examples=[12])
    kind: KindName = Field(examples=["exchange"])
    reason: Text(4_000, 1) = Field(examples=["UPS 电池模块鼓包，客户要求换货"])
    equipment_id: Id | None = None
    part_id: Id | None = Field(None, description="The catalogue part that comes back (needed for stock entries).")
    quantity: Decimal = Field(Decimal("1"), examples=["1"])
    source_request_id: Id | None = None
    source_work_order_id: Id | None = None
    refund_amount: Decimal | None = Field(None, examples=["1200.00"], description="The refund, if any (≥ 0).")


class DecideIn(Schema):
    decision: Literal[tuple(Decision.values)] = Field(examples=["approve"])  # type: ignore[valid-type]
    reason: Text(2_000) = Field("", examples=["现场确认电池鼓包，属质量问题"],
                                description="Required to reject.")
    step: StepName | Literal[""] = Field("", description="The step decided; default the caller's role's step. "
                                                        "Another step than the current one answers 409.")
    assessor_id: Id | None = Field(None, description="Dispatcher step: the engineer who assesses on site.")
    return_location_id: Id | None = Field(None, description="Materials step: where the returned part goes.")
    replacement_location_id: Id | None = Field(None, description="Materials step, exchange: where the "
                                                                 "replacement is issued from.")


class ApprovalOut(Schema):
    step: str
    decision: str
    decided_by: ActorRef
    decided_at: dt.datetime
    reason: str

    @staticmethod
    def resolve_decided_by(obj: Any) -> dict[str, Any] | None:
        return _actor(obj.decided_by)


class ReturnOut(Schema):
    """A return or exchange request with its approval chain."""

    id: int
    number: str = Field(examples=["RT-2026-000004"])
    kind: str
    state: str
    current_step: str
    customer: CustomerRef
    equipment_id: int | None
    part_id: int | None
    quantity: Decimal
    source_request_id: int | None
    source_work_order_id: int | None
    reason: str
    refund_amount: Decimal | None
    currency: str
    assessor: ActorRef | None = None
    return_location_id: int | None
    replacement_location_id: int | None
    bill_id: int | None
    return_move_id: int | None
    issue_move_id: int | None
    approvals: list[ApprovalOut]
    completed_at: dt.datetime | None
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_assessor(obj: Any) -> dict[str, Any] | None:
        return _actor(obj.assessor) if obj.assessor_id else None

    @staticmethod
    def resolve_approvals(obj: Any) -> list[Any]:
        return list(obj.approvals.all())  # prefetched with their deciders (selectors.with_relations)


class CampaignIn(Schema):
    title: Line(200, 1) = Field(examples=["UPS-20K 电池模块过热召回"])
    product_model_id: Id = Field(examples=[5])
    serial_from: Line(60) = Field("", examples=["UPS20K-2024-0100"])
    serial_to: Line(60) = Field("", examples=["UPS20K-2024-0199"])
    production_batch: Line(40) = Field("", examples=["2024-07B"])
    description: Text(4_000) = Field("", examples=["更换电池模块连接片并检测温升"])


class ProvinceProgress(Schema):
    province: str
    total: int
    done: int
    percent: float


class ProgressOut(Schema):
    total: int
    done: int
    percent: float
    by_province: list[ProvinceProgress]


class CampaignOut(Schema):
    id: int
    number: str = Field(examples=["RCL-2026-000001"])
    title: str
    description: str
    product_model: ReturnsRef
    serial_from: str
    serial_to: str
    production_batch: str
    state: str
    launched_at: dt.datetime | None
    progress: ProgressOut | None = None
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_product_model(obj: Any) -> dict[str, Any]:
        return {"id": obj.product_model_id, "name": f"{obj.product_model.code} {obj.product_model.name}"}

    @staticmethod
    def resolve_progress(obj: Any, context: Any) -> dict[str, Any]:
        if hasattr(obj, "progress"):  # a list page computes all its campaigns' progress at once
            return obj.progress
        from .selectors import progress

        user = getattr(context["request"], "auth", None) if context else None
        return progress(user, obj)


class PreviewUnit(Schema):
    id: int
    serial: str
    customer: CustomerRef
    site: ReturnsRef
    province: str

    @staticmethod
    def resolve_site(obj: Any) -> dict[str, Any]:
        return {"id": obj.site_id, "name": obj.site.name}

    @staticmethod
    def resolve_province(obj: Any) -> str:
        return obj.site.province.label if obj.site.province_id else ""


class PreviewOut(Schema):
    unit_count: int
    customer_count: int
    site_count: int
    units: list[PreviewUnit]


class CompensationOut(Schema):
    id: int
    kind: str
    amount: Decimal | None
    description: str
    bill_id: int | None
    given_by: ActorRef
    created_at: dt.datetime

    @staticmethod
    def resolve_given_by(obj: Any) -> dict[str, Any] | None:
        return _actor(obj.given_by)


class UnitOut(Schema):
    id: int
    equipment_id: int
    serial: str
    customer: CustomerRef
    site: ReturnsRef
    request_id: int | None
    work_order_id: int | None
    work_order_state: str
    done: bool
    compensations: list[CompensationOut]

    @staticmethod
    def resolve_serial(obj: Any) -> str:
        return obj.equipment.serial

    @staticmethod
    def resolve_site(obj: Any) -> dict[str, Any]:
        return {"id": obj.site_id, "name": obj.site.name}

    @staticmethod
    def resolve_work_order_state(obj: Any) -> str:
        return obj.work_order.state if obj.work_order_id else ""

    @staticmethod
    def resolve_done(obj: Any) -> bool:
        return bool(obj.work_order_id and obj.work_order.state == "completed")

    @staticmethod
    def resolve_compensations(obj: Any) -> list[Any]:
        return list(obj.compensations.all())


class CompensationIn(Schema):
    kind: Literal[tuple(CompensationKind.values)] = Field(examples=["money"])  # type: ignore[valid-type]
    amount: Decimal | None = Field(None, examples=["300.00"], description="Money only: a positive amount.")
    description: Line(200) = Field("", examples=["停机损失补偿"])
