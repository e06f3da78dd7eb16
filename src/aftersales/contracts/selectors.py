"""Reads of warranty and contracts: what covers a unit on a day, the user's contracts, visits used per year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from aftersales.core.permissions import VIEW_CONTRACTS, has_perm
from aftersales.core.prepared import PreparedQuery
from aftersales.customers.choices import WarrantyStatus
from aftersales.customers.models import Site

from .choices import ContractState, ServiceClass
from .models import Contract


def contracts_for(user: Any) -> QuerySet[Contract]:
    """Contracts the user may see: all for office roles, those of his province's customers for a lead."""
    qs = Contract.objects.select_related("customer")
    if not has_perm(user, VIEW_CONTRACTS):
        return qs.none()
    if getattr(user, "role", "") == "lead":
        return qs.filter(Exists(Site.objects.filter(customer=OuterRef("customer_id"), province_id=user.region_id)))
    return qs


def covering(equipment: Any, on: dt.date | None = None) -> QuerySet[Contract]:
    """Active contracts covering the unit on the day (its period includes the day), strictest commitment first."""
    on = on or timezone.localdate()
    if equipment is None or getattr(equipment, "pk", None) is None:
        return Contract.objects.none()
    return (Contract.objects.filter(equipment=equipment, state=ContractState.ACTIVE, start_date__lte=on,
                                    end_date__gte=on)
            .order_by("response_hours", "resolution_hours", "end_date", "id"))


def covering_by_unit(customer_id: int, on: dt.date | None = None) -> dict[int, list[Contract]]:
    """For every unit of the customer: the active contracts covering it on the day (one query, compiled once per
    process: the day is compared here, so the SQL does not change with it)."""
    on = on or timezone.localdate()
    result: dict[int, list[Contract]] = {}
    for row in _ACTIVE_BY_UNIT("badges", int(customer_id)):
        if row.contract.start_date <= on <= row.contract.end_date:
            result.setdefault(row.equipment_id, []).append(row.contract)
    return result


def _active_by_unit(shape: str, customer_id: int) -> QuerySet[Any]:
    """The customer's units' links to active contracts, with what a coverage badge shows."""
    return (Contract.equipment.through.objects
            .filter(equipment__customer_id=customer_id, contract__state=ContractState.ACTIVE)
            .select_related("contract")
            .only("equipment_id", "contract_id", *(f"contract__{f}" for f in (
                "number", "title", "response_hours", "resolution_hours", "start_date", "end_date", "state")))
            .order_by("contract__response_hours", "contract__end_date", "contract_id"))


_ACTIVE_BY_UNIT = PreparedQuery(_active_by_unit)


@dataclass
class Coverage:
    """What covers one unit on one day: its warranty, and the active maintenance contracts."""

    equipment: Any
    on: dt.date
    warranty_status: str
    warranty_start: dt.date | None
    warranty_end: dt.date | None
    contracts: list[Contract] = field(default_factory=list)

    @property
    def in_warranty(self) -> bool:
        return self.warranty_status == WarrantyStatus.IN_WARRANTY

    @property
    def warranty_label(self) -> str:
        return str(WarrantyStatus(self.warranty_status).label)

    @property
    def contract(self) -> Contract | None:
        return self.contracts[0] if self.contracts else None

    @property
    def service_class(self) -> str:
        """The class a job on this unit would get today: contract, else warranty, else paid."""
        if self.contracts:
            return ServiceClass.CONTRACT
        if self.in_warranty:
            return ServiceClass.WARRANTY
        return ServiceClass.PAID

    @property
    def warranty_days_left(self) -> int | None:
        if not self.in_warranty or self.warranty_end is None:
            return None
        return (self.warranty_end - self.on).days


def coverage(equipment: Any, on: dt.date | None = None) -> Coverage:
    """Warranty status and dates of the unit, and the active contracts covering it on the day."""
    on = on or timezone.localdate()
    return Coverage(equipment=equipment, on=on, warranty_status=equipment.warranty_status(on),
                    warranty_start=equipment.warranty_start, warranty_end=equipment.warranty_end,
                    contracts=list(covering(equipment, on)))


STUB_DAYS = 31  # a contract year never ends less than a month before the contract: the remainder joins it


def contract_year(contract: Contract, on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The contract year containing `on` (years count from the start date; the last one ends with the contract, and
    takes in a remainder shorter than a month). Before the start: the first year; after the end: the last one."""
    on = on or timezone.localdate()
    on = min(max(on, contract.start_date), contract.end_date)
    years = relativedelta(on, contract.start_date).years
    start = contract.start_date + relativedelta(years=years)
    if years and (contract.end_date - start).days < STUB_DAYS:  # a few days past the last anniversary: one year
        years -= 1
        start = contract.start_date + relativedelta(years=years)
    end = start + relativedelta(years=1) - dt.timedelta(days=1)
    if (contract.end_date - end).days < STUB_DAYS:
        end = contract.end_date
    return start, min(end, contract.end_date)


def _local_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


@dataclass
class VisitUsage:
    year_start: dt.date
    year_end: dt.date
    used: int
    included: int

    @property
    def remaining(self) -> int:
        return max(0, self.included - self.used)

    @property
    def over(self) -> bool:
        return self.used > self.included


def visits_used(contract: Contract, on: dt.date | None = None) -> VisitUsage:
    """Completed work orders of the contract within the contract year containing `on`, against the included."""
    from aftersales.fieldservice.choices import WorkOrderState

    start, end = contract_year(contract, on)
    lower, upper = _local_bounds(start, end)
    used = contract.work_orders.filter(state=WorkOrderState.COMPLETED, completed_at__gte=lower,
                                       completed_at__lt=upper).count()
    return VisitUsage(start, end, used, contract.included_visits_per_year)


def expiring(qs: QuerySet[Contract], within_days: int, today: dt.date | None = None) -> QuerySet[Contract]:
    today = today or timezone.localdate()
    return qs.filter(state=ContractState.ACTIVE, end_date__gte=today,
                     end_date__lte=today + dt.timedelta(days=within_days))


def search(qs: QuerySet[Contract], q: str) -> QuerySet[Contract]:
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(customer__name__icontains=q)
                     | Q(equipment__serial__iexact=q)).distinct()


# -- the SLA hook ------------------------------------------------------------------------------------------------

COMMITMENT_COLUMNS = {"on_site": "response_hours", "resolution": "resolution_hours"}


def sla_commitments(request: Any, on: dt.date | None = None) -> dict[str, tuple[int, Contract]]:
    """The strictest commitment (working hours) that active contracts covering the request's unit make per clock
    kind ('on_site' → response_hours, 'resolution' → resolution_hours), each with its contract. One query."""
    if not getattr(request, "equipment_id", None):
        return {}
    if on is None:
        created = getattr(request, "created_at", None)
        on = timezone.localdate(created) if created else timezone.localdate()
    contracts = list(Contract.objects.filter(
        Q(response_hours__isnull=False) | Q(resolution_hours__isnull=False), equipment__id=request.equipment_id,
        state=ContractState.ACTIVE, start_date__lte=on, end_date__gte=on).order_by("id"))
    result: dict[str, tuple[int, Contract]] = {}
    for kind, column in COMMITMENT_COLUMNS.items():
        offers = [(getattr(c, column), c.pk, c) for c in contracts if getattr(c, column)]
        if offers:
            hours, _pk, contract = min(offers, key=lambda o: (o[0], o[1]))
            result[kind] = (hours, contract)
    return result
