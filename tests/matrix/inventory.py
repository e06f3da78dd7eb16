"""Spare parts (C8) in the permission matrix: the catalogue, locations, moves, purchase requests, valuation, and
catalogue parts used on a visit. Stock is company-wide (UNSCOPED); a part used on a visit is its engineer's."""

from __future__ import annotations

from typing import Any

from aftersales.core import permissions as P

WEB = {
    "inventory:parts": (P.VIEW_STOCK, None, "get"),
    "inventory:part_create": (P.EDIT_PARTS, None, "get"),
    "inventory:part_picker": (P.VIEW_STOCK, None, "get"),
    "inventory:part": (P.VIEW_STOCK, "part", "get"),
    "inventory:part_edit": (P.EDIT_PARTS, "part", "get"),
    "inventory:locations": (P.VIEW_STOCK, None, "get"),
    "inventory:location_create": (P.EDIT_PARTS, None, "get"),
    "inventory:location": (P.VIEW_STOCK, "stock_location", "get"),
    "inventory:location_edit": (P.EDIT_PARTS, "stock_location", "get"),
    "inventory:reorder_point_set": (P.EDIT_PARTS, "stock_location", "post"),
    "inventory:moves": (P.VIEW_STOCK, None, "get"),
    "inventory:move_create": (P.MOVE_STOCK, None, "get"),
    "inventory:purchases": (P.VIEW_STOCK, None, "get"),
    "inventory:purchase_create": (P.PURCHASE, None, "get"),
    "inventory:purchase_detail": (P.VIEW_STOCK, "purchase_request", "get"),
    "inventory:purchase_receive": (P.MOVE_STOCK, "purchase_request", "post"),
    "inventory:purchase_action": (P.PURCHASE, "purchase_action", "post"),
    "inventory:suppliers": (P.VIEW_STOCK, None, "get"),
    "inventory:supplier_create": (P.EDIT_PARTS, None, "get"),
    "inventory:supplier_edit": (P.EDIT_PARTS, "supplier", "get"),
    "inventory:valuation": (P.VIEW_STOCK, None, "get"),
    "inventory:valuation_csv": (P.VIEW_STOCK, None, "get"),
}

API = {
    ("GET", "/parts"): (P.VIEW_STOCK,),
    ("POST", "/parts"): (P.EDIT_PARTS,),
    ("GET", "/parts/{id}"): (P.VIEW_STOCK,),
    ("PATCH", "/parts/{id}"): (P.EDIT_PARTS,),
    ("GET", "/parts/{id}/stock"): (P.VIEW_STOCK,),
    ("GET", "/stock-locations"): (P.VIEW_STOCK,),
    ("POST", "/stock-locations"): (P.EDIT_PARTS,),
    ("GET", "/stock-locations/{id}"): (P.VIEW_STOCK,),
    ("PATCH", "/stock-locations/{id}"): (P.EDIT_PARTS,),
    ("GET", "/stock-locations/{id}/stock"): (P.VIEW_STOCK,),
    ("GET", "/stock-moves"): (P.VIEW_STOCK,),
    ("POST", "/stock-moves"): (P.MOVE_STOCK,),
    ("GET", "/stock-valuation"): (P.VIEW_STOCK,),
    ("GET", "/reorder-points"): (P.VIEW_STOCK,),
    ("POST", "/reorder-points"): (P.EDIT_PARTS,),
    ("GET", "/purchase-requests"): (P.VIEW_STOCK,),
    ("POST", "/purchase-requests"): (P.PURCHASE,),
    ("GET", "/purchase-requests/{id}"): (P.VIEW_STOCK,),
    ("POST", "/purchase-requests/{id}/order"): (P.PURCHASE,),
    ("POST", "/purchase-requests/{id}/receive"): (P.MOVE_STOCK, P.PURCHASE),
    ("POST", "/purchase-requests/{id}/cancel"): (P.PURCHASE,),
    ("GET", "/suppliers"): (P.VIEW_STOCK,),
    ("POST", "/suppliers"): (P.EDIT_PARTS,),
    ("GET", "/suppliers/{id}"): (P.VIEW_STOCK,),
    ("PATCH", "/suppliers/{id}"): (P.EDIT_PARTS,),
    ("POST", "/visits/{id}/parts"): (P.FIELD_WORK,),
    ("DELETE", "/part-usages/{id}"): (P.FIELD_WORK,),
}

API_KINDS = {"parts": "part", "stock-locations": "stock_location", "purchase-requests": "purchase_request",
             "part-usages": "part_usage", "suppliers": "supplier"}
UNSCOPED_KINDS = {"part", "stock_location", "purchase_request", "purchase_action", "supplier"}


def extend(world: Any, wuhan: Any, changsha: Any) -> None:
    from aftersales.fieldservice.models import PartUsage
    from aftersales.inventory import ledger, services
    from aftersales.suppliers import services as supplier_services

    keeper, buyer = world.users["storekeeper"], world.users["purchasing"]
    for tag, side, city, engineer in (("A", world.own, wuhan, world.users["engineer"]),
                                      ("B", world.other, changsha, world.users["engineer2"])):
        part = services.part_create(actor=keeper, number=f"MX-{tag}", name=f"接触器 {tag}")
        location = services.location_create(actor=keeper, code=f"MX-SP-{tag}", name=f"服务站 {tag}",
                                            kind="service_point", region=city)
        services.location_create(actor=keeper, code=f"MX-VAN-{tag}", name=f"服务车 {tag}", kind="van",
                                 engineer=engineer)
        ledger.receive(actor=keeper, part=part, quantity=5, location=location)
        side["part"] = part
        side["stock_location"] = location
        side["supplier"] = supplier_services.supplier_create(actor=keeper, code=f"MX-S-{tag}", name=f"供应商 {tag}")
        side["purchase_request"] = services.purchase_request_create(actor=buyer, part=part, location=location,
                                                                    quantity=3)
        side["part_usage"] = PartUsage.objects.create(visit=side["visit"], description="扎带", quantity=1)


def kwargs(kind: str, objects: dict[str, Any]) -> dict[str, Any] | None:
    if kind == "purchase_action":
        return {"pk": objects["purchase_request"].pk, "action": "order"}
    return None
