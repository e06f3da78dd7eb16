"""Screens for maintenance contracts, the warranty look-up and a work order's service class (C6).

Views are thin: they start from the user's scoped selectors (another province's contract is a 404 for a lead),
parse a form and call one service; refusals come back as DomainError and are shown in the user's language.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core import audit
from aftersales.core.api import paginate
from aftersales.core.errors import DomainError
from aftersales.core.permissions import (
    EDIT_CONTRACTS,
    SET_SERVICE_CLASS,
    VIEW_AUDIT,
    VIEW_CONTRACTS,
    VIEW_CUSTOMERS,
    has_perm,
)
from aftersales.core.views import page_number, permission_required, positive_int
from aftersales.customers import selectors as customer_selectors
from aftersales.fieldservice import selectors as fs_selectors

from . import selectors, services
from .choices import CONTRACT_MACHINE, ContractState
from .forms import ContractForm, ServiceClassForm, TerminateForm
from .models import Contract

PAGE_SIZE = 25
EXPIRING_DAYS = 60


def _contract(user: Any, pk: int) -> Contract:
    contract = selectors.contracts_for(user).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


@permission_required(VIEW_CONTRACTS)
def contract_list(request: HttpRequest) -> HttpResponse:
    """Contracts, filtered by state and text; 'ending soon' shows active ones ending within 60 days."""
    state = request.GET.get("state", "")
    q = request.GET.get("q", "")[:100]
    qs = selectors.contracts_for(request.user)
    if state == "ending":
        qs = selectors.expiring(qs, EXPIRING_DAYS).order_by("end_date", "id")
    elif state in ContractState.values:
        qs = qs.filter(state=state).order_by("-start_date", "-id")
    else:
        state = ""
        qs = qs.order_by("-start_date", "-id")
    page = paginate(selectors.search(qs, q), page_number(request), PAGE_SIZE)
    filters = [("", _("All")), ("ending", _("Ending within 60 days")), *ContractState.choices]
    ending = selectors.expiring(selectors.contracts_for(request.user), EXPIRING_DAYS).count()
    return render(request, "contracts/list.html", {
        "page": page, "state": state, "q": q, "filters": filters, "ending_count": ending,
        "today": timezone.localdate(), "can_edit": has_perm(request.user, EDIT_CONTRACTS),
    })


@permission_required(VIEW_CONTRACTS)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request.user, pk)
    # A contract may cover units in several provinces: a regional lead sees his province's units and work orders.
    covered = contract.equipment.all()
    units = list(customer_selectors.equipment_for(request.user).filter(pk__in=covered.values("pk"))
                 .order_by("serial"))
    units_elsewhere = covered.count() - len(units)
    work_orders = list(fs_selectors.work_orders_for(request.user).filter(contract=contract)
                       .select_related("request", "engineer").order_by("-created_at")[:20])
    can_edit = has_perm(request.user, EDIT_CONTRACTS)
    actions = []
    if can_edit:
        actions = [(a, CONTRACT_MACHINE.transitions[a].label) for a in ("activate", "terminate")
                   if CONTRACT_MACHINE.can(a, contract.state)]
    renewal = getattr(contract, "renewal", None)
    can_renew = can_edit and contract.state in (ContractState.ACTIVE, ContractState.EXPIRED) and renewal is None
    entries = None
    # The history names every covered unit: shown to those who see all of them.
    if has_perm(request.user, VIEW_AUDIT) and not units_elsewhere:
        entries = list(audit.timeline(contract)[:200])
    today = timezone.localdate()
    return render(request, "contracts/detail.html", {
        "contract": contract, "units": units, "units_elsewhere": units_elsewhere, "usage": selectors.visits_used(contract), "work_orders": work_orders,
        "actions": actions, "can_edit": can_edit and contract.state in (ContractState.DRAFT, ContractState.ACTIVE),
        "can_renew": can_renew, "renewal": renewal, "entries": entries,
        "days_left": (contract.end_date - today).days if contract.state == ContractState.ACTIVE else None,
        "terminate_form": TerminateForm(), "today": today,
    })


def _customer_for_new(request: HttpRequest) -> Any:
    pk = request.GET.get("customer") or request.POST.get("customer")
    if not pk:
        return None
    customer = customer_selectors.customers_for(request.user).filter(pk=positive_int(pk) or 0).first()
    if customer is None:
        raise Http404
    return customer


@permission_required(EDIT_CONTRACTS)
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the customer (search); step 2: the contract form with that customer's units."""
    customer = _customer_for_new(request)
    if customer is None:
        q = request.GET.get("q", "").strip()[:100]
        found = list(customer_selectors.customers_for(request.user).filter(name__icontains=q).order_by("name")[:20]) \
            if q else []
        return render(request, "contracts/pick_customer.html", {"q": q, "found": found})
    form = ContractForm(request.POST or None, customer=customer)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(actor=request.user, customer=customer,
                                                equipment=list(form.cleaned_data["equipment"]), **form.values())
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Contract %(number)s created as a draft. Activate it to make it count.")
                             % {"number": contract.number})
            return redirect("contracts:detail", pk=contract.pk)
    return render(request, "contracts/form.html", {"form": form, "customer": customer, "error": error,
                                                   "title": _("New maintenance contract"), "contract": None})


@permission_required(EDIT_CONTRACTS)
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request.user, pk)
    initial = {k: getattr(contract, k) for k in services.FIELDS}
    initial.update(version=contract.version, equipment=list(contract.equipment.values_list("pk", flat=True)))
    form = ContractForm(request.POST or None, initial=initial, customer=contract.customer)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(actor=request.user, contract=contract, values=form.values(),
                                     equipment=list(form.cleaned_data["equipment"]),
                                     expected_version=form.cleaned_data.get("version"))
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Contract %(number)s saved.") % {"number": contract.number})
            return redirect("contracts:detail", pk=contract.pk)
    return render(request, "contracts/form.html", {"form": form, "customer": contract.customer, "error": error,
                                                   "title": _("Edit contract %(number)s") % {"number": contract.number},
                                                   "contract": contract})


@permission_required(EDIT_CONTRACTS)
@require_POST
def contract_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate, terminate (with a reason) or renew; the outcome is shown as a message on the contract page."""
    contract = _contract(request.user, pk)
    action = request.POST.get("action", "")
    version = request.POST.get("version")
    expected = positive_int(version)
    try:
        if action == "activate":
            services.contract_activate(actor=request.user, contract=contract, expected_version=expected)
            messages.success(request, _("Contract %(number)s is active.") % {"number": contract.number})
        elif action == "terminate":
            form = TerminateForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the reason for terminating the contract."))
            else:
                services.contract_terminate(actor=request.user, contract=contract, reason=form.cleaned_data["reason"],
                                            expected_version=expected)
                messages.success(request, _("Contract %(number)s terminated.") % {"number": contract.number})
        elif action == "renew":
            renewal = services.contract_renew(actor=request.user, contract=contract)
            messages.success(request, _("Renewal %(number)s created as a draft: check it, then activate it.")
                             % {"number": renewal.number})
            return redirect("contracts:detail", pk=renewal.pk)
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("contracts:detail", pk=contract.pk)


@permission_required(SET_SERVICE_CLASS)
@require_POST
def service_class(request: HttpRequest, pk: int) -> HttpResponse:
    """Override a work order's service class with a reason (from the work order page)."""
    work_order = fs_selectors.work_orders_for(request.user).filter(pk=pk).first()
    if work_order is None:
        raise Http404
    form = ServiceClassForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a service class and give the reason."))
    else:
        try:
            services.work_order_set_service_class(
                actor=request.user, work_order=work_order, service_class=form.cleaned_data["service_class"],
                reason=form.cleaned_data["reason"], expected_version=form.cleaned_data.get("version"))
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Service class set to %(label)s.")
                             % {"label": work_order.get_service_class_display()})
    return redirect("fieldservice:detail", pk=work_order.pk)


@permission_required(VIEW_CUSTOMERS)
def warranty(request: HttpRequest) -> HttpResponse:
    """Look a unit up by serial number: warranty, contracts, the class a job would get today."""
    serial = request.GET.get("serial", "").strip()[:60]
    results = []
    if serial:
        units = (customer_selectors.equipment_for(request.user).filter(serial__iexact=serial)
                 .select_related("product_model", "customer", "site").order_by("id")[:20])
        results = [selectors.coverage(u) for u in units]
    return render(request, "contracts/warranty.html", {
        "serial": serial, "results": results, "can_see_contracts": has_perm(request.user, VIEW_CONTRACTS)})
