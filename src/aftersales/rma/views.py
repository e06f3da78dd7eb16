"""Screens of return for repair: list with ageing, registration, the case page with its next steps, vendor
statistics and the agents' customer-notice tasks. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.core import audit
from aftersales.core.api import paginate
from aftersales.core.errors import DomainError
from aftersales.core.permissions import HANDLE_RMA, REGISTER_RMA, VIEW_RMA, has_perm
from aftersales.core.views import conflict_text, page_number, permission_required, positive_int, serve_file
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customers_for, intake_search
from aftersales.fieldservice.models import WorkOrder
from aftersales.fieldservice.selectors import work_orders_for
from aftersales.suppliers.models import Supplier

from . import selectors, services
from .choices import AGE_BUCKETS, RMA_MACHINE, RmaKind, RmaState
from .forms import ACTION_FORMS, NoticeSentForm, RegisterForm, ShipForm
from .models import CustomerNotice, RmaCase

PAGE_SIZE = 25
STATE_FILTERS = [("open", "open"), ("", ""), *RmaState.choices]


@require_GET
@permission_required(VIEW_RMA)
def case_list(request: HttpRequest) -> HttpResponse:
    """Every returned item with its ageing; open ones by default, oldest first."""
    state = request.GET.get("state", "open")
    if state not in {"open", "", *RmaState.values}:
        state = "open"
    kind = request.GET.get("kind", "")
    kind = kind if kind in RmaKind.values else ""
    age = request.GET.get("age", "")
    age = age if age in {label for _l, _h, label in AGE_BUCKETS} else ""
    vendor = positive_int(request.GET.get("vendor"))
    q = request.GET.get("q", "")[:60]
    page = paginate(selectors.case_list(request.user, state=state, kind=kind, vendor=vendor, q=q, age=age),
                    page_number(request), PAGE_SIZE)
    page["results"] = selectors.annotate_ageing(page["results"])
    return render(request, "rma/list.html", {
        "page": page, "state": state, "kind": kind, "age": age, "vendor": vendor, "q": q,
        "states": RmaState.choices, "kinds": RmaKind.choices, "buckets": [b[2] for b in AGE_BUCKETS],
        "vendors": Supplier.objects.filter(repairs_items=True).order_by("name"),
        "can_register": has_perm(request.user, REGISTER_RMA),
        "open_notices": selectors.open_notices(request.user).count(),
    })


@permission_required(REGISTER_RMA)
def case_new(request: HttpRequest) -> HttpResponse:
    """Register a returned item: find the customer (or come from a work order whose visit took it back)."""
    work_orders = work_orders_for(request.user).select_related("request", "request__customer",
                                                               "request__equipment")
    work_order = work_orders.filter(pk=positive_int(request.GET.get("work_order") or request.POST.get(
        "source_work_order")) or 0).first()
    customers = customers_for(request.user)
    if work_order is not None:
        customers = Customer.objects.filter(pk=work_order.request.customer_id)
    customer = customers.filter(pk=positive_int(request.GET.get("customer") or request.POST.get("customer")) or 0).first()
    if work_order is not None:
        customer = work_order.request.customer
    q = request.GET.get("q", "")[:100]
    matches = intake_search(request.user, q) if q and customer is None else []
    equipment = selectors.registrable_units(request.user, customer, work_order)
    form_kwargs = {"customers": customers, "equipment": equipment,
                   "work_orders": WorkOrder.objects.filter(pk=work_order.pk) if work_order else WorkOrder.objects.none()}
    status = 200
    if request.method == "POST":
        form = RegisterForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.rma_register(
                    actor=request.user, customer=data["customer"], equipment=data["equipment"],
                    serial=data["serial"], item_description=data["item_description"], fault=data["fault"],
                    kind=data["kind"], brought_by=data["brought_by"], source_work_order=data["source_work_order"])
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(number)s registered.") % {"number": case.number})
                return HttpResponseRedirect(reverse("rma:detail", args=[case.pk]))
        status = 400
    else:
        initial: dict[str, Any] = {"customer": customer.pk if customer else None, "kind": RmaKind.WARRANTY,
                                   "source_work_order": work_order.pk if work_order else None}
        if work_order is not None:
            visit = work_order.visits.exclude(takeback_item="").order_by("-arrived_at").first()
            unit = work_order.request.equipment
            initial.update(equipment=unit.pk if unit else None, brought_by=str(work_order.engineer or ""),
                           fault=work_order.request.symptom or work_order.request.summary)
            if visit is not None:
                initial.update(item_description=visit.takeback_item, serial=visit.takeback_serial)
        form = RegisterForm(initial=initial, **form_kwargs)
    return render(request, "rma/new.html", {"form": form, "customer": customer, "work_order": work_order,
                                            "q": q, "matches": matches}, status=status)


def _case_or_404(request: HttpRequest, pk: int) -> RmaCase:
    try:
        return selectors.case_detail(request.user, pk)
    except RmaCase.DoesNotExist:
        raise Http404


def _detail(request: HttpRequest, case: RmaCase, *, forms: dict[str, Any] | None = None, error: str = "",
            status: int = 200) -> HttpResponse:
    actions: list[str] = []
    if has_perm(request.user, HANDLE_RMA):
        actions = selectors.allowed_actions(case)
    forms = forms or {}
    action_forms = []
    for action in actions:
        form = forms.get(action) or ACTION_FORMS[action](initial={"version": case.version})
        label = RMA_MACHINE.transitions[action].label if action in RMA_MACHINE.transitions else _(
            "Record a chase of the vendor")
        action_forms.append({"action": action, "label": label, "form": form})
    selectors.annotate_ageing([case])
    return render(request, "rma/detail.html", {
        "case": case, "action_forms": action_forms, "error": error,
        "leftovers": list(case.leftovers.select_related("part", "location")),
        "chases": list(case.chases.select_related("chased_by").order_by("-due_on", "-id")),
        "notice": CustomerNotice.objects.filter(case=case).first(),
        "entries": audit.timeline(case), "today": timezone.localdate(),
    }, status=status)


@require_GET
@permission_required(VIEW_RMA)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _case_or_404(request, pk))


@require_POST
@permission_required(HANDLE_RMA)
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the case (test, hand over, ship, receive, retest, return, scrap, chase)."""
    case = _case_or_404(request, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST)
    if not form.is_valid():
        return _detail(request, case, forms={action: form}, status=400)
    data = form.cleaned_data
    common = {"actor": request.user, "case": case}
    version = data.get("version")
    try:
        if action == "test":
            services.rma_test(**common, result=data["result"], notes=data["notes"],
                              misuse_decision=data["misuse_decision"], expected_version=version)
        elif action == "hand_over":
            services.rma_hand_over(**common, expected_version=version)
        elif action == "ship":
            assert isinstance(form, ShipForm)
            services.rma_ship(**common, vendor=data["vendor"], carrier=data["carrier"],
                              tracking_number=data["tracking_number"], shipped_on=data["shipped_on"],
                              leftovers=form.leftovers(), expected_version=version)
        elif action == "receive":
            services.rma_receive(**common, received_on=data["received_on"], vendor_report=data["vendor_report"],
                                 expected_version=version)
        elif action == "retest":
            services.rma_retest(**common, result=data["result"], notes=data["notes"], expected_version=version)
        elif action == "return":
            services.rma_return(**common, signer_name=data["signer_name"], signature_data_url=data["signature"],
                                notes=data["notes"], expected_version=version)
        elif action == "scrap":
            services.rma_scrap(**common, choice=data["choice"], notes=data["notes"], expected_version=version)
        else:
            services.rma_chase(**common, note=data["note"], next_on=data["next_on"])
    except DomainError as exc:
        return _detail(request, _case_or_404(request, pk), forms={action: form}, error=conflict_text(exc),
                       status=exc.status)
    case = _case_or_404(request, pk)
    messages.success(request, _("%(number)s: %(state)s.") % {"number": case.number, "state": case.get_state_display()})
    return HttpResponseRedirect(reverse("rma:detail", args=[case.pk]))


@require_GET
@permission_required(VIEW_RMA)
def packing_list(request: HttpRequest, pk: int) -> HttpResponse:
    from .packing_list import render_packing_list

    case = _case_or_404(request, pk)
    if not case.shipped_on:
        raise Http404
    lang = request.GET.get("lang", "")
    pdf = render_packing_list(case, lang if lang in ("en", "zh-hans") else get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-packing-list.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@permission_required(VIEW_RMA)
def return_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt the customer signed when the item came back, in his language (or `?lang=`)."""
    from .packing_list import render_return_receipt

    case = _case_or_404(request, pk)
    if not case.signature:
        raise Http404
    lang = request.GET.get("lang", "")
    pdf = render_return_receipt(case, lang if lang in ("en", "zh-hans") else None)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-return-receipt.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@permission_required(VIEW_RMA)
def signature(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    if not case.signature:
        raise Http404
    return serve_file(case.signature.name, download_name=f"{case.number}-signature.png")


@require_GET
@permission_required(VIEW_RMA)
def vendor_stats(request: HttpRequest) -> HttpResponse:
    return render(request, "rma/vendor_stats.html", {"rows": selectors.vendor_stats(request.user)})


@require_GET
@permission_required(VIEW_RMA)
def notices(request: HttpRequest) -> HttpResponse:
    """The agents' tasks: tell the customer his item is still at the vendor (message drafted)."""
    page = paginate(selectors.open_notices(request.user), page_number(request), PAGE_SIZE)
    return render(request, "rma/notices.html", {"page": page, "form": NoticeSentForm(),
                                                "can_mark": has_perm(request.user, REGISTER_RMA)})


@require_POST
@permission_required(REGISTER_RMA)
def notice_sent(request: HttpRequest, pk: int) -> HttpResponse:
    notice = CustomerNotice.objects.filter(pk=pk, case__in=selectors.cases_for(request.user)).first()
    if notice is None:
        raise Http404
    form = NoticeSentForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.notice_mark_sent(actor=request.user, notice=notice, note=note)
    except DomainError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("Customer notice for %(number)s marked as sent.") % {"number": notice.case.number})
    return HttpResponseRedirect(reverse("rma:notices"))
