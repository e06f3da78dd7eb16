"""Screens for callbacks after each job and for complaints; thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from aftersales.core import audit
from aftersales.core.api import paginate
from aftersales.core.errors import DomainError
from aftersales.core.permissions import (
    HANDLE_COMPLAINTS,
    RECORD_CALLBACKS,
    VIEW_CALLBACKS,
    VIEW_COMPLAINTS,
    has_perm,
)
from aftersales.core.views import conflict_text, page_number, permission_required
from aftersales.customers.selectors import customers_for, intake_search
from aftersales.servicedesk.selectors import requests_for

from . import selectors, services
from .choices import COMPLAINT_MACHINE, CallbackResult, CallbackState, ComplaintState
from .forms import CallbackRecordForm, ComplaintActionForm, ComplaintOpenForm
from .models import Callback, Complaint

PAGE_SIZE = 25


# Callbacks -------------------------------------------------------------------------------------------------------

@require_GET
@permission_required(VIEW_CALLBACKS)
def callbacks(request: HttpRequest) -> HttpResponse:
    """The agent's callback queue (pending, by due time, overdue marked) and the done tab."""
    done = request.GET.get("tab") == "done"
    page = paginate(selectors.callback_queue(request.user, done=done), page_number(request), PAGE_SIZE)
    pending_count = selectors.callbacks_for(request.user).filter(state=CallbackState.PENDING).count()
    return render(request, "feedback/callbacks.html", {
        "page": page, "tab": "done" if done else "pending", "now": timezone.now(), "pending_count": pending_count,
    })


def _callback_or_404(request: HttpRequest, pk: int) -> Callback:
    callback = selectors.with_callback_relations(selectors.callbacks_for(request.user)).filter(pk=pk).first()
    if callback is None:
        raise Http404
    return callback


def _callback_outcome(callback: Callback) -> str:
    """What recording the callback did, in words for the agent (the service applied the configured rule)."""
    if callback.result == CallbackResult.UNREACHABLE:
        return _("Customer not reached (attempt %(n)s). The callback stays in the queue for another try.") % {
            "n": callback.attempts}
    if callback.satisfaction is not None and callback.satisfaction <= services.LOW_SATISFACTION:
        complaint = Complaint.objects.filter(callback=callback).order_by("-id").first()
        if complaint is not None:
            return _("Low satisfaction: complaint %(number)s opened for the manager.") % {"number": complaint.number}
        return _("Low satisfaction: request %(number)s reopened for another look.") % {
            "number": callback.request.number}
    return _("Callback recorded for %(number)s.") % {"number": callback.request.number}


@permission_required(VIEW_CALLBACKS)
def callback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One callback: what was done for the customer, earlier attempts, and the form to record the result."""
    callback = _callback_or_404(request, pk)
    can_record = callback.state == CallbackState.PENDING and has_perm(request.user, RECORD_CALLBACKS)
    form = CallbackRecordForm(initial={"version": callback.version, "method": callback.method})
    status, error = 200, ""
    if request.method == "POST":
        if not can_record:
            if not has_perm(request.user, RECORD_CALLBACKS):
                return render(request, "403.html", status=403)
            messages.info(request, _("This callback has already been recorded."))
            return HttpResponseRedirect(reverse("feedback:callback", args=[callback.pk]))
        form = CallbackRecordForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.callback_record(actor=request.user, callback=callback, result=data["result"],
                                         satisfaction=data["satisfaction"], comment=data["comment"],
                                         method=data["method"], expected_version=data["version"])
            except DomainError as exc:
                error, status = conflict_text(exc), exc.status
            else:
                callback.refresh_from_db()
                level = messages.WARNING if callback.result == CallbackResult.UNREACHABLE or (
                    callback.satisfaction or 5) <= services.LOW_SATISFACTION else messages.SUCCESS
                messages.add_message(request, level, _callback_outcome(callback))
                return HttpResponseRedirect(reverse("feedback:callbacks"))
        else:
            status = 400
    return render(request, "feedback/callback_detail.html", {
        "callback": callback, "form": form, "can_record": can_record, "error": error, "now": timezone.now(),
        "low_action": settings.AFTERSALES_LOW_SATISFACTION_ACTION,
        "complaints": Complaint.objects.filter(callback=callback).order_by("id") if callback.result else [],
    }, status=status)


# Complaints ------------------------------------------------------------------------------------------------------

COMPLAINT_FILTERS = [("active", gettext_lazy("Not closed")), ("", gettext_lazy("All")), *ComplaintState.choices]


@require_GET
@permission_required(VIEW_COMPLAINTS)
def complaints(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "active")
    if state not in {key for key, _label in COMPLAINT_FILTERS}:
        state = "active"
    page = paginate(selectors.complaint_list(request.user, state=state), page_number(request), PAGE_SIZE)
    return render(request, "feedback/complaints.html", {
        "page": page, "state": state, "filters": COMPLAINT_FILTERS,
        "can_open": has_perm(request.user, HANDLE_COMPLAINTS),
    })


def _complaint_or_404(request: HttpRequest, pk: int) -> Complaint:
    try:
        return selectors.complaint_detail(request.user, pk)
    except Complaint.DoesNotExist:
        raise Http404


def _complaint_page(request: HttpRequest, complaint: Complaint, *, form: ComplaintActionForm | None = None,
                    error: str = "", status: int = 200) -> HttpResponse:
    actions = []
    if has_perm(request.user, HANDLE_COMPLAINTS):
        actions = [(a, COMPLAINT_MACHINE.transitions[a].label) for a in COMPLAINT_MACHINE.allowed(complaint.state)]
    return render(request, "feedback/complaint_detail.html", {
        "complaint": complaint, "actions": actions, "form": form, "error": error,
        "entries": audit.timeline(complaint),
    }, status=status)


@require_GET
@permission_required(VIEW_COMPLAINTS)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _complaint_page(request, _complaint_or_404(request, pk))


@require_POST
@permission_required(HANDLE_COMPLAINTS)
def complaint_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Investigate, answer, close or reopen, through the complaint's state machine."""
    complaint = _complaint_or_404(request, pk)
    form = ComplaintActionForm(request.POST)
    if not form.is_valid():
        return _complaint_page(request, complaint, form=form, status=400)
    data = form.cleaned_data
    try:
        services.complaint_transition(actor=request.user, complaint=complaint, action=data["action"],
                                      answer=data["answer"], reason=data["reason"],
                                      expected_version=data["version"])
    except DomainError as exc:
        complaint = _complaint_or_404(request, pk)
        return _complaint_page(request, complaint, form=form, error=conflict_text(exc), status=exc.status)
    messages.success(request, _("Complaint %(number)s: %(state)s.") % {
        "number": complaint.number, "state": complaint.get_state_display()})
    return HttpResponseRedirect(reverse("feedback:complaint", args=[complaint.pk]))


def _int_param(request: HttpRequest, name: str) -> int | None:
    try:
        value = int(request.GET.get(name) or request.POST.get(name) or 0)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**62 else None


@permission_required(HANDLE_COMPLAINTS)
def complaint_new(request: HttpRequest) -> HttpResponse:
    """A manager records a complaint for a customer by hand; from a request page it comes pre-filled."""
    customers = customers_for(request.user)
    requests = requests_for(request.user)
    initial_request = requests.select_related("customer").filter(pk=_int_param(request, "request") or 0).first()
    initial_customer = initial_request.customer if initial_request else customers.filter(
        pk=_int_param(request, "customer") or 0).first()
    if request.method == "POST":
        form = ComplaintOpenForm(request.POST, customers=customers, requests=requests)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.complaint_open(actor=request.user, customer=data["customer"],
                                                    request=data["request"], description=data["description"])
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Complaint %(number)s opened.") % {"number": complaint.number})
                return HttpResponseRedirect(reverse("feedback:complaint", args=[complaint.pk]))
        chosen = form.cleaned_data.get("customer") if hasattr(form, "cleaned_data") else None
        return render(request, "feedback/complaint_form.html", {
            "form": form, "customer": chosen or initial_customer, "service_request": initial_request,
        }, status=400)
    form = ComplaintOpenForm(initial={"customer": initial_customer.pk if initial_customer else None,
                                      "request": initial_request.pk if initial_request else None},
                             customers=customers, requests=requests)
    return render(request, "feedback/complaint_form.html", {
        "form": form, "customer": initial_customer, "service_request": initial_request,
    })


@require_GET
@permission_required(HANDLE_COMPLAINTS)
def complaint_customer_search(request: HttpRequest) -> HttpResponse:
    """htmx: customers matching a name, pinyin initials, phone or serial, to pick for a new complaint."""
    matches = intake_search(request.user, request.GET.get("q", "")[:100])
    return render(request, "feedback/partials/customer_choices.html", {"matches": matches,
                                                                       "q": request.GET.get("q", "")})
