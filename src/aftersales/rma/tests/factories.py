"""Factories of the RMA tests (suppliers that repair items, the RMA shelf, catalogue parts, cases)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aftersales.core.testing import make_equipment, make_user, n


def make_vendor(name: str = "格力售后返修中心", repairs: bool = True) -> Any:
    from aftersales.suppliers.models import Supplier

    return Supplier.objects.create(code=f"V{n()}", name=name, repairs_items=repairs)


def make_rma_shelf(code: str = "RMA-WH") -> Any:
    from aftersales.inventory.models import StockLocation

    return StockLocation.objects.create(code=f"{code}-{n()}", name="返修件货架", kind="rma")


def make_part(number: str | None = None, name: str = "控制主板") -> Any:
    from aftersales.inventory.models import Part

    return Part.objects.create(number=number or f"P-{n()}", name=name, unit="pcs", list_price=Decimal("800.00"),
                               cost_price=Decimal("500.00"))


def make_case(actor: Any = None, equipment: Any = None, kind: str = "warranty", work_order: Any = None,
              **kw: Any) -> Any:
    from aftersales.rma import services

    actor = actor or make_user("rma_clerk")
    if work_order is not None:
        equipment = equipment or work_order.request.equipment
    equipment = equipment or make_equipment()
    return services.rma_register(actor=actor, customer=equipment.customer, equipment=equipment, serial="",
                                 item_description=kw.pop("item", "压缩机控制板"), fault=kw.pop("fault", "上电无显示"),
                                 kind=kind, brought_by=kw.pop("brought_by", "张工"), source_work_order=work_order,
                                 **kw)
