"""Reorder points and receipts against purchase requests, applied inside the stock move's own transaction.

`check` runs after every move that lowers what is available at a location: when the available quantity falls
below the location's minimum and no purchase request is open for that part there, one is raised for the
purchasing role. A partial unique index (one open request per part and location) makes two moves crossing the
line at once raise only one. `apply_receipt` counts a receipt whose reference is a purchase request's number
towards it and closes it once the ordered quantity has arrived.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from .choices import OPEN_PURCHASE_STATES, PurchaseState
from .error_codes import ReceiptMismatch
from .models import Part, PurchaseRequest, ReorderPoint, StockBalance, StockLocation, StockMove

PURCHASE_PREFIX = "PR-"


def available_at(part: Part | int, location: StockLocation | int) -> Any:
    from decimal import Decimal

    row = StockBalance.objects.filter(part=part, location=location).values_list("on_hand", "reserved").first()
    return (row[0] - row[1]) if row else Decimal(0)


def check(part: Part, location: StockLocation | None) -> PurchaseRequest | None:
    """Raise a purchase request when `part` at `location` has fallen below its reorder point."""
    if location is None:
        return None
    point = ReorderPoint.objects.filter(part=part, location=location, is_active=True).first()
    if point is None or available_at(part, location) >= point.min_level:
        return None
    if PurchaseRequest.objects.filter(part=part, location=location, state__in=OPEN_PURCHASE_STATES).exists():
        return None
    from . import services

    try:
        with transaction.atomic():
            return services.purchase_request_raise(actor=None, part=part, location=location,
                                                   quantity=point.reorder_quantity, reorder_point=point)
    except IntegrityError:
        return None  # another move raised it at the same moment


def apply_receipt(entry: StockMove, *, actor: Any) -> PurchaseRequest | None:
    """A receipt whose reference is a purchase request's number counts towards it, and closes it when complete."""
    if not entry.reference.upper().startswith(PURCHASE_PREFIX):
        return None
    request = PurchaseRequest.objects.select_for_update().filter(number__iexact=entry.reference.strip()).first()
    if request is None:
        return None
    if (request.part_id != entry.part_id or request.location_id != entry.to_location_id
            or request.state != PurchaseState.ORDERED):
        raise ReceiptMismatch()
    from . import services

    return services.purchase_request_count_receipt(actor=actor, request=request, quantity=entry.quantity)
