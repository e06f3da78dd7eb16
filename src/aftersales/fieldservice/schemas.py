"""In/Out schemas of the work-order and visit API: dispatch, the engineer's answers, field records, receipts."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext_noop
from ninja import Schema
from pydantic import Field, model_validator

from aftersales.core.api_support import Id, Line, Text, When
from aftersales.core.permissions import DISPATCH, FIELD_WORK, RESPOND_WORK_ORDERS, has_perm
from aftersales.customers.schemas import CustomerRef, RegionRef, SiteRef
from aftersales.servicedesk.schemas import ActorRef

from .choices import WORK_ORDER_MACHINE, VisitOutcome, WorkOrderState

WorkOrderStateName = Literal[tuple(WorkOrderState.values)]  # type: ignore[valid-type]
OutcomeName = Literal[tuple(VisitOutcome.values)]  # type: ignore[valid-type]

WORK_ORDER_SORTS = {
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "appointment": ("appointment_start", "id"),
    "-appointment": ("-appointment_start", "-id"),
    "number": ("number",),
    "-number": ("-number",),
}
WorkOrderSort = Literal[tuple(WORK_ORDER_SORTS)]  # type: ignore[valid-type]

# Who may try each action: dispatch roles move work orders around; the assigned engineer answers and works.
ACTION_PERMS = {"assign": DISPATCH, "reassign": DISPATCH, "cancel": DISPATCH, "accept": RESPOND_WORK_ORDERS,
                "decline": RESPOND_WORK_ORDERS, "arrive": FIELD_WORK, "complete": FIELD_WORK}


def allowed_actions(work_order: Any, user: Any) -> list[str]:
    own = work_order.engineer_id is not None and work_order.engineer_id == getattr(user, "pk", None)
    result = []
    for action in WORK_ORDER_MACHINE.allowed(work_order.state):
        perm = ACTION_PERMS.get(action)
        if perm and has_perm(user, perm) and (perm == DISPATCH or own):
            result.append(action)
    return result


# A 1 × 1 PNG: what a signature pad sends, in the smallest valid form.
SIGNATURE_EXAMPLE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

class AppointmentIn(Schema):
    start: When = Field(examples=["2026-03-02T09:00:00+08:00"])
    end: When | None = Field(None, examples=["2026-03-02T12:00:00+08:00"])
    note: Line(120) = Field("", examples=["与张经理电话确认"])

    @model_validator(mode="after")
    def _order(self) -> "AppointmentIn":
        if self.end is not None and self.end < self.start:
            raise ValueError(gettext_noop("The appointment must not end before it starts."))
        return self


class WorkOrderIn(Schema):
    request_id: Id
    instructions: Text(5_000) = Field("", examples=["带压力表和冷媒，先检查冷凝器"])
    required_skill_id: Id | None = None
    appointment: AppointmentIn | None = None


class AssignIn(Schema):
    engineer_id: Id
    appointment: AppointmentIn | None = None


class ReassignIn(Schema):
    engineer_id: Id
    reason: Line(300, 1) = Field(examples=["原工程师请假"])


class WorkOrderReasonIn(Schema):
    reason: Line(300, 1) = Field(examples=["缺少备件，无法按时上门"])


class ArriveIn(Schema):
    at: When | None = Field(None, description="Arrival time; defaults to now. Not in the future.")
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class DepartIn(Schema):
    at: When | None = Field(None, description="Departure time; defaults to now. Not before the arrival.")


class PartIn(Schema):
    description: Line(120, 1) = Field(examples=["密封圈"])
    quantity: Decimal = Field(gt=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2, examples=[2])
    unit: Line(12) = "pcs"


class VisitPatch(Schema):
    diagnosis: Text(20_000) = None
    fault_cause: Text(20_000) = None
    actions_taken: Text(20_000) = None
    outcome: OutcomeName = None
    takeback_item: Line(120) = None
    takeback_serial: Line(60) = None
    takeback_condition: Line(240) = None
    parts: list[PartIn] = Field(None, max_length=100, description="Replaces the list of parts used when given.")


class ReceiptIn(Schema):
    signer_name: Line(60, 1) = Field(examples=["张经理"])
    signature: str = Field(max_length=2 * 1024 * 1024, pattern=r"^data:image/png;base64,[A-Za-z0-9+/=]+$",
                           description="The canvas signature as a PNG data URL.",
                           examples=[SIGNATURE_EXAMPLE])
    comment: Text(2_000) = Field("", examples=["服务及时，态度很好"])


class RequestRef(Schema):
    id: int
    number: str
    state: str = Field(examples=["dispatched"])
    severity: str = Field(examples=["important"])
    summary: str


class SkillRef(Schema):
    id: int
    code: str
    name: str


class WorkOrderRow(Schema):
    """A work order in a list or on the board."""

    id: int
    number: str = Field(examples=["WO-2026-000042"])
    state: str = Field(examples=["accepted"])
    request: RequestRef
    customer: CustomerRef
    site: SiteRef | None = None
    engineer: ActorRef | None = None
    required_skill: SkillRef | None = None
    appointment_start: dt.datetime | None = None
    appointment_end: dt.datetime | None = None
    appointment_note: str
    assigned_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_customer(obj: Any) -> Any:
        return obj.request.customer

    @staticmethod
    def resolve_site(obj: Any) -> Any:
        return obj.request.site

    @staticmethod
    def resolve_engineer(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.engineer.pk, "name": str(obj.engineer)} if obj.engineer_id else None


class AssignmentOut(Schema):
    id: int
    engineer: ActorRef
    assigned_by: ActorRef
    assigned_at: dt.datetime
    response: str = Field(examples=["accepted"])
    responded_at: dt.datetime | None = None
    reason: str

    @staticmethod
    def resolve_engineer(obj: Any) -> dict[str, Any]:
        return {"id": obj.engineer.pk, "name": str(obj.engineer)}

    @staticmethod
    def resolve_assigned_by(obj: Any) -> dict[str, Any]:
        return {"id": obj.assigned_by.pk, "name": str(obj.assigned_by)}


class PartOut(Schema):
    id: int
    description: str
    quantity: Decimal
    unit: str
    part_id: int | None = Field(None, description="The catalogue part (null for a free-text line).")
    stock_move_id: int | None = Field(None, description="The ledger move that issued it from stock.")


class PhotoOut(Schema):
    id: int
    caption: str
    mime_type: str
    size: int
    created_at: dt.datetime


class ReceiptOut(Schema):
    id: int
    number: str = Field(examples=["RC-2026-000007"])
    signer_name: str
    signed_at: dt.datetime
    customer_comment: str
    language: str


class VisitOut(Schema):
    """An engineer's time on site: arrival and departure, findings, parts, photos and the signed receipt."""

    id: int
    work_order_id: int
    engineer: ActorRef
    arrived_at: dt.datetime
    departed_at: dt.datetime | None = None
    diagnosis: str
    fault_cause: str
    actions_taken: str
    outcome: str = Field(examples=["fixed"])
    takeback_item: str
    takeback_serial: str
    takeback_condition: str
    parts: list[PartOut]
    photos: list[PhotoOut]
    receipt: ReceiptOut | None = None

    @staticmethod
    def resolve_engineer(obj: Any) -> dict[str, Any]:
        return {"id": obj.engineer.pk, "name": str(obj.engineer)}

    @staticmethod
    def resolve_parts(obj: Any) -> list[Any]:
        return list(obj.parts.all())

    @staticmethod
    def resolve_photos(obj: Any) -> list[Any]:
        return list(obj.photos.all())

    @staticmethod
    def resolve_receipt(obj: Any) -> Any:
        return getattr(obj, "receipt", None)


class WorkOrderOut(WorkOrderRow):
    """A work order with its instructions, the history of assignments and the visits."""

    instructions: str
    service_class: str = Field(examples=["B"], description=(
        "Who pays: A paid, B contract, C free (warranty), D internal; derived from warranty and contracts when the "
        "work order is created, empty for work orders older than that rule."))
    service_class_overridden: bool = Field(description="Set by hand (see service_class_reason), not derived.")
    service_class_reason: str = Field(examples=["客户内部设备，按一般行政处理"])
    contract_id: int | None = Field(None, examples=[12], description="The maintenance contract covering the job.")
    assignments: list[AssignmentOut]
    visits: list[VisitOut]
    allowed_actions: list[str] = Field(examples=[["accept", "decline"]])

    @staticmethod
    def resolve_assignments(obj: Any) -> list[Any]:
        return list(obj.assignments.all())

    @staticmethod
    def resolve_visits(obj: Any) -> list[Any]:
        return list(obj.visits.all())

    @staticmethod
    def resolve_allowed_actions(obj: Any, context: Any) -> list[str]:
        request = context["request"] if context else None
        return allowed_actions(obj, getattr(request, "auth", None))


class CandidateOut(Schema):
    """An engineer ranked for a work order: skill match first, then nearness to the site, then open load."""

    engineer: ActorRef
    region: RegionRef | None = None
    skill_match: bool
    region_match: str = Field(examples=["city"], description="city, province or other")
    open_load: int
    score: int

    @staticmethod
    def resolve_engineer(obj: Any) -> dict[str, Any]:
        return {"id": obj.engineer.pk, "name": str(obj.engineer)}

    @staticmethod
    def resolve_region(obj: Any) -> Any:
        return obj.engineer.region
