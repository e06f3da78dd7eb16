"""Billing (C6) in the permission matrix: bills, payment (finance only), quotes and a work order's charges.
A bill or quote follows its work order's scope: an engineer's own, a lead's province."""

from __future__ import annotations

from typing import Any

from aftersales.core import permissions as P

WEB = {
    "billing:list": (P.VIEW_BILLING, None, "get"),
    "billing:detail": (P.VIEW_BILLING, "bill", "get"),
    "billing:receipt_pdf": (P.VIEW_BILLING, "bill", "get"),
    "billing:lines": (P.EDIT_CHARGES, "bill", "post"),
    "billing:issue": (P.EDIT_CHARGES, "bill", "post"),
    "billing:discard": (P.EDIT_CHARGES, "bill", "post"),
    "billing:pay": (P.FINANCE, "bill", "post"),
    "billing:waive": (P.FINANCE, "bill", "post"),
    "billing:work_order_bill": (P.EDIT_CHARGES, "work_order", "post"),
    "billing:work_order_quote": (P.EDIT_CHARGES, "work_order", "post"),
    "billing:quote": (P.VIEW_BILLING, "quote", "get"),
    "billing:quote_signature": (P.VIEW_BILLING, "quote", "get"),
    "billing:quote_lines": (P.EDIT_CHARGES, "quote", "post"),
    "billing:quote_approve": (P.EDIT_CHARGES, "quote", "post"),
    "billing:quote_withdraw": (P.EDIT_CHARGES, "quote", "post"),
}

API = {
    ("GET", "/bills"): (P.VIEW_BILLING,),
    ("GET", "/bills/{id}"): (P.VIEW_BILLING,),
    ("GET", "/bills/{id}/receipt.pdf"): (P.VIEW_BILLING,),
    ("PUT", "/bills/{id}/lines"): (P.EDIT_CHARGES,),
    ("POST", "/bills/{id}/issue"): (P.EDIT_CHARGES,),
    ("POST", "/bills/{id}/discard"): (P.EDIT_CHARGES,),
    ("POST", "/bills/{id}/pay"): (P.FINANCE,),
    ("POST", "/bills/{id}/waive"): (P.FINANCE,),
    ("GET", "/company-accounts"): (P.VIEW_BILLING,),
    ("POST", "/work-orders/{id}/bill"): (P.EDIT_CHARGES,),
    ("GET", "/work-orders/{id}/quote"): (P.VIEW_BILLING,),
    ("POST", "/work-orders/{id}/quote"): (P.EDIT_CHARGES,),
    ("GET", "/quotes/{id}"): (P.VIEW_BILLING,),
    ("PUT", "/quotes/{id}/lines"): (P.EDIT_CHARGES,),
    ("POST", "/quotes/{id}/approve"): (P.EDIT_CHARGES,),
    ("POST", "/quotes/{id}/withdraw"): (P.EDIT_CHARGES,),
}

API_KINDS = {"bills": "bill", "quotes": "quote"}


def extend(world: Any, wuhan: Any, changsha: Any) -> None:
    """On each side: an issued bill of the side's work order, and a class A work order whose quote the customer
    signed."""
    from aftersales.billing import services
    from aftersales.core.testing import PNG_1PX
    from aftersales.fieldservice import services as fs
    from aftersales.fieldservice.models import WorkOrder
    from aftersales.servicedesk import services as sd

    u = world.users
    for side, engineer in ((world.own, u["engineer"]), (world.other, u["engineer2"])):
        side["bill"] = services.bill_create(actor=u["agent"], customer=side["customer"], work_order=side["work_order"],
                                            lines=[{"kind": "labour", "description": "人工", "quantity": 1,
                                                    "unit_price": "120.00"}])
        request = sd.request_create(actor=u["agent"], customer=side["customer"], equipment=side["equipment"],
                                    summary="有偿维修")
        sd.request_triage(actor=u["dispatcher"], request=request, severity="general")
        wo = fs.work_order_create(actor=u["dispatcher"], request=request)
        WorkOrder.objects.filter(pk=wo.pk).update(service_class="A", contract=None)
        wo.refresh_from_db()
        fs.work_order_assign(actor=u["dispatcher"], work_order=wo, engineer=engineer)
        quote = services.quote_create(actor=u["agent"], work_order=wo, hours=1)
        side["quote"] = services.quote_approve(actor=engineer, quote=quote, method="signature", approver_name="客户",
                                               signature_data_url=PNG_1PX)
