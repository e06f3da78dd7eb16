"""REST endpoints of return for repair (C7); thin: scope with the selectors, call a service, shape."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from aftersales.core.api import Page, get_or_404, needs, paginate
from aftersales.core.api_errors import field_error
from aftersales.core.api_support import (
    Day,
    actor,
    body_example,
    etag,
    if_match,
    page_no,
    page_size,
    path_id,
    responses,
)
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import HANDLE_RMA, REGISTER_RMA, VIEW_RMA
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customers_for
from aftersales.fieldservice.selectors import work_orders_for
from aftersales.suppliers.models import Supplier

from . import selectors, services
from .models import CustomerNotice, RmaCase
from .schemas import (
    ChaseIn,
    ChaseOut,
    KindName,
    NoticeOut,
    NoticeSentIn,
    ReceiveIn,
    RetestIn,
    ReturnIn,
    RmaCaseOut,
    RmaCaseRow,
    RmaRegisterIn,
    ScrapIn,
    ShipIn,
    StateName,
    TestIn,
    VendorStatsOut,
)

router = Router(tags=["rma"])


def _case(request: HttpRequest, id: int) -> tuple[Any, RmaCase]:  # noqa: A002
    user = actor(request)
    return user, get_or_404(selectors.with_relations(selectors.cases_for(user)), id)


def _fresh(response: HttpResponse, user: Any, id: int) -> RmaCase:  # noqa: A002
    case = get_or_404(selectors.with_relations(selectors.cases_for(user)), id)
    etag(response, case)
    return case


@router.get("/rma-cases", auth=needs(VIEW_RMA), response=responses(200, Page[RmaCaseRow]), summary="List RMA cases",
            description="Returned items, oldest first, with their ageing: days since registration and days at the "
                        "vendor, each with its bucket (0–7, 8–14, 15–30, 31+). `state=open` is every case not yet "
                        "returned or scrapped; `age` filters by the registration bucket.")
def case_list(request: HttpRequest, state: StateName = Query(None), kind: KindName = Query(None),
              vendor_id: int = Query(None, ge=1, le=2**53), q: str = Query("", max_length=60),
              age: str = Query("", max_length=8), page: int = page_no(),
              page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.case_list(actor(request), state=state or "", kind=kind or "", vendor=vendor_id, q=q, age=age)
    return paginate(qs, page, page_size)


@router.post("/rma-cases", auth=needs(REGISTER_RMA), response=responses(201, RmaCaseOut, write=True),
             summary="Register a returned item",
             description="Register an item brought back (by the customer or an engineer, e.g. a visit outcome "
                         "\"taken back\"). The number is `RMA-<year>-<n>`. The equipment and the work order must "
                         "belong to the customer.",
             openapi_extra=body_example({"customer_id": 12, "equipment_id": 34, "serial": "",
                                         "item_description": "压缩机控制板", "fault": "上电无显示",
                                         "kind": "warranty", "brought_by": "张工"}))
def case_register(request: HttpRequest, body: RmaRegisterIn) -> Status:
    user = actor(request, REGISTER_RMA)
    # Lookups go through what the caller may see: an engineer registers from his own work orders.
    work_order = None
    if body.source_work_order_id:
        work_order = work_orders_for(user).select_related("request").filter(pk=body.source_work_order_id).first()
        if work_order is None:
            raise ValidationFailed(errors=[field_error("source_work_order_id", _("Unknown work order."), "unknown")])
    customers = customers_for(user)
    if work_order is not None:
        customers = customers | Customer.objects.filter(pk=work_order.request.customer_id)
    customer = customers.filter(pk=body.customer_id).first()
    if customer is None:
        raise ValidationFailed(errors=[field_error("customer_id", _("Unknown customer."), "unknown")])
    equipment = None
    if body.equipment_id:
        equipment = selectors.registrable_units(user, customer, work_order).filter(pk=body.equipment_id).first()
        if equipment is None:
            raise ValidationFailed(errors=[field_error("equipment_id", _("Unknown equipment."), "unknown")])
    case = services.rma_register(actor=user, customer=customer, equipment=equipment, source_work_order=work_order,
                                 serial=body.serial, item_description=body.item_description, fault=body.fault,
                                 kind=body.kind, brought_by=body.brought_by)
    return Status(201, get_or_404(selectors.with_relations(RmaCase.objects.all()), case.pk))


@router.get("/rma-cases/{id}", auth=needs(VIEW_RMA), response=responses(200, RmaCaseOut), summary="Get an RMA case",
            description="One case with its leftover parts, vendor chases and the actions open to the caller; "
                        "`ETag` carries its version.")
def case_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> RmaCase:  # noqa: A002
    _user, case = _case(request, id)
    etag(response, case)
    return case


WRITE_NOTE = " Honours `If-Match`; an action the state machine does not allow answers 409 `invalid_transition`."


@router.post("/rma-cases/{id}/test", auth=needs(HANDLE_RMA), response=responses(200, RmaCaseOut, write=True),
             summary="Record the test", description="registered → tested, with product fault or misuse. Misuse "
             "needs the customer's decision: `paid_repair` (the case becomes a paid repair) or `return_as_is`."
             + WRITE_NOTE, openapi_extra=body_example({"result": "product_fault", "notes": "主板电源芯片击穿"}))
def case_test(request: HttpRequest, response: HttpResponse, body: TestIn, id: int = path_id()) -> RmaCase:  # noqa: A002
    user, case = _case(request, id)
    services.rma_test(actor=user, case=case, result=body.result, notes=body.notes,
                      misuse_decision=body.misuse_decision, expected_version=if_match(request))
    return _fresh(response, user, id)


@router.post("/rma-cases/{id}/hand-over", auth=needs(HANDLE_RMA), response=responses(200, RmaCaseOut, write=True),
             summary="Hand over to the RMA clerk", description="tested → with RMA clerk. Refused (409 "
             "`rma_not_for_vendor`) for misuse the customer wants back as is." + WRITE_NOTE)
def case_hand_over(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> RmaCase:  # noqa: A002
    user, case = _case(request, id)
    services.rma_hand_over(actor=user, case=case, expected_version=if_match(request))
    return _fresh(response, user, id)


@router.post("/rma-cases/{id}/ship", auth=needs(HANDLE_RMA), response=responses(200, RmaCaseOut, write=True),
             summary="Ship to the vendor",
             description="with RMA clerk (or a failed retest) → shipped to vendor: vendor (a supplier that repairs "
                         "items), carrier, tracking number, date. Leftover parts that stay behind are recorded; "
                         "catalogue parts go into stock on the RMA shelf with the RMA number as reference. The "
                         "first reminder to chase the vendor falls 2 days (exchange) or 7 days later." + WRITE_NOTE,
             openapi_extra=body_example({"vendor_id": 3, "carrier": "顺丰速运", "tracking_number": "SF1400123456789",
                                         "shipped_on": "2026-11-20",
                                         "leftovers": [{"part_id": 7, "quantity": "1"},
                                                       {"description": "外壳螺丝一袋", "quantity": "1"}]}))
def case_ship(request: HttpRequest, response: HttpResponse, body: ShipIn, id: int = path_id()) -> RmaCase:  # noqa: A002
    user, case = _case(request, id)
    vendor = Supplier.objects.filter(pk=body.vendor_id).first()
    services.rma_ship(actor=user, case=case, vendor=vendor, carrier=body.carrier, tracking_number=body.tracking_number,
                      shipped_on=body.shipped_on, expected_version=if_match(request),
                      leftovers=[{"part": x.part_id, "description": x.description, "quantity": x.quantity}
                                 for x in body.leftovers])
    return _fresh(response, user, id)


@router.post("/rma-cases/{id}/receive", auth=needs(HANDLE_RMA), response=responses(200, RmaCaseOut, write=True),
             summary="Receive back from the vendor", description="shipped → received back; chasing stops."
             + WRITE_NOTE, openapi_extra=body_example({"received_on": "2026-11-28", "vendor_report": "更换主板"}))
def case_receive(request: HttpRequest, response: HttpResponse, body: ReceiveIn, id: int = path_id()) -> RmaCase:  # noqa: A002
    user, case = _case(request, id)
    services.rma_receive(actor=user, case=case, received_on=body.received_on, vendor_report=body.vendor_report,
                         expected_version=if_match(request))
    return _fresh(response, user, id)


@router.post("/rma-cases/{id}/retest", auth=needs(HANDLE_RMA), response=responses(200, RmaCaseOut, write=True),
             summary="Record the retest", description="received back → retested: `repaired` or `failed` (a failed "
             "item may be shipped again or scrapped)." + WRITE_NOTE,
             openapi_extra=body_example({"result": "repaired", "notes": "通电测试 2 小时正常"}))
def case_retest(request: HttpRequest, response: HttpResponse, body: RetestIn, id: int = path_id()) -> RmaCase:  # noqa: A002
    user, case = _case(request, id)
    services.rma_retest(actor=user, case=case, result=body.result, notes=body.notes,
                        expected_version=if_match(request))
    return _fresh(response, user, id)


@router.post("/rma-cases/{id}/return", auth=needs(HANDLE_RMA), response=responses(200, RmaCaseOut, write=True),
             summary="Return to the customer",
             description="retested (or tested, for misuse returned as is) → returned, with the customer's signed "
                         "receipt (a PNG data URL). Leftover parts leave the RMA shelf with the item." + WRITE_NOTE,
             openapi_extra=body_example({"signer_name": "王经理", "signature": "data:image/png;base64,iVBORw0…"}))
def case_return(request: HttpRequest, response: HttpResponse, body: ReturnIn, id: int = path_id()) -> RmaCase:  # noqa: A002
    user, case = _case(request, id)
    services.rma_return(actor=user, case=case, signer_name=body.signer_name, signature_data_url=body.signature,
                        notes=body.notes, expected_version=if_match(request))
    return _fresh(response, user, id)


@router.post("/rma-cases/{id}/scrap", auth=needs(HANDLE_RMA), response=responses(200, RmaCaseOut, write=True),
             summary="Scrap the item",
             description="→ scrapped, with the customer's choice: `return_scrap` (the scrap and the leftover parts go "
                         "back to him) or `company_disposes` (the leftover parts are scrapped too)." + WRITE_NOTE,
             openapi_extra=body_example({"choice": "company_disposes", "notes": "厂家判定无维修价值"}))
def case_scrap(request: HttpRequest, response: HttpResponse, body: ScrapIn, id: int = path_id()) -> RmaCase:  # noqa: A002
    user, case = _case(request, id)
    services.rma_scrap(actor=user, case=case, choice=body.choice, notes=body.notes,
                       expected_version=if_match(request))
    return _fresh(response, user, id)


@router.post("/rma-cases/{id}/chase", auth=needs(HANDLE_RMA), response=responses(201, ChaseOut, write=True),
             summary="Record a chase of the vendor",
             description="The clerk chased the vendor: the note closes the open reminder, and the next falls one "
                         "interval on (or on `next_on`). Only while the item is at the vendor (409 otherwise).",
             openapi_extra=body_example({"note": "厂家答复：下周三寄回"}))
def case_chase(request: HttpRequest, body: ChaseIn, id: int = path_id()) -> Status:  # noqa: A002
    user, case = _case(request, id)
    return Status(201, services.rma_chase(actor=user, case=case, note=body.note, next_on=body.next_on))


@router.get("/rma-cases/{id}/packing-list.pdf", auth=needs(VIEW_RMA), response=responses(200, None),
            summary="Download the packing list as PDF",
            description="The packing list for the box to the vendor, in `lang` (zh-hans or en; default the "
                        "caller's language). 409 before the item is shipped.",
            openapi_extra={"responses": {"200": {"description": "The PDF file", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def case_packing_list(request: HttpRequest, id: int = path_id(),  # noqa: A002
                      lang: str = Query("", pattern="^(|en|zh-hans)$")) -> HttpResponse:
    from django.utils.translation import get_language

    from .error_codes import NotAtVendor
    from .packing_list import render_packing_list

    _user, case = _case(request, id)
    if not case.shipped_on:
        raise NotAtVendor(message=None)
    answer = HttpResponse(render_packing_list(case, lang or get_language()), content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{case.number}-packing-list.pdf"'
    answer["X-Content-Type-Options"] = "nosniff"
    answer["Cache-Control"] = "private, no-store"
    return answer


@router.get("/rma-cases/{id}/return-receipt.pdf", auth=needs(VIEW_RMA), response=responses(200, None),
            summary="Download the signed return receipt as PDF",
            description="The receipt the customer signed when the item came back, in `lang` (zh-hans or en; default "
                        "the customer's language). 409 `not_returned` before the customer has signed.",
            openapi_extra={"responses": {"200": {"description": "The PDF file", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def case_return_receipt(request: HttpRequest, id: int = path_id(),  # noqa: A002
                        lang: str = Query("", pattern="^(|en|zh-hans)$")) -> HttpResponse:
    from aftersales.core.errors import InvalidTransition

    from .packing_list import render_return_receipt

    _user, case = _case(request, id)
    if not case.signature:
        raise InvalidTransition(_("The customer has not signed for this item yet."), code="not_returned")
    answer = HttpResponse(render_return_receipt(case, lang or None), content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{case.number}-return-receipt.pdf"'
    answer["X-Content-Type-Options"] = "nosniff"
    answer["Cache-Control"] = "private, no-store"
    return answer


@router.get("/rma-vendor-stats", auth=needs(VIEW_RMA), response=responses(200, Page[VendorStatsOut]),
            summary="Vendor turnaround statistics",
            description="Per vendor: items shipped, received back, still away, median and average days away, and "
                        "how many were away more than 14 days; `since` limits to items first shipped on or after.")
def vendor_stats(request: HttpRequest, since: Day | None = Query(None, description="YYYY-MM-DD"),
                 page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    return paginate(selectors.vendor_stats(actor(request), since=since), page, page_size)


@router.get("/rma-customer-notices", auth=needs(VIEW_RMA), response=responses(200, Page[NoticeOut]),
            summary="List customer-notice tasks",
            description="Tasks for agents: tell the customer his item has been at the vendor more than 14 days. "
                        "`open=true` (default) lists those not yet sent.")
def notice_list(request: HttpRequest, open: bool = Query(True), page: int = page_no(),  # noqa: A002
                page_size: int = page_size()) -> dict[str, Any]:
    user = actor(request)
    qs = selectors.open_notices(user) if open else CustomerNotice.objects.filter(
        case__in=selectors.cases_for(user)).select_related("case", "case__customer").order_by("-created_at")
    return paginate(qs, page, page_size)


@router.post("/rma-customer-notices/{id}/sent", auth=needs(REGISTER_RMA), response=responses(200, NoticeOut,
                                                                                             write=True),
             summary="Mark a customer notice as sent",
             description="The agent told the customer; 409 `rma_notice_sent` when already marked.",
             openapi_extra=body_example({"note": "电话告知王经理"}))
def notice_sent(request: HttpRequest, body: NoticeSentIn, id: int = path_id()) -> CustomerNotice:  # noqa: A002
    user = actor(request)
    notice = get_or_404(CustomerNotice.objects.filter(case__in=selectors.cases_for(user)).select_related(
        "case", "case__customer"), id)
    return services.notice_mark_sent(actor=user, notice=notice, note=body.note)


