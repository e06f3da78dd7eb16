"""Screens for charges, quotes and bills: the bills list (finance, managers), the bill page with payment, the quote
page the engineer shows the customer on his phone. Thin: scoped selectors, one service call, errors as messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.api import paginate
from aftersales.core.errors import DomainError
from aftersales.core.permissions import EDIT_CHARGES, FIELD_WORK, FINANCE, VIEW_AUDIT, VIEW_BILLING, has_perm
from aftersales.core.views import page_number, permission_required, positive_int, serve_file
from aftersales.fieldservice.selectors import work_orders_for

from . import selectors, services
from .choices import BILL_MACHINE, PAYMENT_MACHINE, BillState, ChargeKind, QuoteState
from .forms import (
    BillFilterForm,
    LinesForm,
    PayForm,
    PhoneApprovalForm,
    QuoteForm,
    ReasonForm,
    SignatureApprovalForm,
    WaiveForm,
)
from .models import Bill, Quote

PAGE_SIZE = 25


@permission_required(VIEW_BILLING)
def bill_list(request: HttpRequest) -> HttpResponse:
    """Bills with their payment status, filtered by status, class, state and customer; newest first."""
    form = BillFilterForm(request.GET or None)
    page = paginate(selectors.bill_list(request.user, **form.values()), page_number(request), PAGE_SIZE)
    return render(request, "billing/list.html", {"form": form, "page": page})


def _bill(request: HttpRequest, pk: int) -> Bill:
    try:
        return selectors.bill_detail(request.user, pk)
    except Bill.DoesNotExist:
        raise Http404


def _can_edit(user: Any, bill: Bill) -> bool:
    if not has_perm(user, EDIT_CHARGES):
        return False
    return not (has_perm(user, FIELD_WORK) and bill.work_order_id and bill.work_order.engineer_id != user.pk)


def _bill_page(request: HttpRequest, bill: Bill, status: int = 200, **forms: Any) -> HttpResponse:
    from aftersales.core.models import AuditEntry

    user = request.user
    is_finance = has_perm(user, FINANCE)
    if is_finance and bill.total and "pay_form" not in forms:
        forms["pay_form"] = PayForm(prefix="p", initial={"amount": bill.total})
    forms.setdefault("pay_form", PayForm(prefix="p"))
    forms.setdefault("waive_form", WaiveForm(prefix="w"))
    editable = bill.state == BillState.DRAFT and _can_edit(user, bill)
    quote = selectors.current_quote(bill.work_order) if bill.work_order_id else None
    entries = None
    if has_perm(user, VIEW_AUDIT):
        from django.contrib.contenttypes.models import ContentType

        from .models import Payment

        ct = ContentType.objects.get_for_models(Bill, Payment)
        entries = (AuditEntry.objects.filter(content_type=ct[Bill], object_id=bill.pk)
                   | AuditEntry.objects.filter(content_type=ct[Payment],
                                               object_id__in=[p.pk for p in bill.payments.all()]))
        entries = entries.select_related("actor", "content_type").order_by("id")
    lines = list(bill.lines.all())
    return render(request, "billing/detail.html", {
        "bill": bill, "lines": lines, "payments": list(bill.payments.all()), "quote": quote, "entries": entries,
        "editable": editable, "kinds": ChargeKind.choices, "is_finance": is_finance,
        "can_issue": editable and BILL_MACHINE.can("issue", bill.state),
        "can_settle": is_finance and bill.state == BillState.ISSUED and PAYMENT_MACHINE.can("pay", bill.payment_status),
        "lines_total": sum(line.amount for line in lines), "pending": any(line.price_pending for line in lines),
        **forms,
    }, status=status)


@permission_required(VIEW_BILLING)
def bill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One bill: its lines (covered ones at 0), quote and approval, payments, receipt PDF and history."""
    return _bill_page(request, _bill(request, pk))


@permission_required(VIEW_BILLING)
def bill_receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt (收据) as PDF, in the customer's language."""
    from .receipt_pdf import render_bill

    bill = _bill(request, pk)
    response = HttpResponse(render_bill(bill), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{bill.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required(EDIT_CHARGES)
@require_POST
def bill_lines(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _bill(request, pk)
    try:
        services.bill_lines_replace(actor=request.user, bill=bill, lines=LinesForm(request.POST).lines(),
                                    expected_version=_version(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return _bill_page(request, _bill(request, pk), status=422)
    messages.success(request, _("Lines saved."))
    return redirect("billing:detail", pk=bill.pk)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return positive_int(value)


@permission_required(EDIT_CHARGES)
@require_POST
def bill_issue(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _bill(request, pk)
    try:
        services.bill_issue(actor=request.user, bill=bill, expected_version=_version(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return _bill_page(request, _bill(request, pk), status=422)
    messages.success(request, _("%(number)s issued.") % {"number": bill.number})
    return redirect("billing:detail", pk=bill.pk)


@permission_required(EDIT_CHARGES)
@require_POST
def bill_discard(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _bill(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.bill_discard(actor=request.user, bill=bill, reason=reason, expected_version=_version(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return _bill_page(request, _bill(request, pk), status=422)
    messages.success(request, _("The draft was discarded."))
    if bill.work_order_id:
        return redirect("fieldservice:detail", pk=bill.work_order_id)
    return redirect("billing:list")


@permission_required(FINANCE)
@require_POST
def bill_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance records the payment received into a designated account."""
    bill = _bill(request, pk)
    form = PayForm(request.POST, prefix="p")
    if not form.is_valid():
        return _bill_page(request, bill, status=422, pay_form=form)
    d = form.cleaned_data
    try:
        services.bill_pay(actor=request.user, bill=bill, account=d["account"], method=d["method"],
                          amount=d["amount"], reference=d["reference"], received_on=d["received_on"],
                          note=d["note"], expected_version=_version(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return _bill_page(request, _bill(request, pk), status=422, pay_form=form)
    messages.success(request, _("Payment recorded: %(number)s is paid.") % {"number": bill.number})
    return redirect("billing:detail", pk=bill.pk)


@permission_required(FINANCE)
@require_POST
def bill_waive(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _bill(request, pk)
    form = WaiveForm(request.POST, prefix="w")
    if not form.is_valid():
        return _bill_page(request, bill, status=422, waive_form=form)
    try:
        services.bill_waive(actor=request.user, bill=bill, reason=form.cleaned_data["reason"],
                            expected_version=_version(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return _bill_page(request, _bill(request, pk), status=422, waive_form=form)
    messages.success(request, _("%(number)s waived.") % {"number": bill.number})
    return redirect("billing:detail", pk=bill.pk)


# Work order: bill it, quote it ------------------------------------------------------------------------------------

def _work_order(request: HttpRequest, pk: int) -> Any:
    from aftersales.fieldservice.models import WorkOrder

    try:
        return work_orders_for(request.user).select_related("request", "request__customer", "engineer",
                                                             "contract").get(pk=pk)
    except WorkOrder.DoesNotExist:
        raise Http404


def _back_to_work_order(request: HttpRequest, work_order: Any) -> HttpResponse:
    if work_order.engineer_id == request.user.pk and has_perm(request.user, FIELD_WORK):
        return redirect("fieldservice:field", pk=work_order.pk)
    return redirect("fieldservice:detail", pk=work_order.pk)


@permission_required(EDIT_CHARGES)
@require_POST
def work_order_bill(request: HttpRequest, pk: int) -> HttpResponse:
    """Compute the draft bill of a completed work order."""
    work_order = _work_order(request, pk)
    try:
        bill = services.bill_for_work_order(actor=request.user, work_order=work_order)
    except DomainError as exc:
        messages.error(request, str(exc))
        return _back_to_work_order(request, work_order)
    messages.success(request, _("Draft bill %(number)s computed: check the lines, then issue it.") % {
        "number": bill.number})
    return redirect("billing:detail", pk=bill.pk)


@permission_required(EDIT_CHARGES)
@require_POST
def work_order_quote(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a quote from the estimated hours (lines can be changed on the quote page)."""
    work_order = _work_order(request, pk)
    form = QuoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back_to_work_order(request, work_order)
    try:
        quote = services.quote_create(actor=request.user, work_order=work_order, hours=form.cleaned_data["hours"],
                                      note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, str(exc))
        return _back_to_work_order(request, work_order)
    return redirect("billing:quote", pk=quote.pk)


# Quote page -----------------------------------------------------------------------------------------------------

def _quote(request: HttpRequest, pk: int) -> Quote:
    try:
        return selectors.quote_detail(request.user, pk)
    except Quote.DoesNotExist:
        raise Http404


def _quote_page(request: HttpRequest, quote: Quote, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    work_order = quote.work_order
    can_edit = has_perm(user, EDIT_CHARGES) and not (has_perm(user, FIELD_WORK) and work_order.engineer_id != user.pk)
    sr = work_order.request
    forms.setdefault("phone_form", PhoneApprovalForm(prefix="ph", initial={
        "approver_name": sr.contact_name, "approver_phone": sr.contact_phone}))
    forms.setdefault("sign_form", SignatureApprovalForm(prefix="sg", initial={"approver_name": sr.contact_name}))
    is_mine = work_order.engineer_id == user.pk and has_perm(user, FIELD_WORK)
    return render(request, "billing/quote.html", {
        "quote": quote, "wo": work_order, "sr": sr, "lines": list(quote.lines.all()), "kinds": ChargeKind.choices,
        "open": quote.state == QuoteState.DRAFT, "can_edit": can_edit and quote.state == QuoteState.DRAFT,
        "is_mine": is_mine, **forms,
    }, status=status)


@permission_required(VIEW_BILLING)
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A quote: its estimated lines and total; while open, the customer signs here or a phone approval is noted."""
    return _quote_page(request, _quote(request, pk))


@permission_required(EDIT_CHARGES)
@require_POST
def quote_lines(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    try:
        services.quote_lines_replace(actor=request.user, quote=quote, lines=LinesForm(request.POST).lines(),
                                     expected_version=_version(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return _quote_page(request, _quote(request, pk), status=422)
    messages.success(request, _("Quote updated."))
    return redirect("billing:quote", pk=quote.pk)


@permission_required(EDIT_CHARGES)
@require_POST
def quote_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the customer's approval: a signature on this screen, or a phone approval."""
    quote = _quote(request, pk)
    method = request.POST.get("method")
    if method == "signature":
        form: Any = SignatureApprovalForm(request.POST, prefix="sg")
        key = "sign_form"
    else:
        method = "phone"
        form = PhoneApprovalForm(request.POST, prefix="ph")
        key = "phone_form"
    if not form.is_valid():
        return _quote_page(request, quote, status=422, **{key: form})
    d = form.cleaned_data
    try:
        services.quote_approve(actor=request.user, quote=quote, method=method, approver_name=d["approver_name"],
                               approver_phone=d.get("approver_phone", ""), note=d.get("note", ""),
                               signature_data_url=d.get("signature", ""), expected_version=_version(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return _quote_page(request, _quote(request, pk), status=422, **{key: form})
    messages.success(request, _("The customer approved quote %(number)s. The work can start.") % {
        "number": quote.number})
    return redirect("billing:quote", pk=quote.pk)


@permission_required(EDIT_CHARGES)
@require_POST
def quote_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    form = ReasonForm(request.POST)
    try:
        services.quote_withdraw(actor=request.user, quote=quote,
                                reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except DomainError as exc:
        messages.error(request, str(exc))
        return _quote_page(request, _quote(request, pk), status=422)
    messages.success(request, _("Quote withdrawn."))
    return _back_to_work_order(request, quote.work_order)


@permission_required(VIEW_BILLING)
def quote_signature(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's signature on a quote, for those who may see its work order."""
    quote = _quote(request, pk)
    if not quote.signature:
        raise Http404
    return serve_file(quote.signature.name, download_name=f"{quote.number}-signature.png")
