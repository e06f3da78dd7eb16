"""In/Out schemas of the service-request API: intake, edits, transitions, the list row, the detail and its timeline."""

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_support import Id, Line, Text
from aftersales.core.permissions import PROGRESS_REQUESTS, TRIAGE_REQUESTS, has_perm
from aftersales.customers.schemas import CustomerRef, EquipmentRef, ProductModelRef, RegionRef, SiteRef

from .choices import MANUAL_ACTIONS, REQUEST_MACHINE, Channel, RequestState, RequestType, Severity
from .selectors import SORTS

StateName = Literal[tuple(RequestState.values)]  # type: ignore[valid-type]
SeverityName = Literal[tuple(Severity.values)]  # type: ignore[valid-type]
TypeName = Literal[tuple(RequestType.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
SortKey = Literal[tuple(SORTS)]  # type: ignore[valid-type]

ACTION_PERMS = {action: (TRIAGE_REQUESTS if action == "triage" else PROGRESS_REQUESTS) for action in MANUAL_ACTIONS}


def allowed_actions(request: Any, user: Any) -> list[str]:
    """The transitions the state machine allows now and the user's role may perform."""
    return [a for a in REQUEST_MACHINE.allowed(request.state)
            if a in ACTION_PERMS and has_perm(user, ACTION_PERMS[a])]


class ServiceRequestIn(Schema):
    customer_id: Id
    site_id: Id | None = Field(None, description="Defaults to the equipment's site.")
    equipment_id: Id | None = None
    product_model_id: Id | None = Field(None, description="Defaults to the equipment's model.")
    contact_id: Id | None = None
    channel: ChannelName = Field("api", examples=["hotline"])
    type: TypeName = Field("repair", examples=["repair"])
    summary: Line(200, 1) = Field(examples=["冷水机组高压报警"])
    symptom: Text(20_000) = Field("", examples=["开机 10 分钟后高压报警停机"])
    usage_scenario: Text(5_000) = Field("", examples=["写字楼中央空调，夏季满负荷运行"])
    contact_name: Line(60) = Field("", examples=["张经理"])
    contact_phone: Line(32) = Field("", examples=["138 0027 1234"])


class ServiceRequestPatch(Schema):
    summary: Line(200, 1) = None
    symptom: Text(20_000) = None
    usage_scenario: Text(5_000) = None
    contact_name: Line(60) = None
    contact_phone: Line(32) = None
    type: TypeName = None
    channel: ChannelName = None
    site_id: Id | None = None
    equipment_id: Id | None = None
    product_model_id: Id | None = None
    contact_id: Id | None = None


class TriageIn(Schema):
    severity: SeverityName = Field(examples=["important"], description="general, important or urgent")
    fault_category_id: Id | None = Field(None, examples=[1])
    reason: Text(2_000) = ""


class ReasonIn(Schema):
    reason: Text(2_000) = Field("", examples=["客户要求下周一再上门"],
                                description="Required to wait, cancel and reopen.")


class ResolveIn(Schema):
    resolution: Text(20_000, 1) = Field(examples=["清洗冷凝器，更换密封圈，试运行正常"])


class FaultCategoryRef(Schema):
    id: int
    code: str
    name: str
    name_en: str = ""


class ContactRef(Schema):
    id: int
    name: str
    phone: str


class UnitRef(Schema):
    id: int
    serial: str


class ServiceRequestRow(Schema):
    """A request in a list: enough to scan a queue without opening each one."""

    id: int
    number: str = Field(examples=["SR-2026-000123"])
    state: str = Field(examples=["dispatched"])
    severity: str = Field(examples=["important"])
    type: str = Field(examples=["repair"])
    channel: str = Field(examples=["hotline"])
    summary: str
    customer: CustomerRef
    site: SiteRef | None = None
    city: RegionRef | None = None
    equipment: UnitRef | None = None
    fault_category: FaultCategoryRef | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class ServiceRequestOut(Schema):
    """A request with the summaries an agent needs on one screen and the actions open to the caller."""

    id: int
    number: str = Field(examples=["SR-2026-000123"])
    state: str = Field(examples=["dispatched"])
    severity: str = Field(examples=["important"])
    type: str = Field(examples=["repair"])
    channel: str = Field(examples=["hotline"])
    summary: str
    symptom: str
    usage_scenario: str
    resolution: str
    customer: CustomerRef
    site: SiteRef | None = None
    province: RegionRef | None = None
    city: RegionRef | None = None
    equipment: EquipmentRef | None = None
    product_model: ProductModelRef | None = None
    contact: ContactRef | None = None
    contact_name: str
    contact_phone: str
    fault_category: FaultCategoryRef | None = None
    warranty_status: str = Field(description="Of the equipment today: in_warranty, expired or unknown.")
    allowed_actions: list[str] = Field(examples=[["wait", "resolve"]],
                                       description="Actions the state machine allows now and the caller may do.")
    triaged_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    reopen_count: int
    version: int = Field(description="Send back as If-Match to update.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_warranty_status(obj: Any) -> str:
        return str(obj.equipment.warranty_status()) if obj.equipment_id else "unknown"

    @staticmethod
    def resolve_allowed_actions(obj: Any, context: Any) -> list[str]:
        request = context["request"] if context else None
        return allowed_actions(obj, getattr(request, "auth", None))


class ActorRef(Schema):
    id: int
    name: str


class AuditEntryOut(Schema):
    """One entry of a record's change log: who, when, what changed (before → after) and why."""

    id: int
    at: dt.datetime
    actor: ActorRef | None = None
    action: str = Field(examples=["transition"])
    verb: str = Field(examples=["triage"])
    object_type: str = Field(examples=["servicerequest"])
    object_id: int
    object_repr: str
    changes: dict[str, Any] = Field(examples=[{"state": ["new", "triaged"]}])
    reason: str

    @staticmethod
    def resolve_object_type(obj: Any) -> str:
        return obj.content_type.model

    @staticmethod
    def resolve_actor(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.actor.pk, "name": str(obj.actor)} if obj.actor_id else None
