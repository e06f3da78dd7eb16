"""Every write to maintenance contracts, the service class of work orders, and the daily contract check (C6).

Contracts move draft → active → expired (the daily check, after the last day) or terminated (by hand, with a
reason). A renewal is the next period's contract, created as a draft with the same coverage and terms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core import services as core
from aftersales.core.money import CURRENCIES, money
from aftersales.core.numbering import next_number
from aftersales.core.permissions import EDIT_CONTRACTS, SET_SERVICE_CLASS, require
from aftersales.customers.choices import WarrantyStatus

from . import selectors
from .choices import CONTRACT_MACHINE, REMINDER_DAYS, ContractState, ServiceClass
from .error_codes import (
    AlreadyRenewed,
    ContractAlreadyEnded,
    ContractClosed,
    ContractHasNoEquipment,
    ContractHoursInvalid,
    ContractPeriodInvalid,
    ContractPriceInvalid,
    ContractRequired,
    EquipmentAlreadyCovered,
    EquipmentNotOfCustomer,
    NotRenewable,
    ReasonRequired,
    ServiceClassInvalid,
    WorkOrderBilled,
    WorkOrderCancelled,
)
from .models import Contract

FIELDS = ("title", "start_date", "end_date", "included_visits_per_year", "covers_labour", "covers_parts",
          "covers_travel", "response_hours", "resolution_hours", "price", "currency", "notes")
MAX_HOURS = 720


def _clean(values: dict[str, Any], current: Contract | None = None) -> dict[str, Any]:
    """Check and normalise contract fields; refuses with a stable code before anything is written."""
    values = {k: v for k, v in values.items() if k in FIELDS}
    start = values.get("start_date", current.start_date if current else None)
    end = values.get("end_date", current.end_date if current else None)
    if start is None or end is None or end < start:
        raise ContractPeriodInvalid()
    if "currency" in values:
        values["currency"] = (values["currency"] or "CNY").upper()
        if values["currency"] not in CURRENCIES:
            raise ContractPriceInvalid()
    if "price" in values:
        try:
            if isinstance(values["price"], float):
                raise ContractPriceInvalid()
            price = money(values["price"] if values["price"] is not None else 0,
                          values.get("currency") or (current.currency if current else "CNY"))
        except (ValueError, TypeError, InvalidOperation):
            raise ContractPriceInvalid()
        if price < 0 or price >= Decimal("1e12"):
            raise ContractPriceInvalid()
        values["price"] = price
    for key in ("response_hours", "resolution_hours"):
        if key in values and values[key] is not None and not 1 <= int(values[key]) <= MAX_HOURS:
            raise ContractHoursInvalid()
    if "included_visits_per_year" in values:
        visits = int(values["included_visits_per_year"] or 0)
        if not 0 <= visits <= 365:
            raise ContractHoursInvalid(_("Included visits per year must be between 0 and 365."),
                                       code="contract_visits_invalid")
        values["included_visits_per_year"] = visits
    if "title" in values:
        values["title"] = (values["title"] or "").strip()[:160]
        if not values["title"]:
            raise ContractPeriodInvalid(_("Give the contract a title."), code="title_required")
    return values


def _check_equipment(customer: Any, equipment: list[Any]) -> list[Any]:
    units = list({u.pk: u for u in equipment}.values())
    for unit in units:
        if unit.customer_id != customer.pk:
            raise EquipmentNotOfCustomer(unit=str(unit))
    return units


def _check_not_double_covered(contract: Contract) -> None:
    """No unit may be under two active contracts whose periods overlap."""
    clash = (Contract.objects.filter(state=ContractState.ACTIVE, equipment__in=contract.equipment.all(),
                                     start_date__lte=contract.end_date, end_date__gte=contract.start_date)
             .exclude(pk=contract.pk).first())
    if clash is not None:
        unit = clash.equipment.filter(pk__in=contract.equipment.values("pk")).first()
        raise EquipmentAlreadyCovered(unit=str(unit), contract=clash.number)


def _set_equipment(contract: Contract, units: list[Any], actor: Any) -> None:
    from aftersales.core import audit

    before = sorted(str(u) for u in contract.equipment.all())
    contract.equipment.set(units)
    after = sorted(str(u) for u in units)
    if before != after:
        audit.record(actor=actor, instance=contract, action="update", changes={"equipment": [before, after]},
                     verb="coverage_changed", parent=contract.customer)


@transaction.atomic
def contract_create(*, actor: Any, customer: Any, title: str, start_date: dt.date, end_date: dt.date,
                    equipment: list[Any] | tuple[Any, ...] = (), **values: Any) -> Contract:
    """A draft contract for the customer covering some of his units."""
    require(actor, EDIT_CONTRACTS)
    clean = _clean({"title": title, "start_date": start_date, "end_date": end_date, **values})
    units = _check_equipment(customer, list(equipment))
    contract = core.create(Contract, actor=actor, parent=customer,
                           number=next_number("CT", timezone.localdate().year), customer=customer,
                           created_by=actor, **clean)
    if units:
        _set_equipment(contract, units, actor)
    return contract


@transaction.atomic
def contract_update(*, actor: Any, contract: Contract, values: dict[str, Any], equipment: list[Any] | None = None,
                    expected_version: int | None = None) -> Contract:
    """Change a draft or active contract's terms or coverage (an active one stays free of double coverage)."""
    require(actor, EDIT_CONTRACTS)
    contract = _locked(contract)
    if contract.state not in (ContractState.DRAFT, ContractState.ACTIVE):
        raise ContractClosed()
    clean = _clean(values, contract)
    units = _check_equipment(contract.customer, equipment) if equipment is not None else None
    if clean or expected_version is not None:
        core.save_changes(contract, actor=actor, values=clean, expected_version=expected_version,
                          parent=contract.customer)
    if units is not None:
        _set_equipment(contract, units, actor)
    if contract.state == ContractState.ACTIVE:
        if not contract.equipment.exists():
            raise ContractHasNoEquipment()
        _check_not_double_covered(contract)
    return contract


def _locked(contract: Contract) -> Contract:
    fresh = Contract.objects.select_for_update().select_related("customer").get(pk=contract.pk)
    contract.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return contract


@transaction.atomic
def contract_activate(*, actor: Any, contract: Contract, expected_version: int | None = None,
                      today: dt.date | None = None) -> Contract:
    """Draft → active: it must cover at least one unit, not be over already, and not double-cover a unit."""
    require(actor, EDIT_CONTRACTS)
    contract = _locked(contract)
    CONTRACT_MACHINE.target("activate", contract.state)
    today = today or timezone.localdate()
    if contract.end_date < today:
        raise ContractAlreadyEnded()
    if not contract.equipment.exists():
        raise ContractHasNoEquipment()
    _check_not_double_covered(contract)
    return core.transition(contract, machine=CONTRACT_MACHINE, action="activate", actor=actor,
                           expected_version=expected_version, parent=contract.customer)


@transaction.atomic
def contract_terminate(*, actor: Any, contract: Contract, reason: str,
                       expected_version: int | None = None) -> Contract:
    """End a draft or active contract early, with the reason (kept on the contract and in the audit)."""
    require(actor, EDIT_CONTRACTS)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    contract = _locked(contract)
    return core.transition(contract, machine=CONTRACT_MACHINE, action="terminate", actor=actor, reason=reason,
                           values={"termination_reason": reason[:300]}, expected_version=expected_version,
                           parent=contract.customer)


def next_period(contract: Contract) -> tuple[dt.date, dt.date]:
    """The period following the contract's, of the same length (whole months when it is whole months)."""
    start = contract.end_date + dt.timedelta(days=1)
    delta = relativedelta(start, contract.start_date)
    months = delta.years * 12 + delta.months
    if delta.days == 0 and months > 0:
        return start, start + relativedelta(months=months) - dt.timedelta(days=1)
    return start, start + (start - contract.start_date) - dt.timedelta(days=1)


@transaction.atomic
def contract_renew(*, actor: Any, contract: Contract) -> Contract:
    """Create the next period's contract as a draft, copying the coverage and the terms. Once per contract."""
    require(actor, EDIT_CONTRACTS)
    contract = _locked(contract)
    if contract.state not in (ContractState.ACTIVE, ContractState.EXPIRED):
        raise NotRenewable()
    if Contract.objects.filter(renewed_from=contract).exists():
        raise AlreadyRenewed()
    start, end = next_period(contract)
    values = {k: getattr(contract, k) for k in FIELDS if k not in ("start_date", "end_date")}
    renewal = core.create(Contract, actor=actor, parent=contract.customer,
                          number=next_number("CT", timezone.localdate().year), customer=contract.customer,
                          created_by=actor, renewed_from=contract, **{**values, "start_date": start, "end_date": end})
    renewal.equipment.set(contract.equipment.all())
    return renewal


# -- service class of work orders --------------------------------------------------------------------------------

def derive_service_class(work_order: Any = None, *, request: Any = None,
                         on: dt.date | None = None) -> tuple[str, Contract | None]:
    """Who pays for a job, from what covers the request's unit on the day: an active contract → B (with that
    contract); else in warranty → C; else A. D (internal) is never derived: it is set by hand."""
    request = request if request is not None else work_order.request
    on = on or timezone.localdate()
    unit = request.equipment if request.equipment_id else None
    if unit is None:
        return ServiceClass.PAID, None
    contract = selectors.covering(unit, on).first()
    if contract is not None:
        return ServiceClass.CONTRACT, contract
    if unit.warranty_status(on) == WarrantyStatus.IN_WARRANTY:
        return ServiceClass.WARRANTY, None
    return ServiceClass.PAID, None


@transaction.atomic
def work_order_set_service_class(*, actor: Any, work_order: Any, service_class: str, reason: str,
                                 contract: Contract | None = None, expected_version: int | None = None) -> Any:
    """Override the derived class, with a reason (audited). Refused once the work order is billed or cancelled.
    Class B needs a contract of the customer covering the unit (the derived one when none is named)."""
    from aftersales.billing.choices import BillState
    from aftersales.billing.models import Bill
    from aftersales.fieldservice.choices import WorkOrderState
    from aftersales.fieldservice.models import WorkOrder

    require(actor, SET_SERVICE_CLASS)
    if service_class not in ServiceClass.values:
        raise ServiceClassInvalid()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    # Lock the work order row only: PostgreSQL refuses FOR UPDATE on the nullable side of the equipment join.
    fresh = WorkOrder.objects.select_for_update(of=("self",)).select_related("request", "request__equipment").get(
        pk=work_order.pk)
    work_order.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    if work_order.state == WorkOrderState.CANCELLED:
        raise WorkOrderCancelled()
    if Bill.objects.filter(work_order=work_order).exclude(state=BillState.CANCELLED).exists():
        raise WorkOrderBilled()  # a discarded draft does not count
    chosen = None
    if service_class == ServiceClass.CONTRACT:
        unit = work_order.request.equipment
        active = selectors.covering(unit, timezone.localdate()) if unit else Contract.objects.none()
        if contract is not None:
            chosen = active.filter(pk=contract.pk).first()
        else:
            chosen = (active.filter(pk=work_order.contract_id).first() if work_order.contract_id else None) \
                or active.first()
        if chosen is None:
            raise ContractRequired()
    return core.save_changes(work_order, actor=actor, expected_version=expected_version, reason=reason[:240],
                             parent=work_order.request, verb="service_class",
                             values={"service_class": service_class, "contract": chosen,
                                     "service_class_overridden": True, "service_class_reason": reason[:240]})


# -- the daily check: renewal reminders and expiry ---------------------------------------------------------------

@dataclass
class DailyResult:
    reminders: int = 0
    messages: int = 0
    expired: int = 0


def _recipients() -> list[Any]:
    return list(get_user_model().objects.filter(is_active=True, role__in=["manager", "agent"]).order_by("id"))


def _url(contract: Contract) -> str:
    try:
        return reverse("contracts:detail", args=[contract.pk])
    except Exception:  # noqa: BLE001 - the screens may not be installed
        return ""


def reminder_due(contract: Contract, today: dt.date) -> int | None:
    """Which renewal reminder applies today: 60 when 31–60 days are left, 30 when 0–30; None otherwise."""
    left = (contract.end_date - today).days
    if left < 0:
        return None
    due = [d for d in REMINDER_DAYS if left <= d]
    return min(due) if due else None


def _remind(contract: Contract, days: int, recipients: list[Any], today: dt.date) -> int:
    from aftersales.notifications.services import notify

    left = (contract.end_date - today).days

    def subject() -> str:
        return str(_("Contract %(number)s ends in %(days)s days: renew it") % {"number": contract.number,
                                                                                   "days": max(left, 0)})

    def body() -> str:
        return str(_("Maintenance contract %(number)s (%(title)s) of %(customer)s ends on %(end)s. Agree the "
                     "renewal with the customer, then press Renew on the contract page.")
                   % {"number": contract.number, "title": contract.title, "customer": contract.customer.name,
                      "end": contract.end_date.isoformat()})

    key = f"contract:{contract.pk}:renewal{days}:{contract.end_date.isoformat()}"
    return notify(event_key=key, recipients=recipients, subject=subject, body=body, url=_url(contract))


def _expire(contract: Contract, recipients: list[Any]) -> int:
    from aftersales.notifications.services import notify

    core.transition(contract, machine=CONTRACT_MACHINE, action="expire", actor=None,
                    reason=str(_("The contract period ended.")), parent=contract.customer)

    def subject() -> str:
        return str(_("Contract %(number)s has expired") % {"number": contract.number})

    def body() -> str:
        return str(_("Maintenance contract %(number)s (%(title)s) of %(customer)s ended on %(end)s. Jobs on its "
                     "equipment are no longer class B.") % {"number": contract.number, "title": contract.title,
                                                             "customer": contract.customer.name,
                                                             "end": contract.end_date.isoformat()})

    return notify(event_key=f"contract:{contract.pk}:expired", recipients=recipients, subject=subject, body=body,
                  url=_url(contract))


def contracts_daily(*, today: dt.date | None = None) -> DailyResult:
    """Send each due renewal reminder once (60 and 30 days before the last day) and expire active contracts past
    their last day. Idempotent: reminders go through the outbox's unique keys, expiry is a state transition."""
    today = today or timezone.localdate()
    result = DailyResult()
    recipients = _recipients()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    for contract in (Contract.objects.select_related("customer")
                     .filter(state=ContractState.ACTIVE, end_date__gte=today, end_date__lte=horizon)
                     .exclude(renewal__isnull=False).order_by("end_date", "id")):
        days = reminder_due(contract, today)
        if days is None:
            continue
        with transaction.atomic():
            added = _remind(contract, days, recipients, today)
        if added:
            result.reminders += 1
            result.messages += added
    for pk in Contract.objects.filter(state=ContractState.ACTIVE, end_date__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            contract = Contract.objects.select_for_update().select_related("customer").filter(
                pk=pk, state=ContractState.ACTIVE, end_date__lt=today).first()
            if contract is None:
                continue
            result.messages += _expire(contract, recipients)
            result.expired += 1
    return result
