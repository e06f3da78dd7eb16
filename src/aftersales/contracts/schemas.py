"""In/Out schemas of the contracts API: maintenance contracts, warranty look-up, a work order's service class."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext_noop
from ninja import Schema
from pydantic import Field, model_validator

from aftersales.core.api_support import Day, Id, Line, Text
from aftersales.core.money import CURRENCIES
from aftersales.core.permissions import EDIT_CONTRACTS, has_perm
from aftersales.customers.schemas import CustomerRef, ProductModelRef, SiteRef

from . import selectors
from .choices import CONTRACT_MACHINE, ContractState, ServiceClass

ContractStateName = Literal[tuple(ContractState.values)]  # type: ignore[valid-type]
ServiceClassName = Literal[tuple(ServiceClass.values)]  # type: ignore[valid-type]
Currency = Literal[CURRENCIES]  # type: ignore[valid-type]

CONTRACT_SORTS = {
    "number": ("number",),
    "-number": ("-number",),
    "end": ("end_date", "id"),
    "-end": ("-end_date", "-id"),
    "start": ("start_date", "id"),
    "-start": ("-start_date", "-id"),
}
ContractSort = Literal[tuple(CONTRACT_SORTS)]  # type: ignore[valid-type]
# Web and API actions; `expire` is the daily check's alone.
ACTIONS = ("activate", "terminate", "renew")


class ContractRef(Schema):
    id: int
    number: str
    title: str
    state: str = Field(examples=["active"])
    start_date: dt.date
    end_date: dt.date
    response_hours: int | None = None
    resolution_hours: int | None = None


class CoveredUnitRef(Schema):
    id: int
    serial: str
    product_model: ProductModelRef
    site: SiteRef
    warranty_end: dt.date | None = None


class VisitsOut(Schema):
    year_start: dt.date = Field(description="First day of the current contract year.")
    year_end: dt.date
    used: int = Field(description="Completed work orders of the contract in the current contract year.")
    included: int
    remaining: int


def _actions(contract: Any, user: Any) -> list[str]:
    if not has_perm(user, EDIT_CONTRACTS):
        return []
    result = [a for a in ("activate", "terminate") if CONTRACT_MACHINE.can(a, contract.state)]
    if contract.state in (ContractState.ACTIVE, ContractState.EXPIRED) and getattr(contract, "renewal", None) is None:
        result.append("renew")
    return result


class ContractRow(Schema):
    id: int
    number: str
    title: str
    customer: CustomerRef
    state: ContractStateName
    start_date: dt.date
    end_date: dt.date
    price: Decimal
    currency: str


class ContractOut(Schema):
    id: int
    number: str
    title: str
    customer: CustomerRef
    state: ContractStateName
    start_date: dt.date
    end_date: dt.date
    equipment: list[CoveredUnitRef]
    included_visits_per_year: int
    visits: VisitsOut
    covers_labour: bool
    covers_parts: bool
    covers_travel: bool
    response_hours: int | None = Field(None, description="On site within this many working hours (feeds the SLA).")
    resolution_hours: int | None = Field(None, description="Resolved within this many working hours.")
    price: Decimal
    currency: str
    notes: str
    termination_reason: str
    renewed_from: ContractRef | None = None
    renewal: ContractRef | None = None
    actions: list[str] = Field(description="Actions open to the caller: activate, terminate, renew.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_equipment(obj: Any) -> list[Any]:
        return list(obj.equipment.select_related("product_model", "site").order_by("serial"))

    @staticmethod
    def resolve_visits(obj: Any) -> dict[str, Any]:
        usage = selectors.visits_used(obj)
        return {"year_start": usage.year_start, "year_end": usage.year_end, "used": usage.used,
                "included": usage.included, "remaining": usage.remaining}

    @staticmethod
    def resolve_renewal(obj: Any) -> Any:
        return getattr(obj, "renewal", None)

    @staticmethod
    def resolve_actions(obj: Any, context: Any) -> list[str]:
        request = context["request"] if context else None
        return _actions(obj, getattr(request, "auth", None))


class _Terms(Schema):
    included_visits_per_year: int | None = Field(None, ge=0, le=365, examples=[4])
    covers_labour: bool | None = None
    covers_parts: bool | None = None
    covers_travel: bool | None = None
    response_hours: int | None = Field(None, ge=1, le=720, examples=[4])
    resolution_hours: int | None = Field(None, ge=1, le=720, examples=[24])
    price: Decimal | None = Field(None, ge=0, lt=Decimal("1e12"), max_digits=14, decimal_places=2,
                                  examples=["36000.00"])
    currency: Currency | None = Field(None, examples=["CNY"])
    notes: Text(5_000) | None = None
    equipment_ids: list[Id] | None = Field(None, max_length=2_000, description="The covered units (the customer's own).")


class ContractIn(_Terms):
    customer_id: Id
    title: Line(160, 1) = Field(examples=["中央空调冷水机组年度维保"])
    start_date: Day
    end_date: Day

    @model_validator(mode="after")
    def _period(self) -> ContractIn:
        if self.end_date < self.start_date:
            raise ValueError(gettext_noop("The contract must not end before it starts."))
        return self


class ContractPatch(_Terms):
    title: Line(160, 1) | None = None
    start_date: Day | None = None
    end_date: Day | None = None


class TerminateIn(Schema):
    reason: Line(300, 1) = Field(examples=["客户设备已整体更换，双方协商提前终止"])


class WarrantyContract(ContractRef):
    covers_labour: bool
    covers_parts: bool
    covers_travel: bool


class WarrantyOut(Schema):
    equipment_id: int
    serial: str
    product_model: ProductModelRef
    customer: CustomerRef
    site: SiteRef
    warranty_status: str = Field(description="in_warranty, expired or unknown, on the day asked.")
    warranty_start: dt.date | None = None
    warranty_end: dt.date | None = None
    on: dt.date
    service_class: ServiceClassName = Field(description="The class a job on the unit would get that day: B when an "
                                                        "active contract covers it, else C in warranty, else A.")
    contracts: list[WarrantyContract] = Field(description="Active contracts covering the unit that day (empty for "
                                                          "roles that may not see contracts).")
    contracts_visible: bool


class ServiceClassIn(Schema):
    service_class: ServiceClassName = Field(examples=["D"])
    reason: Line(240, 1) = Field(examples=["公司自用设备，内部维修"])
    contract_id: Id | None = Field(None, description="For class B: the covering contract (default: the derived one).")


class ServiceClassOut(Schema):
    id: int
    number: str
    service_class: str
    service_class_label: str
    service_class_overridden: bool
    service_class_reason: str
    contract: ContractRef | None = None
    version: int

    @staticmethod
    def resolve_service_class_label(obj: Any) -> str:
        return str(obj.get_service_class_display()) if obj.service_class else ""
