"""REST endpoints for charges, quotes, bills and payments (C6).

Thin: reads start from `billing.selectors` (an engineer sees his own work orders' bills, a lead his province's),
writes are service calls. Payment status (`/pay`, `/waive`) is the finance role's alone: every other role,
managers and administrators included, gets 403.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from aftersales.core.api import Page, get_or_404, needs, paginate
from aftersales.core.api_support import (
    actor,
    body_example,
    etag,
    if_match,
    page_no,
    page_size,
    path_id,
    query_id,
    responses,
)
from aftersales.core.permissions import EDIT_CHARGES, FINANCE, VIEW_BILLING
from aftersales.fieldservice.selectors import work_orders_for

from . import selectors, services
from .models import Bill, Quote
from .schemas import (
    AccountOut,
    ApproveIn,
    BillOut,
    BillRow,
    BillStateName,
    DiscardIn,
    LineIn,
    LinesIn,
    PayIn,
    PaymentOut,
    PaymentStatusName,
    QuoteIn,
    QuoteOut,
    QuoteStatusOut,
    ServiceClassName,
    WaiveIn,
)

router = Router(tags=["billing"])

PDF_RESPONSE = {"responses": {"200": {"description": "The PDF file", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}
LINES_EXAMPLE = {"lines": [
    {"kind": "labour", "description": "人工 2026-03-02 王工（3级）", "quantity": "2", "unit_price": "120.00"},
    {"kind": "parts", "description": "非标铜管 Φ12", "quantity": "3", "unit_price": "35.20"},
    {"kind": "travel", "description": "上门费 同城", "quantity": "1", "unit_price": "50.00", "covered": True}]}


def _bill(request: HttpRequest, pk: int) -> tuple[Any, Bill]:
    user = actor(request, VIEW_BILLING)
    qs = selectors.bills_for(user).select_related("customer", "work_order", "settled_by").prefetch_related(
        "lines", "payments__account", "payments__recorded_by")
    return user, get_or_404(qs, pk)


def _answer_bill(response: HttpResponse, user: Any, pk: int) -> Bill:
    _, bill = _bill_for(user, pk)
    etag(response, bill)
    return bill


def _bill_for(user: Any, pk: int) -> tuple[Any, Bill]:
    qs = selectors.bills_for(user).select_related("customer", "work_order", "settled_by").prefetch_related(
        "lines", "payments__account", "payments__recorded_by")
    return user, get_or_404(qs, pk)


def _quote(request: HttpRequest, pk: int) -> tuple[Any, Quote]:
    user = actor(request, VIEW_BILLING)
    qs = selectors.quotes_for(user).select_related("work_order", "created_by", "recorded_by").prefetch_related("lines")
    return user, get_or_404(qs, pk)


def _work_order(request: HttpRequest, pk: int) -> tuple[Any, Any]:
    user = actor(request, VIEW_BILLING)
    return user, get_or_404(work_orders_for(user).select_related("request", "request__customer", "engineer",
                                                                  "contract"), pk)


def _line_specs(lines: list[LineIn]) -> list[dict[str, Any]]:
    from aftersales.inventory.models import Part

    specs = []
    for line in lines:
        spec = line.model_dump()
        part_id = spec.pop("part_id", None)
        spec["part"] = get_or_404(Part.objects.all(), part_id) if part_id else None
        specs.append(spec)
    return specs


# Bills ---------------------------------------------------------------------------------------------------------

@router.get("/bills", auth=needs(VIEW_BILLING), response=responses(200, Page[BillRow]), summary="List bills",
            description="Bills the caller may see (an engineer: his work orders'; a regional lead: his province's), "
                        "newest first, filtered by payment status, service class, customer and state.")
def bill_list(request: HttpRequest, payment_status: PaymentStatusName | None = Query(None),
              service_class: ServiceClassName | None = Query(None), customer: int = query_id("Customer id"),
              state: BillStateName | None = Query(None), page: int = page_no(),
              page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.bill_list(actor(request, VIEW_BILLING), payment_status=payment_status or "",
                             service_class=service_class or "", customer=customer, state=state or "")
    return paginate(qs, page, page_size)


@router.get("/bills/{id}", auth=needs(VIEW_BILLING), response=responses(200, BillOut), summary="Get a bill",
            description="One bill with its lines (covered lines at amount 0), payments and payment status. "
                        "`total` always equals the sum of the lines. `ETag` carries its version.")
def bill_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Bill:  # noqa: A002
    _, bill = _bill(request, id)
    etag(response, bill)
    return bill


@router.get("/bills/{id}/receipt.pdf", auth=needs(VIEW_BILLING), response=responses(200, None),
            summary="Download the receipt (收据) as PDF",
            description="The bill as a receipt in the customer's language: lines, covered lines, total, payment "
                        "status and the company's designated accounts.", openapi_extra=PDF_RESPONSE)
def bill_receipt_pdf(request: HttpRequest, id: int = path_id()) -> HttpResponse:  # noqa: A002
    from .receipt_pdf import render_bill

    _, bill = _bill(request, id)
    answer = HttpResponse(render_bill(bill), content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{bill.number}.pdf"'
    answer["X-Content-Type-Options"] = "nosniff"
    answer["Cache-Control"] = "private, no-store"
    return answer


@router.put("/bills/{id}/lines", auth=needs(EDIT_CHARGES), response=responses(200, BillOut, write=True),
            summary="Edit a draft bill's lines",
            description="Replace the lines of a draft bill (409 `bill_not_draft` once issued); enter here the price "
                        "of parts not in the catalogue. Honours `If-Match`.", openapi_extra=body_example(LINES_EXAMPLE))
def bill_lines(request: HttpRequest, response: HttpResponse, body: LinesIn,
               id: int = path_id()) -> Bill:  # noqa: A002
    user, bill = _bill(request, id)
    services.bill_lines_replace(actor=actor(request, EDIT_CHARGES), bill=bill, lines=_line_specs(body.lines),
                                expected_version=if_match(request))
    return _answer_bill(response, user, bill.pk)


@router.post("/bills/{id}/issue", auth=needs(EDIT_CHARGES), response=responses(200, BillOut, write=True),
             summary="Issue a bill",
             description="Fix a draft bill's lines; 422 `part_price_required` while a hand-typed part has no price. "
                         "Honours `If-Match`.")
def bill_issue(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Bill:  # noqa: A002
    user, bill = _bill(request, id)
    services.bill_issue(actor=actor(request, EDIT_CHARGES), bill=bill, expected_version=if_match(request))
    return _answer_bill(response, user, bill.pk)


@router.post("/bills/{id}/discard", auth=needs(EDIT_CHARGES), response=responses(200, BillOut, write=True),
             summary="Discard a draft bill",
             description="Throw a draft away, e.g. to compute it again after a correction. Honours `If-Match`.",
             openapi_extra=body_example({"reason": "工时记录更正后重新计算"}))
def bill_discard(request: HttpRequest, response: HttpResponse, body: DiscardIn,
                 id: int = path_id()) -> Bill:  # noqa: A002
    user, bill = _bill(request, id)
    services.bill_discard(actor=actor(request, EDIT_CHARGES), bill=bill, reason=body.reason,
                          expected_version=if_match(request))
    return _answer_bill(response, user, bill.pk)


@router.post("/bills/{id}/pay", auth=needs(FINANCE), response=responses(201, PaymentOut, write=True),
             summary="Record the payment (finance only)",
             description="Finance records the money received into one of the company's designated accounts: method, "
                         "amount (equal to the total, 422 `amount_mismatch`), reference and date received. Cash is "
                         "recorded as `cash_deposit` into a bank account with the deposit slip's number — never as "
                         "cash kept by an engineer. Any other role, managers included, gets 403.",
             openapi_extra=body_example({"account_id": 1, "method": "bank_transfer", "amount": "541.00",
                                         "reference": "招行流水 2026030112345", "received_on": "2026-03-01"}))
def bill_pay(request: HttpRequest, response: HttpResponse, body: PayIn, id: int = path_id()) -> Status:  # noqa: A002
    user, bill = _bill(request, id)
    account = get_or_404(selectors.accounts(active_only=False), body.account_id)
    payment = services.bill_pay(actor=actor(request, FINANCE), bill=bill, account=account, method=body.method,
                                amount=body.amount, reference=body.reference, received_on=body.received_on,
                                note=body.note, expected_version=if_match(request))
    bill.refresh_from_db()
    etag(response, bill)
    return Status(201, payment)


@router.post("/bills/{id}/waive", auth=needs(FINANCE), response=responses(200, BillOut, write=True),
             summary="Waive a bill (finance only)",
             description="Finance lets the customer off an issued, unpaid bill, with a reason (audited).",
             openapi_extra=body_example({"reason": "首次故障，经理批准免收"}))
def bill_waive(request: HttpRequest, response: HttpResponse, body: WaiveIn,
               id: int = path_id()) -> Bill:  # noqa: A002
    user, bill = _bill(request, id)
    services.bill_waive(actor=actor(request, FINANCE), bill=bill, reason=body.reason,
                        expected_version=if_match(request))
    return _answer_bill(response, user, bill.pk)


@router.get("/company-accounts", auth=needs(VIEW_BILLING), response=responses(200, Page[AccountOut]),
            summary="The company's designated accounts",
            description="The active bank accounts, QR codes and POS terminals customers pay into.")
def account_list(request: HttpRequest, page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    actor(request, VIEW_BILLING)
    return paginate(selectors.accounts(), page, page_size)


# Work orders: their bill and quote ------------------------------------------------------------------------------

@router.post("/work-orders/{id}/bill", auth=needs(EDIT_CHARGES), response=responses(201, BillOut, write=True),
             summary="Bill a work order",
             description="Compute a draft bill for a completed class A or B work order: labour (hours on site rounded "
                         "up to the half hour, at least one per visit, × the engineer's grade rate), parts (catalogue "
                         "price; hand-typed parts wait for a price) and travel (by region class); lines a contract "
                         "covers are shown at 0. Class C/D: 409 `no_charge_for_class`.")
def work_order_bill(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Status:  # noqa: A002
    user, work_order = _work_order(request, id)
    bill = services.bill_for_work_order(actor=actor(request, EDIT_CHARGES), work_order=work_order)
    return Status(201, _answer_bill(response, user, bill.pk))


@router.get("/work-orders/{id}/quote", auth=needs(VIEW_BILLING), response=responses(200, QuoteStatusOut),
            summary="The work order's quote",
            description="Whether the job needs an approved quote (class A), whether it has one, and the current quote "
                        "(approved, else awaiting approval, else the latest).")
def work_order_quote(request: HttpRequest, id: int = path_id()) -> dict[str, Any]:  # noqa: A002
    _, work_order = _work_order(request, id)
    quote = selectors.current_quote(work_order)
    return {"needed": services.quote_needed(work_order), "service_class": work_order.service_class,
            "approved": bool(quote and quote.state == "approved"), "quote": quote}


@router.post("/work-orders/{id}/quote", auth=needs(EDIT_CHARGES), response=responses(201, QuoteOut, write=True),
             summary="Make a quote",
             description="An estimate for the customer to approve before work starts; it replaces the quote still "
                         "awaiting approval. Without `lines`: `hours` of labour at the engineer's grade rate and one "
                         "trip's travel fee. Class C/D: 409 `no_charge_for_class`.",
             openapi_extra=body_example({"hours": "2", "note": "预计更换密封圈，另计配件"}))
def work_order_quote_create(request: HttpRequest, body: QuoteIn, id: int = path_id()) -> Status:  # noqa: A002
    user, work_order = _work_order(request, id)
    quote = services.quote_create(actor=actor(request, EDIT_CHARGES), work_order=work_order, hours=body.hours,
                                  lines=_line_specs(body.lines) if body.lines else None, note=body.note)
    return Status(201, _quote_for(user, quote.pk))


def _quote_for(user: Any, pk: int) -> Quote:
    return get_or_404(selectors.quotes_for(user).select_related("created_by", "recorded_by").prefetch_related("lines"),
                      pk)


@router.get("/quotes/{id}", auth=needs(VIEW_BILLING), response=responses(200, QuoteOut), summary="Get a quote",
            description="One quote with its estimated lines and, once approved, who approved, how and when.")
def quote_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Quote:  # noqa: A002
    _, quote = _quote(request, id)
    etag(response, quote)
    return quote


@router.put("/quotes/{id}/lines", auth=needs(EDIT_CHARGES), response=responses(200, QuoteOut, write=True),
            summary="Edit a quote's lines", description="Change the estimate while it awaits approval. Honours `If-Match`.",
            openapi_extra=body_example(LINES_EXAMPLE))
def quote_lines(request: HttpRequest, body: LinesIn, id: int = path_id()) -> Quote:  # noqa: A002
    user, quote = _quote(request, id)
    services.quote_lines_replace(actor=actor(request, EDIT_CHARGES), quote=quote, lines=_line_specs(body.lines),
                                 expected_version=if_match(request))
    return _quote_for(user, quote.pk)


@router.post("/quotes/{id}/approve", auth=needs(EDIT_CHARGES), response=responses(200, QuoteOut, write=True),
             summary="Record the customer's approval",
             description="`signature`: the customer signs on the engineer's screen (PNG data URL). `phone`: an agent "
                         "or engineer records who approved by phone, with a note of what was agreed. The caller is "
                         "recorded as the one who took the approval.",
             openapi_extra=body_example({"method": "phone", "approver_name": "张经理", "approver_phone": "13800138000",
                                         "note": "电话确认报价 ¥290，同意维修"}))
def quote_approve(request: HttpRequest, body: ApproveIn, id: int = path_id()) -> Quote:  # noqa: A002
    user, quote = _quote(request, id)
    services.quote_approve(actor=actor(request, EDIT_CHARGES), quote=quote, method=body.method,
                           approver_name=body.approver_name, approver_phone=body.approver_phone, note=body.note,
                           signature_data_url=body.signature, expected_version=if_match(request))
    return _quote_for(user, quote.pk)


@router.post("/quotes/{id}/withdraw", auth=needs(EDIT_CHARGES), response=responses(200, QuoteOut, write=True),
             summary="Withdraw a quote", description="The quote no longer stands (e.g. the job changed).",
             openapi_extra=body_example({"reason": "客户改为更换整机"}))
def quote_withdraw(request: HttpRequest, body: DiscardIn, id: int = path_id()) -> Quote:  # noqa: A002
    user, quote = _quote(request, id)
    services.quote_withdraw(actor=actor(request, EDIT_CHARGES), quote=quote, reason=body.reason,
                            expected_version=if_match(request))
    return _quote_for(user, quote.pk)
