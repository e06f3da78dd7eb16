"""Every write of the spare-parts context: the catalogue, stock locations, stock moves by the storekeeper, parts
issued to a visit, reorder points and purchase requests.

Stock itself changes only through `inventory.ledger`; these services check who may move what and where, then
call it. Each runs in one transaction and audits what it changed; a refusal is a DomainError with a stable code and
leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core import audit
from aftersales.core import services as core
from aftersales.core.money import money
from aftersales.core.numbering import next_number
from aftersales.core.permissions import EDIT_PARTS, FIELD_WORK, MOVE_STOCK, PURCHASE, has_perm, require

from . import ledger
from .choices import PURCHASE_MACHINE, LocationKind, MoveKind
from .error_codes import (
    InvalidMove,
    LocationNotAllowed,
    NegativePrice,
    NoVan,
    PartNumberTaken,
    PurchaseAlreadyOpen,
    ReasonRequired,
    SupplierRequired,
    UnknownLocation,
    UnknownPart,
    VanTaken,
)
from .models import Part, PurchaseRequest, ReorderPoint, StockLocation, StockMove

PART_FIELDS = ("number", "name", "name_en", "unit", "supplier", "list_price", "cost_price", "currency", "is_active")
LOCATION_FIELDS = ("code", "name", "kind", "region", "engineer", "is_active")


def _prices(values: dict[str, Any]) -> dict[str, Any]:
    for key in ("list_price", "cost_price"):
        if key in values and values[key] is not None:
            if isinstance(values[key], float):
                values[key] = str(values[key])
            values[key] = money(values[key], values.get("currency"))
            if values[key] < 0:
                raise NegativePrice()
    return values


# Catalogue -----------------------------------------------------------------------------------------------------


@transaction.atomic
def part_create(*, actor: Any, number: str, name: str, compatible_models: Any = (), **values: Any) -> Part:
    """A part in the catalogue: its number is unique; prices are money (Decimal, rounded to the fen)."""
    require(actor, EDIT_PARTS)
    values = _prices({k: v for k, v in values.items() if k in PART_FIELDS})
    number = number.strip()
    if Part.objects.filter(number__iexact=number).exists():
        raise PartNumberTaken()
    part = core.create(Part, actor=actor, number=number, name=name.strip(), **values)
    if compatible_models:
        part.compatible_models.set(list(compatible_models))
    return part


@transaction.atomic
def part_update(*, actor: Any, part: Part, values: dict[str, Any], expected_version: int | None = None) -> Part:
    require(actor, EDIT_PARTS)
    models_ = values.pop("compatible_models", None)
    values = _prices({k: v for k, v in values.items() if k in PART_FIELDS})
    if "number" in values and Part.objects.filter(number__iexact=values["number"]).exclude(pk=part.pk).exists():
        raise PartNumberTaken()
    core.save_changes(part, actor=actor, values=values, expected_version=expected_version)
    if models_ is not None:
        before = sorted(part.compatible_models.values_list("code", flat=True))
        part.compatible_models.set(list(models_))
        after = sorted(part.compatible_models.values_list("code", flat=True))
        if before != after:
            audit.record(actor=actor, instance=part, action="update", changes={"compatible_models": [before, after]},
                         verb="compatible_models")
    return part


def _check_van(kind: str, engineer: Any, location: StockLocation | None = None) -> None:
    if (kind == LocationKind.VAN) != (engineer is not None):
        raise VanTaken()
    if engineer is not None:
        if getattr(engineer, "role", None) != "engineer":
            raise VanTaken()
        clash = StockLocation.objects.filter(engineer=engineer)
        if location is not None:
            clash = clash.exclude(pk=location.pk)
        if clash.exists():
            raise VanTaken()


@transaction.atomic
def location_create(*, actor: Any, code: str, name: str, kind: str, region: Any = None,
                    engineer: Any = None) -> StockLocation:
    """A place that holds stock: the central warehouse, a service point, one engineer's van, the RMA shelf."""
    require(actor, EDIT_PARTS)
    if kind not in LocationKind.values:
        raise InvalidMove()
    _check_van(kind, engineer)
    if StockLocation.objects.filter(code__iexact=code.strip()).exists():
        raise PartNumberTaken()
    return core.create(StockLocation, actor=actor, code=code.strip(), name=name.strip(), kind=kind, region=region,
                       engineer=engineer)


@transaction.atomic
def location_update(*, actor: Any, location: StockLocation, values: dict[str, Any],
                    expected_version: int | None = None) -> StockLocation:
    require(actor, EDIT_PARTS)
    values = {k: v for k, v in values.items() if k in LOCATION_FIELDS}
    kind = values.get("kind", location.kind)
    if kind not in LocationKind.values:
        raise InvalidMove()
    _check_van(kind, values["engineer"] if "engineer" in values else location.engineer, location)
    if "code" in values and StockLocation.objects.filter(code__iexact=values["code"]).exclude(
            pk=location.pk).exists():
        raise PartNumberTaken()
    return core.save_changes(location, actor=actor, values=values, expected_version=expected_version)


# Stock moves by the storekeeper -----------------------------------------------------------------------------------


def stock_move(*, actor: Any, kind: str, part: Part, quantity: Any, location: StockLocation | None = None,
               target: StockLocation | None = None, reason: str = "", reference: str = "",
               work_order: Any = None, from_reservation: bool = False) -> StockMove:
    """A storekeeper's move: `location` is where stock leaves (or arrives for receive/return/adjust), `target`
    where a transfer goes. Issue to a work order is a move too (a storekeeper handing parts over the counter)."""
    require(actor, MOVE_STOCK)
    if part is None:
        raise UnknownPart()
    if location is None:
        raise UnknownLocation()
    common = {"actor": actor, "part": part, "reason": reason, "reference": reference, "work_order": work_order}
    if kind == MoveKind.TRANSFER:
        if target is None:
            raise InvalidMove()
        return ledger.transfer(quantity=quantity, source=location, target=target, **common)
    if target is not None:
        raise InvalidMove()
    if kind == MoveKind.ADJUST:
        if not reason.strip():
            raise ReasonRequired()
        return ledger.adjust(delta=quantity, location=location, **common)
    operations = {MoveKind.RECEIVE: ledger.receive, MoveKind.RESERVE: ledger.reserve, MoveKind.RELEASE: ledger.release,
                  MoveKind.ISSUE: ledger.issue, MoveKind.RETURN: ledger.return_to_stock, MoveKind.SCRAP: ledger.scrap}
    if kind not in operations:
        raise InvalidMove()
    if kind == MoveKind.SCRAP and not reason.strip():
        raise ReasonRequired()
    if from_reservation:
        if kind != MoveKind.ISSUE:
            raise InvalidMove()
        common["consume_reservation"] = True  # hand over what was reserved for the job
    return operations[kind](quantity=quantity, location=location, **common)


# Parts used on a visit ------------------------------------------------------------------------------------------


def van_of(user: Any) -> StockLocation | None:
    return StockLocation.objects.filter(engineer=user, is_active=True).first() if getattr(user, "pk", None) else None


def issue_for_visit(*, actor: Any, part: Part, quantity: Any, work_order: Any,
                    location: StockLocation | None = None, audit_parent: Any = None) -> StockMove:
    """An engineer takes a part for his job: from his own van by default, or from a service point or warehouse,
    never from another engineer's van or the RMA shelf."""
    require(actor, FIELD_WORK)
    location = location or van_of(actor)
    if location is None:
        raise NoVan()
    if location.kind == LocationKind.RMA or (location.kind == LocationKind.VAN and location.engineer_id != actor.pk):
        raise LocationNotAllowed()
    return ledger.issue(actor=actor, part=part, quantity=quantity, location=location, work_order=work_order,
                        audit_parent=audit_parent)


def return_from_visit(*, actor: Any, move: StockMove, audit_parent: Any = None) -> StockMove:
    """A part recorded on a visit by mistake goes back where it came from."""
    return ledger.return_to_stock(actor=actor, part=move.part, quantity=move.quantity, location=move.from_location,
                                  work_order=move.work_order, reason=str(_("Removed from the visit report")),
                                  audit_parent=audit_parent)


# Reorder points ---------------------------------------------------------------------------------------------------


@transaction.atomic
def reorder_point_set(*, actor: Any, part: Part, location: StockLocation, min_level: Any,
                      reorder_quantity: Any, is_active: bool = True) -> ReorderPoint:
    """Set (create or change) the reorder point of a part at a location, then check it at once."""
    require(actor, EDIT_PARTS)
    min_level = Decimal(0) if str(min_level).strip() in ("0", "0.00") else ledger.parse_quantity(min_level)
    reorder_quantity = ledger.parse_quantity(reorder_quantity)
    point = ReorderPoint.objects.filter(part=part, location=location).first()
    values = {"min_level": min_level, "reorder_quantity": reorder_quantity, "is_active": is_active}
    if point is None:
        point = core.create(ReorderPoint, actor=actor, part=part, location=location, **values)
    else:
        core.save_changes(point, actor=actor, values=values)
    if is_active:
        from . import reorder

        reorder.check(part, location)
    return point


# Purchase requests ----------------------------------------------------------------------------------------------


def _purchasers() -> list[Any]:
    return list(get_user_model().objects.filter(role="purchasing", is_active=True))


def purchase_request_raise(*, actor: Any, part: Part, location: StockLocation, quantity: Any, reason: str = "",
                           reorder_point: ReorderPoint | None = None) -> PurchaseRequest:
    """Ask purchasing to buy a part for a location (by a reorder point when `actor` is None, or by hand)."""
    if actor is not None:
        if not (has_perm(actor, PURCHASE) or has_perm(actor, MOVE_STOCK)):
            require(actor, PURCHASE)
    quantity = ledger.parse_quantity(quantity)
    if reorder_point is not None and not reason:
        reason = str(_("Below the reorder point (%(level)s) at %(location)s") % {
            "level": reorder_point.min_level.normalize(), "location": location.name})
    with transaction.atomic():
        request = core.create(
            PurchaseRequest, actor=actor, number=next_number("PR", timezone.localtime().year), part=part,
            location=location, quantity=quantity, reason=reason[:240], supplier=part.supplier,
            raised_by=actor if getattr(actor, "pk", None) else None, reorder_point=reorder_point)
    _tell_purchasing(request)
    return request


def _tell_purchasing(request: PurchaseRequest) -> None:
    from django.urls import reverse

    from aftersales.notifications.services import notify

    part, location = request.part, request.location
    notify(event_key=f"purchase_request:{request.pk}", recipients=_purchasers(),
           subject=lambda: str(_("Purchase request %(number)s: %(part)s") % {"number": request.number,
                                                                              "part": part.number}),
           body=lambda: str(_("Please buy %(quantity)s %(unit)s of %(part)s for %(location)s. %(reason)s") % {
               "quantity": request.quantity.normalize(), "unit": part.unit, "part": f"{part.number} {part.name}",
               "location": location.name, "reason": request.reason}),
           url=reverse("inventory:purchase_detail", args=[request.pk]))


def _locked(request: PurchaseRequest) -> PurchaseRequest:
    fresh = PurchaseRequest.objects.select_for_update().get(pk=request.pk)
    request.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return request


@transaction.atomic
def purchase_request_order(*, actor: Any, request: PurchaseRequest, supplier: Any, expected_on: dt.date | None,
                           quantity: Any = None, expected_version: int | None = None) -> PurchaseRequest:
    """Purchasing has ordered the part from a supplier, expected on a date (the quantity may be changed)."""
    require(actor, PURCHASE)
    if supplier is None:
        raise SupplierRequired()
    _locked(request)
    values: dict[str, Any] = {"supplier": supplier, "expected_on": expected_on}
    if quantity not in (None, ""):
        values["quantity"] = ledger.parse_quantity(quantity)
    return core.transition(request, machine=PURCHASE_MACHINE, action="order", actor=actor, values=values,
                           expected_version=expected_version)


@transaction.atomic
def purchase_request_receive(*, actor: Any, request: PurchaseRequest, quantity: Any) -> StockMove:
    """Goods arrived against an ordered request: received into its location with its number as the reference;
    the request closes when the ordered quantity is in."""
    if not (has_perm(actor, MOVE_STOCK) or has_perm(actor, PURCHASE)):
        require(actor, MOVE_STOCK)
    _locked(request)
    PURCHASE_MACHINE.target("receive", request.state)
    # The ledger's receipt hook counts it (reorder.apply_receipt → purchase_request_count_receipt).
    return ledger.receive(actor=actor, part=request.part, quantity=quantity, location=request.location,
                          reference=request.number, audit_parent=request)


def purchase_request_count_receipt(*, actor: Any, request: PurchaseRequest, quantity: Decimal) -> PurchaseRequest:
    """Called by the ledger inside the receipt's transaction, with the request locked."""
    received = request.received_quantity + quantity
    if received >= request.quantity:
        return core.transition(request, machine=PURCHASE_MACHINE, action="receive", actor=actor,
                               values={"received_quantity": received})
    return core.save_changes(request, actor=actor, values={"received_quantity": received}, verb="partly_received")


@transaction.atomic
def purchase_request_cancel(*, actor: Any, request: PurchaseRequest, reason: str,
                            expected_version: int | None = None) -> PurchaseRequest:
    require(actor, PURCHASE)
    if not reason.strip():
        raise ReasonRequired()
    _locked(request)
    return core.transition(request, machine=PURCHASE_MACHINE, action="cancel", actor=actor, reason=reason,
                           expected_version=expected_version)


def purchase_request_create(*, actor: Any, part: Part, location: StockLocation, quantity: Any,
                            reason: str = "") -> PurchaseRequest:
    """A purchase request raised by hand; refused while one is open for the same part and location."""
    require(actor, PURCHASE)
    try:
        with transaction.atomic():
            return purchase_request_raise(actor=actor, part=part, location=location, quantity=quantity,
                                          reason=reason)
    except IntegrityError:
        raise PurchaseAlreadyOpen()


