"""Billing rules (C6). Every write goes through a function here, inside one transaction, with its audit entry.

Charges for a work order (`bill_for_work_order`):
- **Labour**: for each visit, the time on site (arrival to departure) rounded **up to the next half hour, at least
  one hour per visit** (`billable_hours`), times the hourly rate of the visiting engineer's grade (`LabourRate`).
- **Parts**: each part used — catalogue parts at their catalogue price × quantity; a part typed by hand has no
  price: its line waits for one (`price_pending`) and the bill cannot be issued until it is entered.
- **Travel**: one fee per visit, by the region class of the site (`TravelFee`): an explicit `RegionTravelClass`
  for the site's city (else its province), otherwise 1 = the service centre's city, 2 = its province, 3 = others.
- Class B (contract): lines the contract covers (`covers_labour/parts/travel`) are shown as covered, amount 0.
  Class C (free warranty) and D (internal): no bill and no quote (`no_charge_for_class`).
Amounts are rounded per line (`core.money`), and a bill's total is the sum of its rounded lines.

Payment status (unpaid → paid | waived) is the finance role's alone; a payment is always recorded against one of
the company's designated accounts with a reference, by the finance user — an engineer cannot mark a bill paid.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.contracts.choices import ServiceClass
from aftersales.core import audit, numbering
from aftersales.core import services as core
from aftersales.core.money import default_currency, line_amount, money, total
from aftersales.core.permissions import EDIT_CHARGES, FIELD_WORK, FINANCE, has_perm, require
from aftersales.core.uploads import store_signature
from aftersales.inventory.ledger import parse_quantity

from .choices import (
    BILL_MACHINE,
    METHOD_ACCOUNT_KIND,
    PAYMENT_MACHINE,
    QUOTE_MACHINE,
    ApprovalMethod,
    BillState,
    ChargeKind,
    PaymentMethod,
    QuoteState,
    RegionClass,
)
from .error_codes import (
    AccountInvalid,
    AlreadyBilled,
    AmountMismatch,
    ApprovalMethodInvalid,
    ApproverRequired,
    BillNotDraft,
    BillNotIssued,
    CurrencyMismatch,
    InvalidChargeLine,
    NoChargeForClass,
    NotYourWorkOrder,
    PartPriceRequired,
    PaymentMethodInvalid,
    PhoneApprovalNoteRequired,
    QuoteNotApproved,
    QuoteNotOpen,
    RateMissing,
    ReceivedDateInvalid,
    ReferenceRequired,
    ServiceClassMissing,
    WaiveReasonRequired,
    WorkNotCompleted,
    WorkOrderClosed,
)
from .models import (
    Bill,
    ChargeLine,
    CompanyAccount,
    LabourRate,
    Payment,
    Quote,
    QuoteLine,
    RegionTravelClass,
    TravelFee,
)

CREDIT_KINDS = {ChargeKind.REFUND, ChargeKind.COMPENSATION}
CHARGED_CLASSES = {ServiceClass.PAID, ServiceClass.CONTRACT}
NO_CHARGE_CLASSES = {ServiceClass.WARRANTY, ServiceClass.INTERNAL}
HOUR_STEP_MINUTES = 30  # time on site is billed in steps of half an hour, rounded up …
MINIMUM_MINUTES = 60  # … and at least one hour per visit
MAX_LINES = 100


# -- lines ---------------------------------------------------------------------------------------------------------

def _line_values(currency: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Check one line spec {kind, description, quantity, unit_price, part?, covered?, price_pending?}."""
    kind = spec.get("kind")
    description = str(spec.get("description") or "").strip()
    if kind not in ChargeKind.values or not description:
        raise InvalidChargeLine()
    quantity = parse_quantity(spec.get("quantity", 1))
    pending = bool(spec.get("price_pending", False))
    raw_price = spec.get("unit_price")
    if pending and raw_price in (None, ""):
        raw_price = 0
    try:
        unit_price = money(raw_price, currency)
    except (TypeError, ValueError) as exc:
        raise InvalidChargeLine() from exc
    if not unit_price.is_finite() or abs(unit_price) >= Decimal("1e10"):
        raise InvalidChargeLine()
    # Refunds and compensation are credits: their price is negative, every other charge's is not.
    if (kind in CREDIT_KINDS) != (unit_price < 0) and unit_price != 0:
        raise InvalidChargeLine()
    covered = bool(spec.get("covered", False))
    amount = Decimal("0.00") if covered else line_amount(quantity, unit_price, currency)
    return {"kind": kind, "description": description[:200], "quantity": quantity, "unit_price": unit_price,
            "amount": money(amount, currency), "part": spec.get("part"), "covered": covered,
            "price_pending": pending and unit_price == 0}


def _line(bill: Bill, spec: dict[str, Any]) -> ChargeLine:
    return ChargeLine(bill=bill, **_line_values(bill.currency, spec))


def _quote_line(quote: Quote, spec: dict[str, Any]) -> QuoteLine:
    values = _line_values(quote.currency, spec)
    values.pop("price_pending")
    return QuoteLine(quote=quote, **values)


def _check_lines(lines: list[dict[str, Any]]) -> None:
    if not lines or len(lines) > MAX_LINES:
        raise InvalidChargeLine()


def recompute_total(bill: Bill) -> Decimal:
    return total(bill.lines.values_list("amount", flat=True), bill.currency)


def _new_bill(*, actor: Any, customer: Any, lines: list[dict[str, Any]], work_order: Any, reference: str,
              currency: str | None, parent: Any, state: str, service_class: str = "") -> Bill:
    _check_lines(lines)
    currency = currency or default_currency()
    now = timezone.localtime(timezone.now())
    bill = Bill(number=numbering.next_number("BL", now.year), customer=customer, work_order=work_order,
                reference=reference[:60], currency=currency, state=state, service_class=service_class,
                issued_at=timezone.now() if state == BillState.ISSUED else None,
                created_by=actor if getattr(actor, "pk", None) else None)
    rows = [_line(bill, spec) for spec in lines]
    bill.total = total((r.amount for r in rows), currency)
    bill.save(force_insert=True)
    for r in rows:
        r.bill = bill
    ChargeLine.objects.bulk_create(rows)
    audit.record_create(actor=actor, instance=bill, parent=parent or work_order)
    return bill


def bill_create(*, actor: Any, customer: Any, lines: list[dict[str, Any]], work_order: Any = None,
                reference: str = "", currency: str | None = None, parent: Any = None) -> Bill:
    """A bill with its lines; each line is {kind, description, quantity, unit_price, part?, covered?}.

    Returns and recalls call this with a REFUND or COMPENSATION line (negative unit price). The bill is issued
    at once (unpaid); its payment status is then finance's to change."""
    with transaction.atomic():
        return _new_bill(actor=actor, customer=customer, lines=lines, work_order=work_order, reference=reference,
                         currency=currency, parent=parent, state=BillState.ISSUED)


# -- rates ---------------------------------------------------------------------------------------------------------

def billable_hours(arrived_at: dt.datetime, departed_at: dt.datetime) -> Decimal:
    """Hours charged for one visit: time on site rounded up to the next half hour, at least one hour."""
    minutes = max((departed_at - arrived_at).total_seconds() / 60, 0)
    steps = math.ceil(round(minutes, 6) / HOUR_STEP_MINUTES)
    charged = max(steps * HOUR_STEP_MINUTES, MINIMUM_MINUTES)
    return (Decimal(charged) / Decimal(60)).quantize(Decimal("0.01"))


# The defaults (CNY) a fresh installation starts with (migration 0004 installs them; first use does if it did not).
DEFAULT_LABOUR_RATES = {1: "80.00", 2: "100.00", 3: "120.00", 4: "150.00", 5: "180.00"}
DEFAULT_TRAVEL_FEES = {1: "50.00", 2: "150.00", 3: "300.00"}


def ensure_default_rates() -> None:
    """Install the default rates when none are configured at all (an emptied table, a flushed test database)."""
    currency = default_currency()
    if not LabourRate.objects.exists():
        for grade, rate in DEFAULT_LABOUR_RATES.items():
            LabourRate.objects.get_or_create(grade=grade, defaults={"hourly_rate": Decimal(rate), "currency": currency})
    if not TravelFee.objects.exists():
        for region_class, fee in DEFAULT_TRAVEL_FEES.items():
            TravelFee.objects.get_or_create(region_class=region_class,
                                            defaults={"fee": Decimal(fee), "currency": currency})


def labour_rate(grade: int | None, currency: str) -> Decimal:
    rate = LabourRate.objects.filter(grade=grade or 1).first()
    if rate is None and not LabourRate.objects.exists():
        ensure_default_rates()
        rate = LabourRate.objects.filter(grade=grade or 1).first()
    if rate is None:
        raise RateMissing(grade=grade)
    if rate.currency != currency:
        raise CurrencyMismatch()
    return money(rate.hourly_rate, currency)


def travel_fee(region_class: int, currency: str) -> Decimal:
    fee = TravelFee.objects.filter(region_class=region_class).first()
    if fee is None and not TravelFee.objects.exists():
        ensure_default_rates()
        fee = TravelFee.objects.filter(region_class=region_class).first()
    if fee is None:
        raise RateMissing(region_class=region_class)
    if fee.currency != currency:
        raise CurrencyMismatch()
    return money(fee.fee, currency)


def _service_centre(work_order: Any) -> Any:
    from aftersales.accounts.models import ServiceCenter

    engineer = work_order.engineer
    if engineer is not None and engineer.service_center_id:
        return ServiceCenter.objects.select_related("city").get(pk=engineer.service_center_id)
    return ServiceCenter.objects.select_related("city").order_by("id").first()


def region_class_of(work_order: Any) -> int | None:
    """The travel class of the work order's site: an explicit mapping of its city or province wins; otherwise
    1 the serving centre's city, 2 the centre's province, 3 elsewhere. None without a site (no travel charged);
    class 1 when no service centre is configured."""
    site = work_order.request.site
    if site is None:
        return None
    explicit = {m.region_id: m.region_class for m in RegionTravelClass.objects.filter(
        region_id__in=[site.city_id, site.province_id])}
    for region_id in (site.city_id, site.province_id):
        if region_id in explicit:
            return explicit[region_id]
    centre = _service_centre(work_order)
    if centre is None or centre.city_id == site.city_id:
        return RegionClass.SAME_CITY
    centre_province = centre.city.parent_id or centre.city_id
    if centre_province == site.province_id:
        return RegionClass.SAME_PROVINCE
    return RegionClass.OTHER_PROVINCE


def _covers(work_order: Any) -> dict[str, bool]:
    """Which kinds of charge the job's contract covers (class B only)."""
    contract = work_order.contract if work_order.contract_id else None
    if work_order.service_class != ServiceClass.CONTRACT or contract is None:
        return {}
    return {ChargeKind.LABOUR: contract.covers_labour, ChargeKind.PARTS: contract.covers_parts,
            ChargeKind.TRAVEL: contract.covers_travel}


def _check_chargeable(work_order: Any) -> None:
    if work_order.service_class in NO_CHARGE_CLASSES:
        raise NoChargeForClass(service_class=work_order.service_class)
    if work_order.service_class not in CHARGED_CLASSES:
        raise ServiceClassMissing()


def _engineer_label(engineer: Any) -> str:
    return getattr(engineer, "name", "") or getattr(engineer, "display_name", "") or str(engineer)


def charge_lines(work_order: Any, currency: str) -> list[dict[str, Any]]:
    """The computed lines of a completed work order (see the module docstring for the rules)."""
    from aftersales.fieldservice.models import PartUsage, Visit

    covers = _covers(work_order)
    visits = list(Visit.objects.filter(work_order=work_order).select_related("engineer").order_by("arrived_at"))
    region_class = region_class_of(work_order)
    lines: list[dict[str, Any]] = []
    tz = timezone.get_current_timezone()
    for visit in visits:
        if visit.departed_at is None:
            continue
        day = timezone.localtime(visit.arrived_at, tz).strftime("%Y-%m-%d")
        hours = billable_hours(visit.arrived_at, visit.departed_at)
        grade = getattr(visit.engineer, "grade", 1) or 1
        lines.append({"kind": ChargeKind.LABOUR, "quantity": hours, "unit_price": labour_rate(grade, currency),
                      "covered": covers.get(ChargeKind.LABOUR, False),
                      "description": _("%(day)s, %(engineer)s (grade %(grade)s), hours on site") % {
                          "day": day, "engineer": _engineer_label(visit.engineer), "grade": grade}})
    usages = PartUsage.objects.filter(visit__in=visits).select_related("part").order_by("visit__arrived_at", "id")
    for usage in usages:
        part = usage.part
        spec: dict[str, Any] = {"kind": ChargeKind.PARTS, "quantity": usage.quantity,
                                "covered": covers.get(ChargeKind.PARTS, False)}
        if part is not None:
            if part.currency != currency:
                raise CurrencyMismatch()
            spec.update(part=part, unit_price=part.list_price, description=f"{part.number} {part.name}")
        else:
            spec.update(unit_price=None, price_pending=True, description=usage.description)
        lines.append(spec)
    if region_class is not None:
        fee = travel_fee(region_class, currency)
        label = RegionClass(region_class).label
        for visit in visits:
            if visit.departed_at is None:
                continue
            day = timezone.localtime(visit.arrived_at, tz).strftime("%Y-%m-%d")
            lines.append({"kind": ChargeKind.TRAVEL, "quantity": 1, "unit_price": fee,
                          "covered": covers.get(ChargeKind.TRAVEL, False),
                          "description": _("%(day)s, region class %(label)s") % {"day": day, "label": label}})
    return lines


def _acting_on(actor: Any, work_order: Any) -> None:
    """Charges are recorded by office roles, or by the engineer on his own work order only."""
    require(actor, EDIT_CHARGES)
    if has_perm(actor, FIELD_WORK) and work_order.engineer_id != actor.pk:
        raise NotYourWorkOrder()


def _lock_work_order(work_order: Any) -> Any:
    from aftersales.fieldservice.models import WorkOrder

    fresh = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    work_order.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return work_order


def bill_for_work_order(*, actor: Any, work_order: Any) -> Bill:
    """A draft bill of a completed class A or B work order, computed from its visits, parts and site.

    Refused for class C and D (`no_charge_for_class`), before completion, and when a live bill exists."""
    from aftersales.fieldservice.choices import WorkOrderState

    _acting_on(actor, work_order)
    with transaction.atomic():
        _lock_work_order(work_order)
        _check_chargeable(work_order)
        if work_order.state != WorkOrderState.COMPLETED:
            raise WorkNotCompleted()
        if Bill.objects.filter(work_order=work_order).exclude(state=BillState.CANCELLED).exclude(
                service_class="").exists():
            raise AlreadyBilled()
        currency = default_currency()
        customer = work_order.request.customer
        with translation.override(customer.language or None):
            lines = charge_lines(work_order, currency)
        if not lines:
            raise InvalidChargeLine()
        return _new_bill(actor=actor, customer=customer, lines=lines, work_order=work_order,
                         reference=work_order.number, currency=currency, parent=work_order, state=BillState.DRAFT,
                         service_class=work_order.service_class)


def _locked_bill(bill: Bill) -> Bill:
    fresh = Bill.objects.select_for_update().get(pk=bill.pk)
    bill.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return bill


def _bill_editor(actor: Any, bill: Bill) -> None:
    require(actor, EDIT_CHARGES)
    if bill.work_order_id is not None and has_perm(actor, FIELD_WORK):
        if bill.work_order.engineer_id != actor.pk:
            raise NotYourWorkOrder()


def _line_summary(line: Any) -> str:
    covered = " covered" if line.covered else ""
    return f"{line.kind} {line.description} {line.quantity} × {line.unit_price} = {line.amount}{covered}"


def bill_lines_replace(*, actor: Any, bill: Bill, lines: list[dict[str, Any]],
                       expected_version: int | None = None) -> Bill:
    """Edit a draft bill: its lines are replaced by `lines` (a price entered clears `price_pending`)."""
    _bill_editor(actor, bill)
    _check_lines(lines)
    with transaction.atomic():
        _locked_bill(bill)
        if bill.state != BillState.DRAFT:
            raise BillNotDraft()
        old = [_line_summary(r) for r in bill.lines.all()]
        rows = [_line(bill, spec) for spec in lines]
        new_total = total((r.amount for r in rows), bill.currency)
        core.save_changes(bill, actor=actor, values={"total": new_total}, expected_version=expected_version,
                          verb="lines_edited", parent=bill.work_order)
        bill.lines.all().delete()
        ChargeLine.objects.bulk_create(rows)
        new = [_line_summary(r) for r in rows]
        if old != new:
            audit.record(actor=actor, instance=bill, action="update", changes={"lines": [old, new]},
                         verb="lines_edited", parent=bill.work_order)
    return bill


NOTHING_TO_PAY = gettext_lazy("Nothing to pay: every line is covered by warranty or contract.")


def bill_issue(*, actor: Any, bill: Bill, expected_version: int | None = None) -> Bill:
    """Fix a draft bill's lines and hand it to the customer; every part needs its price first."""
    _bill_editor(actor, bill)
    with transaction.atomic():
        _locked_bill(bill)
        BILL_MACHINE.target("issue", bill.state)
        if bill.lines.filter(price_pending=True).exists():
            raise PartPriceRequired()
        core.transition(bill, machine=BILL_MACHINE, action="issue", actor=actor, expected_version=expected_version,
                        values={"issued_at": timezone.now(), "total": recompute_total(bill)},
                        parent=bill.work_order)
        if bill.total == 0:
            # Every line is covered (warranty or contract): there is nothing for finance to collect, so the bill is
            # settled at once by rule, with the reason on record. No one may otherwise change payment status.
            reason = str(NOTHING_TO_PAY)
            core.transition(bill, machine=PAYMENT_MACHINE, action="waive", actor=actor, state_field="payment_status",
                            reason=reason, parent=bill.work_order,
                            values={"waived_at": timezone.now(), "waive_reason": reason[:300]})
    return bill


def bill_discard(*, actor: Any, bill: Bill, reason: str = "", expected_version: int | None = None) -> Bill:
    """Throw a draft away (e.g. to compute it again after the visit record was corrected)."""
    _bill_editor(actor, bill)
    with transaction.atomic():
        _locked_bill(bill)
        core.transition(bill, machine=BILL_MACHINE, action="cancel", actor=actor, reason=reason,
                        expected_version=expected_version, parent=bill.work_order)
    return bill


# -- payment (finance only) ------------------------------------------------------------------------------------------

def _finance(actor: Any, bill: Bill) -> None:
    require(actor, FINANCE)
    if bill.state != BillState.ISSUED:
        raise BillNotIssued()


def bill_pay(*, actor: Any, bill: Bill, account: CompanyAccount, method: str, amount: Any, reference: str,
             received_on: dt.date, note: str = "", expected_version: int | None = None) -> Payment:
    """Finance records the money received into a designated account; the bill becomes paid."""
    require(actor, FINANCE)
    if method not in PaymentMethod.values:
        raise PaymentMethodInvalid()
    reference = (reference or "").strip()
    if not reference:
        raise ReferenceRequired()
    try:
        received = money(amount, bill.currency)
    except (TypeError, ValueError) as exc:
        raise AmountMismatch() from exc
    with transaction.atomic():
        _locked_bill(bill)
        _finance(actor, bill)
        PAYMENT_MACHINE.target("pay", bill.payment_status)
        account = CompanyAccount.objects.select_for_update().filter(pk=getattr(account, "pk", None)).first()
        if account is None or not account.active or METHOD_ACCOUNT_KIND[PaymentMethod(method)] != account.kind:
            raise AccountInvalid()
        if received != bill.total:
            raise AmountMismatch(expected=str(bill.total))
        created_on = timezone.localtime(bill.created_at).date()
        if not isinstance(received_on, dt.date) or received_on > timezone.localdate() or received_on < created_on:
            raise ReceivedDateInvalid()
        payment = core.create(Payment, actor=actor, parent=bill, bill=bill, account=account, method=method,
                              amount=received, currency=bill.currency, reference=reference[:80],
                              received_on=received_on, recorded_by=actor, note=(note or "")[:300])
        core.transition(bill, machine=PAYMENT_MACHINE, action="pay", actor=actor, state_field="payment_status",
                        expected_version=expected_version, parent=bill.work_order,
                        values={"paid_at": timezone.now(), "settled_by": actor})
    return payment


def bill_waive(*, actor: Any, bill: Bill, reason: str, expected_version: int | None = None) -> Bill:
    """Finance lets the customer off the bill, with a reason."""
    require(actor, FINANCE)
    reason = (reason or "").strip()
    if not reason:
        raise WaiveReasonRequired()
    with transaction.atomic():
        _locked_bill(bill)
        _finance(actor, bill)
        core.transition(bill, machine=PAYMENT_MACHINE, action="waive", actor=actor, state_field="payment_status",
                        expected_version=expected_version, reason=reason, parent=bill.work_order,
                        values={"waived_at": timezone.now(), "waive_reason": reason[:300], "settled_by": actor})
    return bill


# -- quotes --------------------------------------------------------------------------------------------------------

def estimate_lines(work_order: Any, hours: Any = 1, currency: str | None = None) -> list[dict[str, Any]]:
    """A starting estimate for a quote: `hours` of the assigned engineer's labour and one trip's travel fee."""
    currency = currency or default_currency()
    covers = _covers(work_order)
    grade = getattr(work_order.engineer, "grade", 1) if work_order.engineer_id else 1
    hours = parse_quantity(hours)
    lines = [{"kind": ChargeKind.LABOUR, "quantity": hours, "unit_price": labour_rate(grade, currency),
              "covered": covers.get(ChargeKind.LABOUR, False),
              "description": _("Engineer grade %(grade)s, estimated hours") % {"grade": grade}}]
    region_class = region_class_of(work_order)
    if region_class is not None:
        lines.append({"kind": ChargeKind.TRAVEL, "quantity": 1, "unit_price": travel_fee(region_class, currency),
                      "covered": covers.get(ChargeKind.TRAVEL, False),
                      "description": _("One trip, region class %(label)s") % {"label": RegionClass(region_class).label}})
    return lines


def _apply_coverage(work_order: Any, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    covers = _covers(work_order)
    return [{**line, "covered": bool(line.get("covered")) or covers.get(line.get("kind"), False)} for line in lines]


def quote_create(*, actor: Any, work_order: Any, lines: list[dict[str, Any]] | None = None, hours: Any = None,
                 note: str = "") -> Quote:
    """An estimate for the customer to approve; a new quote replaces (withdraws) the one still awaiting approval.

    Without `lines`, the estimate is `hours` (default 1) of labour and the travel fee."""
    from aftersales.fieldservice.choices import WorkOrderState

    _acting_on(actor, work_order)
    with transaction.atomic():
        _lock_work_order(work_order)
        _check_chargeable(work_order)
        if work_order.state in (WorkOrderState.COMPLETED, WorkOrderState.CANCELLED):
            raise WorkOrderClosed()
        currency = default_currency()
        customer = work_order.request.customer
        if lines is None:
            with translation.override(customer.language or None):
                lines = estimate_lines(work_order, hours or 1, currency)
        _check_lines(lines)
        for open_quote in Quote.objects.filter(work_order=work_order, state=QuoteState.DRAFT):
            core.transition(open_quote, machine=QUOTE_MACHINE, action="withdraw", actor=actor,
                            reason="replaced by a new quote", parent=work_order)
        quote = Quote(number=numbering.next_number("QT", timezone.localtime().year), work_order=work_order,
                      currency=currency, note=(note or "")[:500], created_by=actor)
        rows = [_quote_line(quote, spec) for spec in _apply_coverage(work_order, lines)]
        quote.total = total((r.amount for r in rows), currency)
        quote.save(force_insert=True)
        for r in rows:
            r.quote = quote
        QuoteLine.objects.bulk_create(rows)
        audit.record_create(actor=actor, instance=quote, parent=work_order)
    return quote


def _locked_quote(quote: Quote) -> Quote:
    fresh = Quote.objects.select_for_update().get(pk=quote.pk)
    quote.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return quote


def quote_lines_replace(*, actor: Any, quote: Quote, lines: list[dict[str, Any]],
                        expected_version: int | None = None) -> Quote:
    """Change the estimate while it awaits approval."""
    _acting_on(actor, quote.work_order)
    _check_lines(lines)
    with transaction.atomic():
        _locked_quote(quote)
        if quote.state != QuoteState.DRAFT:
            raise QuoteNotOpen()
        old = [_line_summary(r) for r in quote.lines.all()]
        rows = [_quote_line(quote, spec) for spec in _apply_coverage(quote.work_order, lines)]
        core.save_changes(quote, actor=actor, expected_version=expected_version, verb="lines_edited",
                          parent=quote.work_order, values={"total": total((r.amount for r in rows), quote.currency)})
        quote.lines.all().delete()
        QuoteLine.objects.bulk_create(rows)
        new = [_line_summary(r) for r in rows]
        if old != new:
            audit.record(actor=actor, instance=quote, action="update", changes={"lines": [old, new]},
                         verb="lines_edited", parent=quote.work_order)
    return quote


def quote_approve(*, actor: Any, quote: Quote, method: str, approver_name: str, note: str = "",
                  signature_data_url: str = "", approver_phone: str = "",
                  expected_version: int | None = None) -> Quote:
    """Record the customer's approval: signed on the engineer's screen, or given by phone to an agent or engineer
    (who approved, when, recorded by whom, and a note of what was agreed)."""
    _acting_on(actor, quote.work_order)
    if method not in ApprovalMethod.values:
        raise ApprovalMethodInvalid()
    approver_name = (approver_name or "").strip()
    if not approver_name:
        raise ApproverRequired()
    note = (note or "").strip()
    if method == ApprovalMethod.PHONE and not note:
        raise PhoneApprovalNoteRequired()
    with transaction.atomic():
        _locked_quote(quote)
        if quote.state != QuoteState.DRAFT:
            raise QuoteNotOpen()
        signature = store_signature(signature_data_url).name if method == ApprovalMethod.SIGNATURE else ""
        core.transition(quote, machine=QUOTE_MACHINE, action="approve", actor=actor,
                        expected_version=expected_version, parent=quote.work_order, values={
                            "approval_method": method, "approved_at": timezone.now(),
                            "approver_name": approver_name[:60], "approver_phone": (approver_phone or "")[:32],
                            "approval_note": note[:500], "recorded_by": actor, "signature": signature})
    return quote


def quote_withdraw(*, actor: Any, quote: Quote, reason: str = "", expected_version: int | None = None) -> Quote:
    _acting_on(actor, quote.work_order)
    with transaction.atomic():
        _locked_quote(quote)
        core.transition(quote, machine=QUOTE_MACHINE, action="withdraw", actor=actor, reason=reason,
                        expected_version=expected_version, parent=quote.work_order)
    return quote


def quote_needed(work_order: Any) -> bool:
    """A paid (class A) job needs the customer's approved quote before the work is recorded."""
    return work_order.service_class == ServiceClass.PAID


def require_approved_quote(work_order: Any) -> None:
    """The gate field service calls before recording work on a class A job (empty class: not gated)."""
    if quote_needed(work_order) and not Quote.objects.filter(work_order_id=work_order.pk,
                                                             state=QuoteState.APPROVED).exists():
        raise QuoteNotApproved()


def today() -> dt.date:
    return timezone.localdate()
