"""The stock ledger: every change of stock is one `StockMove`, applied to `StockBalance` in the same transaction.

Decreases are conditional UPDATEs (`… WHERE on_hand - reserved >= q`): when two engineers issue the last unit at
the same moment, the second UPDATE finds no row that qualifies and is refused with `insufficient_stock`, on
PostgreSQL (row lock, re-check after the first commits) and on SQLite (one writer) alike. The check constraints on
`StockBalance` are the last line: a balance can never be negative.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import audit

from .choices import DECREASING, MOVE_EFFECTS, MoveKind
from .error_codes import InactivePart, InsufficientStock, InvalidMove, InvalidQuantity
from .models import Part, StockBalance, StockLocation, StockMove

NEEDS = {
    MoveKind.RECEIVE: ("to_location",),
    MoveKind.TRANSFER: ("from_location", "to_location"),
    MoveKind.RESERVE: ("from_location",),
    MoveKind.RELEASE: ("from_location",),
    MoveKind.ISSUE: ("from_location",),
    MoveKind.RETURN: ("to_location",),
    MoveKind.SCRAP: ("from_location",),
    MoveKind.ADJUST: ("to_location",),
}


def parse_quantity(value: Any, *, signed: bool = False) -> Decimal:
    """A quantity from user input: a finite Decimal with at most 2 places, > 0 (or ≠ 0 when `signed`)."""
    if isinstance(value, float):
        value = str(value)
    try:
        qty = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidQuantity() from exc
    # finite and bounded first: quantizing 1e30 or sNaN raises instead of answering
    if not qty.is_finite() or abs(qty) >= Decimal("1e12") or qty != qty.quantize(Decimal("0.01")):
        raise InvalidQuantity()
    if (signed and qty == 0) or (not signed and qty <= 0):
        raise InvalidQuantity()
    return qty.quantize(Decimal("0.01"))


def _balance_add(part: Part, location: StockLocation, on_hand: Decimal, reserved: Decimal,
                 consume_reservation: bool = False) -> None:
    if on_hand > 0 and reserved == 0:
        StockBalance.objects.get_or_create(part=part, location=location)
        StockBalance.objects.filter(part=part, location=location).update(on_hand=F("on_hand") + on_hand)
        return
    qs = StockBalance.objects.filter(part=part, location=location)
    if on_hand < 0 and consume_reservation:
        # Issue what was reserved for the job: on hand and reserved fall together.
        rows = qs.filter(reserved__gte=-on_hand).update(on_hand=F("on_hand") + on_hand,
                                                        reserved=F("reserved") + on_hand)
    elif on_hand < 0:
        rows = qs.filter(on_hand__gte=F("reserved") - on_hand).update(on_hand=F("on_hand") + on_hand)
    elif reserved > 0:
        rows = qs.filter(on_hand__gte=F("reserved") + reserved).update(reserved=F("reserved") + reserved)
    elif reserved < 0:
        rows = qs.filter(reserved__gte=-reserved).update(reserved=F("reserved") + reserved)
    else:
        return
    if rows != 1:
        current = qs.values_list("on_hand", "reserved").first() or (Decimal("0.00"), Decimal("0.00"))
        raise InsufficientStock(
            _("Only %(available)s %(unit)s of %(part)s available at %(location)s.") % {
                "available": current[0] - current[1], "unit": part.unit, "part": part.number,
                "location": location.name},
            available=str(current[0] - current[1]),
        )


def move(*, actor: Any, kind: str, part: Part, quantity: Any, from_location: StockLocation | None = None,
         to_location: StockLocation | None = None, work_order: Any = None, reference: str = "", reason: str = "",
         unit_cost: Decimal | None = None, consume_reservation: bool = False, audit_parent: Any = None) -> StockMove:
    """Record one stock move and apply it to the balances, or refuse it and write nothing."""
    if kind not in MoveKind.values:
        raise InvalidMove()
    qty = parse_quantity(quantity, signed=kind == MoveKind.ADJUST)
    locations = {"from_location": from_location, "to_location": to_location}
    for field in NEEDS[kind]:
        if locations[field] is None:
            raise InvalidMove()
    for field in set(locations) - set(NEEDS[kind]):
        if locations[field] is not None:
            raise InvalidMove()
    if kind == MoveKind.TRANSFER and from_location.pk == to_location.pk:
        raise InvalidMove()
    if not part.is_active or any(loc is not None and not loc.is_active for loc in locations.values()):
        raise InactivePart()
    with transaction.atomic():
        for field, on_hand_sign, reserved_sign in MOVE_EFFECTS[kind]:
            _balance_add(part, locations[field], qty * on_hand_sign, qty * reserved_sign,
                         consume_reservation=consume_reservation and kind == MoveKind.ISSUE)
        entry = StockMove.objects.create(
            kind=kind, part=part, quantity=qty, from_location=from_location, to_location=to_location,
            work_order=work_order, reference=reference[:60], reason=reason[:240],
            unit_cost=part.cost_price if unit_cost is None else unit_cost,
            actor=actor if getattr(actor, "pk", None) else None, created_at=timezone.now())
        audit.record_create(actor=actor, instance=entry, parent=audit_parent or work_order, verb=kind)
        _after_move(entry, qty, actor)
    return entry


def _after_move(entry: StockMove, qty: Decimal, actor: Any) -> None:
    """In the move's transaction: a receipt against a purchase request counts towards it; a move that lowers
    what is available may cross a reorder point and raise a purchase request."""
    from . import reorder

    if entry.kind == MoveKind.RECEIVE and entry.reference:
        reorder.apply_receipt(entry, actor=actor)
    if entry.kind in DECREASING and (entry.kind != MoveKind.ADJUST or qty < 0):
        reorder.check(entry.part, entry.from_location or entry.to_location)


def receive(*, actor: Any, part: Part, quantity: Any, location: StockLocation, **kw: Any) -> StockMove:
    return move(actor=actor, kind=MoveKind.RECEIVE, part=part, quantity=quantity, to_location=location, **kw)


def transfer(*, actor: Any, part: Part, quantity: Any, source: StockLocation, target: StockLocation,
             **kw: Any) -> StockMove:
    return move(actor=actor, kind=MoveKind.TRANSFER, part=part, quantity=quantity, from_location=source,
                to_location=target, **kw)


def reserve(*, actor: Any, part: Part, quantity: Any, location: StockLocation, **kw: Any) -> StockMove:
    return move(actor=actor, kind=MoveKind.RESERVE, part=part, quantity=quantity, from_location=location, **kw)


def release(*, actor: Any, part: Part, quantity: Any, location: StockLocation, **kw: Any) -> StockMove:
    return move(actor=actor, kind=MoveKind.RELEASE, part=part, quantity=quantity, from_location=location, **kw)


def issue(*, actor: Any, part: Part, quantity: Any, location: StockLocation, **kw: Any) -> StockMove:
    return move(actor=actor, kind=MoveKind.ISSUE, part=part, quantity=quantity, from_location=location, **kw)


def return_to_stock(*, actor: Any, part: Part, quantity: Any, location: StockLocation, **kw: Any) -> StockMove:
    return move(actor=actor, kind=MoveKind.RETURN, part=part, quantity=quantity, to_location=location, **kw)


def scrap(*, actor: Any, part: Part, quantity: Any, location: StockLocation, **kw: Any) -> StockMove:
    return move(actor=actor, kind=MoveKind.SCRAP, part=part, quantity=quantity, from_location=location, **kw)


def adjust(*, actor: Any, part: Part, delta: Any, location: StockLocation, reason: str, **kw: Any) -> StockMove:
    """A count adjustment: `delta` is signed (counted − recorded)."""
    return move(actor=actor, kind=MoveKind.ADJUST, part=part, quantity=delta, to_location=location, reason=reason,
                **kw)
