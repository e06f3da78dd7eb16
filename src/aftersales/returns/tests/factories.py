"""Factories of the returns and recalls tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aftersales.core.testing import make_equipment, make_user, n


def make_location(kind: str = "warehouse", name: str = "中心仓") -> Any:
    from aftersales.inventory.models import StockLocation

    return StockLocation.objects.create(code=f"L{n()}", name=name, kind=kind)


def make_part(name: str = "UPS 电池模块") -> Any:
    from aftersales.inventory.models import Part

    return Part.objects.create(number=f"P{n()}", name=name, unit="pcs", list_price=Decimal("1200.00"),
                               cost_price=Decimal("800.00"))


def chain_users() -> dict[str, Any]:
    return {role: make_user(role) for role in ("agent", "dispatcher", "engineer", "storekeeper", "manager")}


def make_return(actor: Any = None, kind: str = "return", part: Any = None, equipment: Any = None,
                refund: Any = "500.00", **kw: Any) -> Any:
    from aftersales.returns import services

    actor = actor or make_user("agent")
    equipment = equipment or make_equipment()
    return services.return_request_create(actor=actor, customer=equipment.customer, equipment=equipment, part=part,
                                          kind=kind, reason=kw.pop("reason", "电池鼓包，客户要求退货"),
                                          refund_amount=refund, **kw)
