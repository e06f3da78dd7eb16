"""In/Out schemas of the callback and complaint API."""

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_support import Text
from aftersales.core.permissions import HANDLE_COMPLAINTS, has_perm
from aftersales.customers.schemas import CustomerRef
from aftersales.servicedesk.schemas import ActorRef

from .choices import COMPLAINT_MACHINE, CallbackMethod, CallbackResult, CallbackState, ComplaintState

CallbackStateName = Literal[tuple(CallbackState.values)]  # type: ignore[valid-type]
ComplaintStateName = Literal[tuple(ComplaintState.values)]  # type: ignore[valid-type]
MethodName = Literal[tuple(CallbackMethod.values)]  # type: ignore[valid-type]
ResultName = Literal[tuple(CallbackResult.values)]  # type: ignore[valid-type]


class RequestSummary(Schema):
    id: int
    number: str
    state: str = Field(examples=["resolved"])
    summary: str
    resolution: str


class CallbackRecordIn(Schema):
    result: ResultName = Field(examples=["reached"], description="reached or unreachable")
    satisfaction: int | None = Field(None, ge=1, le=5, examples=[5], description="1–5; required when reached.")
    comment: Text(2_000) = Field("", examples=["对维修结果满意"])
    method: MethodName = Field("phone", examples=["phone"])


class CallbackOut(Schema):
    """A call back to the customer after a resolved request."""

    id: int
    request: RequestSummary
    customer: CustomerRef
    contact_name: str
    contact_phone: str
    state: str = Field(examples=["pending"])
    due_at: dt.datetime
    method: str
    result: str = Field(examples=["reached"])
    satisfaction: int | None = None
    comment: str
    attempts: int
    done_at: dt.datetime | None = None
    done_by: ActorRef | None = None
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_customer(obj: Any) -> Any:
        return obj.request.customer

    @staticmethod
    def resolve_contact_name(obj: Any) -> str:
        return obj.request.contact_name

    @staticmethod
    def resolve_contact_phone(obj: Any) -> str:
        return obj.request.contact_phone

    @staticmethod
    def resolve_done_by(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.done_by.pk, "name": str(obj.done_by)} if obj.done_by_id else None


class ComplaintActionIn(Schema):
    answer: Text(20_000) = Field("", description="The answer to the customer; required to answer.",
                                 examples=["已更换压缩机并延长保修 6 个月"])
    reason: Text(2_000) = Field("", examples=["客户不接受答复"])


class ComplaintOut(Schema):
    """A customer's complaint, handled until the customer is satisfied."""

    id: int
    number: str = Field(examples=["CP-2026-000012"])
    state: str = Field(examples=["investigating"])
    description: str
    customer: CustomerRef
    request: RequestSummary | None = None
    callback_id: int | None = None
    owner: ActorRef | None = None
    answer: str
    answered_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    allowed_actions: list[str] = Field(examples=[["investigate", "answer"]])
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.owner.pk, "name": str(obj.owner)} if obj.owner_id else None

    @staticmethod
    def resolve_allowed_actions(obj: Any, context: Any) -> list[str]:
        user = getattr(context["request"], "auth", None) if context else None
        return COMPLAINT_MACHINE.allowed(obj.state) if has_perm(user, HANDLE_COMPLAINTS) else []
