"""Every read of the spare-parts context: the catalogue, stock per part and per location, the ledger, purchase
requests and the valuation report.

Stock is company-wide (an engineer needs to know which service point holds the part he lacks), so these reads are
the same for everyone who holds VIEW_STOCK; on-hand and available come from `StockBalance`, the running sum of
the ledger kept in the same transaction as each move, so they answer in one indexed read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from aftersales.core.money import money

from .choices import LocationKind
from .models import Part, PurchaseRequest, StockBalance, StockLocation, StockMove


def parts_for(user: Any) -> QuerySet[Part]:
    return Part.objects.select_related("supplier")


def locations_for(user: Any) -> QuerySet[StockLocation]:
    return StockLocation.objects.select_related("region", "engineer")


def purchase_requests_for(user: Any) -> QuerySet[PurchaseRequest]:
    return PurchaseRequest.objects.select_related("part", "location", "supplier", "raised_by")


def moves_for(user: Any) -> QuerySet[StockMove]:
    return StockMove.objects.select_related("part", "from_location", "to_location", "work_order", "actor")


def search_parts(qs: QuerySet[Part], query: str, *, product_model: Any = None) -> QuerySet[Part]:
    """Number (prefix), name or English name, supplier, or a compatible model's code or name; with `product_model`, the
    parts that fit it come first."""
    query = query.strip()
    if query:
        from aftersales.customers.models import ProductModel

        fits = ProductModel.objects.filter(Q(code__icontains=query) | Q(name__icontains=query),
                                           parts=OuterRef("pk"))
        qs = qs.filter(Q(number__istartswith=query) | Q(name__icontains=query) | Q(name_en__icontains=query)
                       | Q(supplier__name__icontains=query) | Exists(fits))
    if product_model is not None:
        fit = Part.compatible_models.through.objects.filter(part_id=OuterRef("pk"), productmodel_id=product_model)
        qs = qs.annotate(fits=Case(When(Exists(fit), then=Value(0)), default=Value(1),
                                   output_field=IntegerField())).order_by("fits", "number")
    else:
        qs = qs.order_by("number")
    return qs


def part_stock(part: Part | int) -> QuerySet[StockBalance]:
    """On hand, reserved and available of one part at every location that holds or held it, by location code
    (an indexed read; paginate it: every engineer's van is a location)."""
    return (StockBalance.objects.filter(part=part).select_related("location")
            .annotate(available_qty=F("on_hand") - F("reserved")).order_by("location__code"))


def part_totals(part: Part | int) -> dict[str, Decimal]:
    """One part's on hand, reserved and available over every location, summed in the database."""
    sums = StockBalance.objects.filter(part=part).aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    cent = Decimal("0.01")  # as the columns hold them (SQLite's SUM drops the scale)
    on_hand, reserved = (sums["on_hand"] or Decimal(0)).quantize(cent), (sums["reserved"] or Decimal(0)).quantize(cent)
    return {"on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved}


def location_stock(location: StockLocation | int, query: str = "") -> QuerySet[StockBalance]:
    """What one location holds, by part number (paginate it: a warehouse holds thousands of parts)."""
    qs = StockBalance.objects.filter(location=location).exclude(on_hand=0, reserved=0).select_related("part")
    if query.strip():
        qs = qs.filter(Q(part__number__istartswith=query.strip()) | Q(part__name__icontains=query.strip()))
    return qs.annotate(available_qty=F("on_hand") - F("reserved")).order_by("part__number")


def availability(part: Part | int, location: StockLocation | int) -> Decimal:
    row = StockBalance.objects.filter(part=part, location=location).values_list("on_hand", "reserved").first()
    return (row[0] - row[1]) if row else Decimal(0)


def filter_moves(qs: QuerySet[StockMove], *, part: Any = None, location: Any = None, kind: str = "",
                 work_order: Any = None, date_from: dt.date | None = None,
                 date_to: dt.date | None = None) -> QuerySet[StockMove]:
    """The ledger narrowed by part, location (either side of the move), kind, work order and date range
    (whole days in the user's time zone)."""
    if part:
        qs = qs.filter(part=part)
    if location:
        qs = qs.filter(Q(from_location=location) | Q(to_location=location))
    if kind:
        qs = qs.filter(kind=kind)
    if work_order:
        qs = qs.filter(work_order=work_order)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(date_from, dt.time(0), tz))
    if date_to:
        qs = qs.filter(created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tz))
    return qs.order_by("-created_at", "-id")


def valuation(currency: str | None = None) -> dict[str, Any]:
    """Stock value (on hand × cost price) by location and in total: one aggregate over the balances."""
    rows = (StockBalance.objects.filter(on_hand__gt=0).order_by().values("location_id")
            .annotate(value=Sum(F("on_hand") * F("part__cost_price")), units=Sum("on_hand"), lines=Count("id")))
    by_location = {r["location_id"]: r for r in rows}
    locations = StockLocation.objects.filter(pk__in=by_location).order_by("kind", "code")
    kind_order = {k: i for i, k in enumerate(LocationKind.values)}
    result = []
    for location in sorted(locations, key=lambda loc: (kind_order.get(loc.kind, 9), loc.code)):
        row = by_location[location.pk]
        result.append({"location": location, "lines": row["lines"], "units": row["units"],
                       "value": money(row["value"] or 0, currency)})
    return {"rows": result, "total": money(sum((r["value"] for r in result), Decimal(0)), currency),
            "units": sum((r["units"] for r in result), Decimal(0))}


def open_purchase_count() -> int:
    return PurchaseRequest.objects.filter(state__in=["open", "ordered"]).count()


def move_page(qs: QuerySet[StockMove], *, page: int, page_size: int, location: Any = None,
              **filters: Any) -> dict[str, Any]:
    """One page of the ledger (newest first) with its capped total, for `paginate`'s callers.

    Narrowed to a location, a move matches on either side (from or to). An OR over the two columns makes the
    database collect and sort every move of a warehouse (millions) for one page, so each side is read from its own
    index up to the end of the page and the two are merged here: exact, since a move never has the same location
    on both sides, and bounded by the deepest page the lists offer (MAX_COUNT)."""
    from aftersales.core.api import MAX_COUNT, paginate

    base = filter_moves(qs, **filters)
    if not location:
        return paginate(base, page, page_size)
    import math

    page = max(1, int(page or 1))
    page_size = min(max(1, int(page_size or 25)), 100)
    start = min((page - 1) * page_size, MAX_COUNT)
    end = start + page_size
    sides = (base.filter(from_location=location), base.filter(to_location=location))
    keys: list[tuple[Any, int]] = []
    exhausted = True
    for side in sides:
        rows = list(side.values_list("created_at", "id")[:end])
        exhausted &= len(rows) < end
        keys.extend(rows)
    keys.sort(reverse=True)
    ids = [pk for _, pk in keys[start:end]]
    if exhausted:
        total, exact = len(keys), True
    else:
        total = sum(side.order_by()[: MAX_COUNT + 1].count() for side in sides)
        exact = total <= MAX_COUNT
        total = min(total, MAX_COUNT)
    found = qs.in_bulk(ids)
    return {"count": total, "count_exact": exact, "page": page, "page_size": page_size,
            "pages": max(1, math.ceil(total / page_size)), "results": [found[pk] for pk in ids if pk in found]}
