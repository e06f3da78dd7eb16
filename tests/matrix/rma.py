"""Permission matrix of return for repair (C7)."""

from __future__ import annotations

from typing import Any

from aftersales.core import permissions as P

WEB = {
    "rma:list": (P.VIEW_RMA, None, "get"),
    "rma:new": (P.REGISTER_RMA, None, "get"),
    "rma:vendor_stats": (P.VIEW_RMA, None, "get"),
    "rma:notices": (P.VIEW_RMA, None, "get"),
    "rma:notice_sent": (P.REGISTER_RMA, "rma_notice", "post"),
    "rma:detail": (P.VIEW_RMA, "rma_case", "get"),
    "rma:packing_list": (P.VIEW_RMA, "rma_case", "get"),
    "rma:signature": (P.VIEW_RMA, "rma_case", "get"),
    "rma:return_receipt": (P.VIEW_RMA, "rma_case", "get"),
    "rma:action": (P.HANDLE_RMA, "rma_action", "post"),
}

API = {
    ("GET", "/rma-cases"): (P.VIEW_RMA,),
    ("POST", "/rma-cases"): (P.REGISTER_RMA,),
    ("GET", "/rma-cases/{id}"): (P.VIEW_RMA,),
    **{("POST", f"/rma-cases/{{id}}/{a}"): (P.HANDLE_RMA,)
       for a in ("test", "hand-over", "ship", "receive", "retest", "return", "scrap", "chase")},
    ("GET", "/rma-cases/{id}/packing-list.pdf"): (P.VIEW_RMA,),
    ("GET", "/rma-cases/{id}/return-receipt.pdf"): (P.VIEW_RMA,),
    ("GET", "/rma-vendor-stats"): (P.VIEW_RMA,),
    ("GET", "/rma-customer-notices"): (P.VIEW_RMA,),
    ("POST", "/rma-customer-notices/{id}/sent"): (P.REGISTER_RMA,),
}

API_KINDS = {"rma-cases": "rma_case", "rma-customer-notices": "rma_notice"}


def extend(world: Any, wuhan: Any, changsha: Any) -> None:
    """One case per side, from that side's work order, walked to the end: returned with a signed receipt."""
    from django.utils import timezone

    from aftersales.core.testing import PNG_1PX
    from aftersales.rma import services
    from aftersales.rma.models import CustomerNotice
    from aftersales.suppliers.models import Supplier

    clerk = world.users["rma_clerk"]
    vendor = Supplier.objects.create(code="V-MATRIX", name="返修厂", repairs_items=True)
    for side in (world.own, world.other):
        wo = side["work_order"]
        case = services.rma_register(actor=clerk, customer=side["customer"], equipment=side["equipment"], serial="",
                                     item_description="控制板", fault="不开机", kind="warranty", brought_by="工程师",
                                     source_work_order=wo)
        services.rma_test(actor=clerk, case=case, result="product_fault")
        services.rma_hand_over(actor=clerk, case=case)
        services.rma_ship(actor=clerk, case=case, vendor=vendor, carrier="顺丰", tracking_number="SF1",
                          shipped_on=timezone.localdate())
        services.rma_receive(actor=clerk, case=case, received_on=timezone.localdate())
        services.rma_retest(actor=clerk, case=case, result="repaired")
        services.rma_return(actor=clerk, case=case, signer_name="客户", signature_data_url=PNG_1PX)
        side["rma_case"] = case
        side["rma_notice"] = CustomerNotice.objects.create(case=case, language="zh-hans", message="您的设备仍在厂家",
                                                           created_at=timezone.now())


def kwargs(kind: str, objects: dict[str, Any]) -> dict[str, Any] | None:
    if kind == "rma_action":
        return {"pk": objects["rma_case"].pk, "action": "chase"}
    return None
