"""Factories for spare-parts tests: a part, a location, an engineer's van, stock received."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aftersales.core.testing import make_user, n

from .. import ledger, services
from ..models import Part, StockLocation


def storekeeper() -> Any:
    return make_user("storekeeper")


def make_part(actor: Any = None, **kw: Any) -> Part:
    actor = actor or make_user("storekeeper")
    return services.part_create(actor=actor, number=kw.pop("number", f"P-{n():05d}"), name=kw.pop("name", "压缩机接触器"),
                                unit=kw.pop("unit", "pcs"), cost_price=kw.pop("cost_price", Decimal("80.00")),
                                list_price=kw.pop("list_price", Decimal("120.00")), **kw)


def make_location(kind: str = "warehouse", actor: Any = None, **kw: Any) -> StockLocation:
    actor = actor or make_user("storekeeper")
    return services.location_create(actor=actor, code=kw.pop("code", f"L{n():04d}"), name=kw.pop("name", "武汉中心仓"),
                                     kind=kind, **kw)


def make_van(engineer: Any, actor: Any = None) -> StockLocation:
    return make_location("van", actor=actor, code=f"VAN-{engineer.username}", name=f"{engineer.username} 的车",
                         engineer=engineer)


def stock(part: Part, location: StockLocation, quantity: Any, actor: Any = None) -> Any:
    return ledger.receive(actor=actor or make_user("storekeeper"), part=part, quantity=quantity, location=location)
