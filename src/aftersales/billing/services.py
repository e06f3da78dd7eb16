"""Billing rules (C6). Every write goes through a function here, inside one transaction, with its audit entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from aftersales.core import audit, numbering
from aftersales.core.money import default_currency, line_amount, money, total
from aftersales.inventory.ledger import parse_quantity

from .choices import ChargeKind
from .error_codes import InvalidChargeLine
from .models import Bill, ChargeLine

CREDIT_KINDS = {ChargeKind.REFUND, ChargeKind.COMPENSATION}


def _line(bill: Bill, spec: dict[str, Any]) -> ChargeLine:
    kind = spec.get("kind")
    description = (spec.get("description") or "").strip()
    if kind not in ChargeKind.values or not description:
        raise InvalidChargeLine()
    quantity = parse_quantity(spec.get("quantity", 1))
    try:
        unit_price = money(spec["unit_price"], bill.currency)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidChargeLine() from exc
    # Refunds and compensation are credits: their price is negative, every other charge's is not.
    if (kind in CREDIT_KINDS) != (unit_price < 0) and unit_price != 0:
        raise InvalidChargeLine()
    covered = bool(spec.get("covered", False))
    amount = Decimal("0.00") if covered else line_amount(quantity, unit_price, bill.currency)
    return ChargeLine(bill=bill, kind=kind, description=description[:200], quantity=quantity,
                      unit_price=unit_price, amount=amount, part=spec.get("part"), covered=covered)


def recompute_total(bill: Bill) -> Decimal:
    return total(bill.lines.values_list("amount", flat=True), bill.currency)


def bill_create(*, actor: Any, customer: Any, lines: list[dict[str, Any]], work_order: Any = None,
                reference: str = "", currency: str | None = None, parent: Any = None) -> Bill:
    """A bill with its lines; each line is {kind, description, quantity, unit_price, part?, covered?}.

    Returns and recalls call this with a REFUND or COMPENSATION line (negative unit price)."""
    if not lines:
        raise InvalidChargeLine()
    currency = currency or default_currency()
    with transaction.atomic():
        now = timezone.localtime(timezone.now())
        bill = Bill(number=numbering.next_number("BL", now.year), customer=customer, work_order=work_order,
                    reference=reference[:60], currency=currency, created_by=actor if getattr(actor, "pk", None)
                    else None)
        rows = [_line(bill, spec) for spec in lines]
        bill.total = total((r.amount for r in rows), currency)
        bill.save(force_insert=True)
        for r in rows:
            r.bill = bill
        ChargeLine.objects.bulk_create(rows)
        audit.record_create(actor=actor, instance=bill, parent=parent or work_order)
    return bill


def today() -> dt.date:
    return timezone.localdate()
