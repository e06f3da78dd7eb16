"""Permission matrix of warranty, maintenance contracts and the work order's service class (C6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.core import permissions as P

WEB = {
    "contracts:list": (P.VIEW_CONTRACTS, None, "get"),
    "contracts:create": (P.EDIT_CONTRACTS, None, "get"),
    "contracts:detail": (P.VIEW_CONTRACTS, "contract", "get"),
    "contracts:edit": (P.EDIT_CONTRACTS, "contract", "get"),
    "contracts:action": (P.EDIT_CONTRACTS, "contract", "post"),
    "contracts:warranty": (P.VIEW_CUSTOMERS, None, "get"),
    "contracts:service_class": (P.SET_SERVICE_CLASS, "work_order", "post"),
}

API = {
    ("GET", "/contracts"): (P.VIEW_CONTRACTS,),
    ("POST", "/contracts"): (P.EDIT_CONTRACTS,),
    ("GET", "/contracts/{id}"): (P.VIEW_CONTRACTS,),
    ("PATCH", "/contracts/{id}"): (P.EDIT_CONTRACTS,),
    ("POST", "/contracts/{id}/activate"): (P.EDIT_CONTRACTS,),
    ("POST", "/contracts/{id}/terminate"): (P.EDIT_CONTRACTS,),
    ("POST", "/contracts/{id}/renew"): (P.EDIT_CONTRACTS,),
    ("GET", "/warranty"): (P.VIEW_CUSTOMERS,),
    ("POST", "/work-orders/{id}/service-class"): (P.SET_SERVICE_CLASS,),
}

API_KINDS = {"contracts": "contract"}


def extend(world: Any, wuhan: Any, changsha: Any) -> None:
    """An active contract on each side, covering that side's unit."""
    from django.utils import timezone

    from aftersales.contracts import services

    today = timezone.localdate()
    manager = world.users["manager"]
    for side in (world.own, world.other):
        contract = services.contract_create(actor=manager, customer=side["customer"], title="维保合同",
                                            start_date=today - dt.timedelta(days=30),
                                            end_date=today + dt.timedelta(days=335), equipment=[side["equipment"]])
        services.contract_activate(actor=manager, contract=contract)
        side["contract"] = contract
