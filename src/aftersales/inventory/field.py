"""What the engineer's field page needs to use catalogue parts on a visit: his van, the parts that fit the unit
(with what his van holds of each) and the locations he may take a part from."""

from __future__ import annotations

from typing import Any

from . import selectors, services
from .choices import LocationKind
from .models import Part, StockBalance, StockLocation

PICKS = 12


def pick_rows(user: Any, query: str = "", product_model: int | None = None) -> tuple[list[dict[str, Any]], Any]:
    qs = selectors.search_parts(selectors.parts_for(user).filter(is_active=True), query, product_model=product_model)
    parts: list[Part] = list(qs[:PICKS])
    van = services.van_of(user)
    in_van: dict[int, Any] = {}
    if van is not None and parts:
        in_van = {b.part_id: b.on_hand - b.reserved
                  for b in StockBalance.objects.filter(location=van, part__in=parts)}
    rows = [{"part": p, "in_van": in_van.get(p.pk), "fits": getattr(p, "fits", 1) == 0} for p in parts]
    return rows, van


def field_parts(user: Any, work_order: Any, visit: Any) -> dict[str, Any]:
    if visit is None:
        return {}
    request = work_order.request
    model_id = (request.equipment.product_model_id if getattr(request, "equipment_id", None)
                else getattr(request, "product_model_id", None))
    rows, van = pick_rows(user, product_model=model_id)
    return {
        "stock_usages": [p for p in visit.parts.all() if p.part_id],
        "van": van, "pick_parts": rows, "pick_model": model_id or "",
        "stock_locations": list(StockLocation.objects.filter(
            is_active=True, kind__in=[LocationKind.SERVICE_POINT, LocationKind.WAREHOUSE]).order_by("kind", "code")),
    }
