"""Screens of returns, exchanges and recalls. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.core import audit
from aftersales.core.api import paginate
from aftersales.core.errors import DomainError
from aftersales.core.permissions import (
    APPROVE_RETURNS,
    MANAGE_RECALLS,
    REQUEST_RETURNS,
    VIEW_RECALLS,
    VIEW_RETURNS,
    has_perm,
)
from aftersales.core.views import conflict_text, page_number, permission_required, positive_int
from aftersales.customers.models import Equipment
from aftersales.customers.selectors import customers_for, equipment_for, intake_search

from . import selectors, services
from .choices import CHAIN, ROLE_STEP, ReturnKind, ReturnState, Step
from .forms import CampaignForm, CompensationForm, DecideForm, ReturnCreateForm
from .models import RecallCampaign, RecallUnit, ReturnRequest

PAGE_SIZE = 25


# Returns and exchanges -------------------------------------------------------------------------------------------

@require_GET
@permission_required(VIEW_RETURNS)
def return_list(request: HttpRequest) -> HttpResponse:
    """Return and exchange requests; the default tab is those waiting for the user's step."""
    my_step = ROLE_STEP.get(request.user.role)
    tab = request.GET.get("tab") or ("mine" if my_step else "all")
    state = request.GET.get("state", "")
    state = state if state in ReturnState.values else ""
    page = paginate(selectors.return_list(request.user, state=state, mine=tab == "mine"), page_number(request),
                    PAGE_SIZE)
    return render(request, "returns/list.html", {
        "page": page, "tab": tab, "state": state, "states": ReturnState.choices, "my_step": my_step,
        "can_create": has_perm(request.user, REQUEST_RETURNS),
    })


@permission_required(REQUEST_RETURNS)
def return_new(request: HttpRequest) -> HttpResponse:
    customers = customers_for(request.user)
    customer = customers.filter(pk=positive_int(request.GET.get("customer") or request.POST.get("customer")) or 0).first()
    q = request.GET.get("q", "")[:100]
    matches = intake_search(request.user, q) if q and customer is None else []
    kwargs = {"customers": customers, "equipment": equipment_for(request.user).filter(customer=customer)
              if customer else Equipment.objects.none()}
    status = 200
    if request.method == "POST":
        form = ReturnCreateForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.return_request_create(
                    actor=request.user, customer=data["customer"], kind=data["kind"], reason=data["reason"],
                    equipment=data["equipment"], part=data["part"], quantity=data["quantity"],
                    refund_amount=data["refund_amount"])
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(number)s recorded; it waits for the agent's step.") % {
                    "number": created.number})
                return HttpResponseRedirect(reverse("returns:detail", args=[created.pk]))
        status = 400
    else:
        form = ReturnCreateForm(initial={"customer": customer.pk if customer else None, "kind": ReturnKind.RETURN,
                                         "quantity": 1}, **kwargs)
    return render(request, "returns/new.html", {"form": form, "customer": customer, "q": q, "matches": matches},
                  status=status)


def _return_or_404(request: HttpRequest, pk: int) -> ReturnRequest:
    try:
        return selectors.return_detail(request.user, pk)
    except ReturnRequest.DoesNotExist:
        raise Http404


def _return_page(request: HttpRequest, obj: ReturnRequest, *, form: DecideForm | None = None, error: str = "",
                 status: int = 200) -> HttpResponse:
    approvals = {a.step: a for a in obj.approvals.select_related("decided_by")}
    chain = [{"step": step, "label": Step(step).label, "approval": approvals.get(step),
              "current": obj.current_step == step} for step, _role in CHAIN]
    my_step = ROLE_STEP.get(request.user.role)
    can_decide = (has_perm(request.user, APPROVE_RETURNS) and obj.state == ReturnState.IN_APPROVAL
                  and my_step == obj.current_step
                  and not (my_step == Step.ASSESSMENT and obj.assessor_id and obj.assessor_id != request.user.pk))
    form = form or DecideForm(initial={"step": obj.current_step, "version": obj.version, "decision": "approve"})
    return render(request, "returns/detail.html", {
        "obj": obj, "chain": chain, "can_decide": can_decide, "form": form, "error": error,
        "entries": audit.timeline(obj),
    }, status=status)


@require_GET
@permission_required(VIEW_RETURNS)
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _return_page(request, _return_or_404(request, pk))


@require_POST
@permission_required(APPROVE_RETURNS)
def return_decide(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _return_or_404(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _return_page(request, obj, form=form, status=400)
    data = form.cleaned_data
    try:
        services.return_decide(actor=request.user, request=obj, decision=data["decision"], reason=data["reason"],
                               step=data["step"], assessor=data["assessor"], return_location=data["return_location"],
                               replacement_location=data["replacement_location"], expected_version=data["version"])
    except DomainError as exc:
        return _return_page(request, _return_or_404(request, pk), form=form, error=conflict_text(exc),
                            status=exc.status)
    obj = _return_or_404(request, pk)
    messages.success(request, _("%(number)s: decision recorded.") % {"number": obj.number})
    return HttpResponseRedirect(reverse("returns:detail", args=[obj.pk]))


# Recalls ---------------------------------------------------------------------------------------------------------

@require_GET
@permission_required(VIEW_RECALLS)
def recall_list(request: HttpRequest) -> HttpResponse:
    page = paginate(selectors.campaigns_for(request.user).order_by("-created_at", "-id"), page_number(request),
                    PAGE_SIZE)
    progress = selectors.progress_of(request.user, page["results"])
    for campaign in page["results"]:
        campaign.progress = progress[campaign.pk]
    return render(request, "returns/recalls.html", {"page": page,
                                                    "can_manage": has_perm(request.user, MANAGE_RECALLS)})


@permission_required(MANAGE_RECALLS)
def recall_new(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                return HttpResponseRedirect(reverse("returns:recall_preview", args=[campaign.pk]))
        status = 400
    else:
        form = CampaignForm()
    return render(request, "returns/recall_new.html", {"form": form}, status=status)


def _campaign_or_404(request: HttpRequest, pk: int) -> RecallCampaign:
    campaign = selectors.campaigns_for(request.user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


@require_GET
@permission_required(VIEW_RECALLS)
def recall_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The affected customers, sites and units of the selection, before launching."""
    campaign = _campaign_or_404(request, pk)
    preview = selectors.preview(campaign)
    customers = paginate(preview["customers"], page_number(request), PAGE_SIZE)
    return render(request, "returns/recall_preview.html", {
        "campaign": campaign, "preview": preview, "page": customers,
        "can_launch": has_perm(request.user, MANAGE_RECALLS) and campaign.state == "draft",
    })


@require_POST
@permission_required(MANAGE_RECALLS)
def recall_launch(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    try:
        services.campaign_launch(actor=request.user, campaign=campaign, expected_version=positive_int(request.POST.get(
            "version")))
    except DomainError as exc:
        messages.error(request, conflict_text(exc))
        return HttpResponseRedirect(reverse("returns:recall_preview", args=[campaign.pk]))
    messages.success(request, _("%(number)s launched: a work order for each unit.") % {"number": campaign.number})
    return HttpResponseRedirect(reverse("returns:recall_detail", args=[campaign.pk]))


@require_GET
@permission_required(VIEW_RECALLS)
def recall_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    done = request.GET.get("done", "")
    units = selectors.units_for(request.user, campaign)
    if done == "yes":
        units = units.filter(work_order__state="completed")
    elif done == "no":
        units = units.exclude(work_order__state="completed")
    return render(request, "returns/recall_detail.html", {
        "campaign": campaign, "progress": selectors.progress(request.user, campaign), "done": done,
        "page": paginate(units, page_number(request), PAGE_SIZE), "form": CompensationForm(auto_id=False),
        "can_manage": has_perm(request.user, MANAGE_RECALLS),
    })


@require_POST
@permission_required(MANAGE_RECALLS)
def unit_compensate(request: HttpRequest, pk: int) -> HttpResponse:
    unit = RecallUnit.objects.select_related("campaign", "customer", "work_order").filter(
        pk=pk, campaign__in=selectors.campaigns_for(request.user)).first()
    if unit is None:
        raise Http404
    form = CompensationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.compensation_record(actor=request.user, unit=unit, kind=data["kind"], amount=data["amount"],
                                         description=data["description"])
        except DomainError as exc:
            messages.error(request, conflict_text(exc))
        else:
            messages.success(request, _("Compensation recorded for %(serial)s.") % {"serial": unit.equipment.serial})
    else:
        messages.error(request, _("Give a positive amount for money, or describe what was given."))
    return HttpResponseRedirect(reverse("returns:recall_detail", args=[unit.campaign_id]) + f"#unit-{unit.pk}")
