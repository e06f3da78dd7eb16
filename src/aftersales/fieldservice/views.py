"""Screens for dispatch and field work: the board, assignment, the work order page, the engineer's phone pages.

Views are thin: they start from the user's scoped selectors (another's work order is a 404), parse a form and
call one service. Business refusals come back as DomainError and are shown as a message in the user's language.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core.errors import DomainError
from aftersales.core.models import AuditEntry
from aftersales.core.permissions import DISPATCH, FIELD_WORK, VIEW_AUDIT, VIEW_WORK_ORDERS, has_perm
from aftersales.core.templatetags.aftersales import badge
from aftersales.core.views import permission_required, pk_url, positive_int, serve_file
from aftersales.inventory.field import field_parts

from . import selectors, services
from .choices import WORK_ORDER_MACHINE, VisitOutcome, WorkOrderState
from .error_codes import AlreadyAssigned
from .forms import (
    ArriveForm,
    AssignForm,
    BoardDayForm,
    CancelForm,
    DeclineForm,
    PhotoForm,
    ReassignForm,
    SignatureForm,
    VisitForm,
)
from .models import Photo, ServiceReceipt, Visit, WorkOrder

log = logging.getLogger(__name__)

def _say(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, str(exc))


def _request_url(service_request: Any) -> str | None:
    """Link to the request page when the service desk screens are installed."""
    try:
        return reverse("servicedesk:detail", args=[service_request.pk])
    except NoReverseMatch:
        return None


def _scoped_work_order(user: Any, pk: int) -> WorkOrder:
    try:
        return selectors.with_relations(selectors.work_orders_for(user)).get(pk=pk)
    except WorkOrder.DoesNotExist:
        raise Http404


# Dispatch board -------------------------------------------------------------------------------------------------


@permission_required(DISPATCH)
def board(request: HttpRequest) -> HttpResponse:
    """Unassigned work (urgent first) and each engineer's day, for the dispatcher or the regional lead."""
    form = BoardDayForm(request.GET or None)
    day = form.chosen_day()
    data = selectors.board(request.user, day)
    return render(request, "fieldservice/board.html", {
        "form": form, "day": day, "unassigned": data["unassigned"],
        "unassigned_count": data["unassigned_count"], "lanes": data["lanes"],
        "previous_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1),
    })


# Assignment, reassignment, cancellation ----------------------------------------------------------------------


@permission_required(DISPATCH)
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Rank engineers for a work order and give it to one; or reassign or cancel it with a reason."""
    work_order = _scoped_work_order(request.user, pk)
    ranking = selectors.rank_engineers(work_order)
    engineers = selectors.engineers()
    action = request.POST.get("action", "assign") if request.method == "POST" else ""
    version_initial = {"version": work_order.version}
    assign_form = AssignForm(initial=version_initial, engineers=engineers, prefix="a")
    reassign_form = ReassignForm(initial=version_initial, engineers=engineers, prefix="r")
    cancel_form = CancelForm(initial=version_initial, prefix="c")
    if action == "assign":
        assign_form = AssignForm(request.POST, engineers=engineers, prefix="a")
        if assign_form.is_valid():
            d = assign_form.cleaned_data
            try:
                services.work_order_assign(
                    actor=request.user, work_order=work_order, engineer=d["engineer"],
                    expected_version=d["version"], appointment_start=d["appointment_start"],
                    appointment_end=d["appointment_end"], appointment_note=d["appointment_note"])
            except AlreadyAssigned:
                work_order.refresh_from_db()
                holder = work_order.engineer.name if work_order.engineer else ""
                if holder:
                    messages.error(request, _("Another dispatcher assigned this work order a moment ago: it is now "
                                              "with %(engineer)s. Nothing was changed.") % {"engineer": holder})
                else:
                    messages.error(request, _("Someone else changed this work order a moment ago. "
                                              "Nothing was changed."))
                return redirect("fieldservice:detail", pk=work_order.pk)
            except DomainError as exc:
                _say(request, exc)
            else:
                messages.success(request, _("%(number)s assigned to %(engineer)s.") % {
                    "number": work_order.number, "engineer": d["engineer"].name})
                return redirect("fieldservice:detail", pk=work_order.pk)
    elif action == "reassign":
        reassign_form = ReassignForm(request.POST, engineers=engineers, prefix="r")
        if reassign_form.is_valid():
            d = reassign_form.cleaned_data
            try:
                services.work_order_reassign(actor=request.user, work_order=work_order, engineer=d["engineer"],
                                             reason=d["reason"], expected_version=d["version"])
            except DomainError as exc:
                _say(request, exc)
            else:
                messages.success(request, _("%(number)s reassigned to %(engineer)s.") % {
                    "number": work_order.number, "engineer": d["engineer"].name})
                return redirect("fieldservice:detail", pk=work_order.pk)
    elif action == "cancel":
        cancel_form = CancelForm(request.POST, prefix="c")
        if cancel_form.is_valid():
            d = cancel_form.cleaned_data
            try:
                services.work_order_cancel(actor=request.user, work_order=work_order, reason=d["reason"],
                                           expected_version=d["version"])
            except DomainError as exc:
                _say(request, exc)
            else:
                messages.success(request, _("%(number)s cancelled.") % {"number": work_order.number})
                return redirect("fieldservice:detail", pk=work_order.pk)
    status = 200 if request.method == "GET" else 422
    return render(request, "fieldservice/assign.html", {
        "wo": work_order, "sr": work_order.request, "ranking": ranking, "request_url": _request_url(work_order.request),
        "assign_form": assign_form, "reassign_form": reassign_form, "cancel_form": cancel_form,
        "can_assign": WORK_ORDER_MACHINE.can("assign", work_order.state),
        "can_reassign": WORK_ORDER_MACHINE.can("reassign", work_order.state),
        "can_cancel": WORK_ORDER_MACHINE.can("cancel", work_order.state),
    }, status=status)


# Work order page ------------------------------------------------------------------------------------------------


def _work_order_timeline(work_order: WorkOrder, visits: list[Visit]) -> Any:
    """The request's change log narrowed to this work order and what was filed under it."""
    from django.contrib.contenttypes.models import ContentType

    visit_ids = [v.pk for v in visits]
    photo_ids = [p.pk for v in visits for p in v.photos.all()]
    receipt_ids = list(ServiceReceipt.objects.filter(visit_id__in=visit_ids).values_list("pk", flat=True))
    ct = ContentType.objects.get_for_models(WorkOrder, Visit, Photo, ServiceReceipt)
    scope = (Q(content_type=ct[WorkOrder], object_id=work_order.pk)
             | Q(content_type=ct[Visit], object_id__in=visit_ids)
             | Q(content_type=ct[Photo], object_id__in=photo_ids)
             | Q(content_type=ct[ServiceReceipt], object_id__in=receipt_ids))
    return AuditEntry.objects.filter(scope).select_related("actor", "content_type").order_by("id")


@permission_required(VIEW_WORK_ORDERS)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one work order: state, engineer, appointment, offers and answers, visits, receipts."""
    try:
        work_order = selectors.work_order_detail(request.user, pk)
    except WorkOrder.DoesNotExist:
        raise Http404
    visits = list(work_order.visits.all())
    receipts = {r.visit_id: r for r in ServiceReceipt.objects.filter(visit__in=visits)}
    for visit in visits:
        visit.signed_receipt = receipts.get(visit.pk)  # type: ignore[attr-defined]
    show_timeline = has_perm(request.user, VIEW_AUDIT)
    return render(request, "fieldservice/detail.html", {
        "wo": work_order, "sr": work_order.request, "visits": visits, "request_url": _request_url(work_order.request),
        "assignments": list(work_order.assignments.all()),
        "entries": _work_order_timeline(work_order, visits) if show_timeline else None,
        "can_dispatch": has_perm(request.user, DISPATCH),
        "is_mine": work_order.engineer_id == request.user.pk and has_perm(request.user, FIELD_WORK),
        "can_assign": WORK_ORDER_MACHINE.can("assign", work_order.state),
        "can_reassign": WORK_ORDER_MACHINE.can("reassign", work_order.state),
    })


# Engineer's pages ---------------------------------------------------------------------------------------------


@permission_required(FIELD_WORK)
def my_work(request: HttpRequest) -> HttpResponse:
    """The engineer's open work orders on his phone: overdue and today's first, at most MY_WORK_PAGE at a time,
    with how many more there are and a link to them."""
    field_url = pk_url("fieldservice:field")
    paginator = Paginator(selectors.my_work(request.user), selectors.MY_WORK_PAGE)
    if request.GET.get("page"):
        page = paginator.get_page(request.GET.get("page"))
    else:  # the first page, from one prepared query; counted only when there is more than a page
        rows, more = selectors.my_work_first_page(request.user)
        if not more:
            return render(request, "fieldservice/my_work.html", {
                "cards": [_job_card(wo, field_url) for wo in rows], "page": None, "rest": 0})
        page = Page(rows, 1, paginator)
    return render(request, "fieldservice/my_work.html", {
        "cards": [_job_card(wo, field_url) for wo in page], "page": page,
        "rest": max(paginator.count - page.end_index(), 0),
    })


JOB_CARD = (
    '<article class="card job sev-{}"><a class="job-link" href="{}"><div class="row between"><strong>{}</strong>'
    '<span>{} {}</span></div><div class="job-when">{}</div><div class="job-customer">{}</div>'
    '<div class="muted">{}</div>{}</a>{}</article>'
)


def state_badge(wo: WorkOrder, *, visit_open: bool) -> SafeString:
    """The order's state for the engineer. An order stays "on site" from arrival to completion; once no visit is
    open he has left, and the badge says so."""
    if wo.state == WorkOrderState.ON_SITE and not visit_open:
        return badge("left_site", _("Left site, not completed"))
    return badge(wo.state, wo.get_state_display())


def _job_card(wo: WorkOrder, field_url: Callable[[int], str]) -> SafeString:
    """One work order on the engineer's phone list, rendered in Python: through the template, 50 cards took ~10 ms of
    the page's ~18 ms (a tag, a URL, two badges and two dates each); this is the same HTML, escaped the same way."""
    sr = wo.request
    if wo.appointment_start:
        when = timezone.localtime(wo.appointment_start).strftime("%m-%d %H:%M")
        if wo.appointment_end:
            when += "–" + timezone.localtime(wo.appointment_end).strftime("%H:%M")
        when_html = format_html("{}", when)
    else:
        when_html = format_html('<span class="muted">{}</span>', _("no appointment yet"))
    phone = sr.contact_phone or sr.customer.phone
    call = format_html('<a class="btn wide big tel" href="tel:{}">☎ {} {} · {}</a>', phone.replace(" ", ""),
                       _("Call"), sr.contact_name or sr.customer.name, phone) if phone else ""
    return format_html(
        JOB_CARD, sr.severity or "none", field_url(wo.pk), wo.number,
        badge(sr.severity, sr.get_severity_display(), "severity") if sr.severity else "",
        state_badge(wo, visit_open=getattr(wo, "visit_open", True)), when_html, sr.customer.name, sr.summary,
        format_html('<div class="job-address">{}</div>', sr.site.address) if sr.site_id else "", call)


def _contact_phone(service_request: Any) -> str:
    contact = service_request.contact
    return service_request.contact_phone or (contact.phone if contact else "") or service_request.customer.phone


def _field_context(work_order: WorkOrder, **forms: Any) -> dict[str, Any]:
    visits = list(Visit.objects.filter(work_order=work_order).prefetch_related("parts", "photos")
                  .order_by("arrived_at"))
    visit = visits[-1] if visits else None
    receipt = ServiceReceipt.objects.filter(visit=visit).first() if visit else None
    sr = work_order.request
    if visit is not None and "visit_form" not in forms:
        forms["visit_form"] = VisitForm(initial={f: getattr(visit, f) for f in services.VISIT_FIELDS}, prefix="v")
        forms["part_rows"] = [{"description": p.description, "quantity": p.quantity.normalize(), "unit": p.unit}
                              for p in visit.parts.all() if p.part_id is None]
    forms.setdefault("part_rows", [])
    forms.setdefault("decline_form", DeclineForm(prefix="d"))
    forms.setdefault("photo_form", PhotoForm(prefix="p"))
    forms.setdefault("sign_form", SignatureForm(prefix="s", initial={"signer_name": sr.contact_name}))
    on_site = work_order.state == WorkOrderState.ON_SITE
    return {
        "wo": work_order, "sr": sr, "visit": visit, "receipt": receipt, "phone": _contact_phone(sr),
        "arrive_form": ArriveForm(prefix="g"),
        "can_respond": work_order.state == WorkOrderState.ASSIGNED,
        "can_arrive": work_order.state == WorkOrderState.ACCEPTED
        # Another visit on the same order only when the last one ended with "follow-up needed".
        or (on_site and visit is not None and visit.departed_at is not None and receipt is not None
            and visit.outcome == VisitOutcome.FOLLOW_UP),
        "can_record": on_site and visit is not None and receipt is None,
        "can_depart": on_site and visit is not None and visit.departed_at is None,
        "can_sign": on_site and visit is not None and receipt is None and bool(visit.outcome),
        "can_complete": on_site and visit is not None and visit.departed_at is not None and bool(visit.outcome),
        "taken_back": VisitOutcome.TAKEN_BACK.value,
        "state_badge": state_badge(work_order, visit_open=visit is not None and visit.departed_at is None),
        **field_parts(work_order.engineer, work_order, visit),  # catalogue parts (inventory)
        **forms,
    }


def _my_work_order(request: HttpRequest, pk: int) -> WorkOrder:
    """Only the engineer's own work order: for anyone else (even an engineer who may see it) a 404."""
    work_order = _scoped_work_order(request.user, pk)
    if work_order.engineer_id != request.user.pk:
        raise Http404
    return work_order


@permission_required(FIELD_WORK)
def field(request: HttpRequest, pk: int) -> HttpResponse:
    """One work order on the engineer's phone: answer, arrive, record, photos, depart, signature, complete."""
    work_order = _my_work_order(request, pk)
    return render(request, "fieldservice/field.html", _field_context(work_order))


def _latest_visit(work_order: WorkOrder) -> Visit:
    visit = Visit.objects.filter(work_order=work_order).select_related("work_order").order_by("-arrived_at").first()
    if visit is None:
        raise Http404
    return visit


@permission_required(FIELD_WORK)
@require_POST
def field_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the field work, posted from the engineer's page; errors come back as messages."""
    work_order = _my_work_order(request, pk)
    back = redirect("fieldservice:field", pk=work_order.pk)
    user = request.user
    try:
        if action == "accept":
            services.work_order_accept(actor=user, work_order=work_order)
            messages.success(request, _("Accepted. Call the customer to confirm the appointment."))
        elif action == "decline":
            form = DeclineForm(request.POST, prefix="d")
            if not form.is_valid():
                return _rerender(request, work_order, decline_form=form)
            services.work_order_decline(actor=user, work_order=work_order, reason=form.cleaned_data["reason"])
            messages.success(request, _("Declined; the dispatcher will reassign %(number)s.") % {
                "number": work_order.number})
            return redirect("fieldservice:my")
        elif action == "arrive":
            arrive = ArriveForm(request.POST, prefix="g")
            lat, lng = arrive.position() if arrive.is_valid() else (None, None)
            services.visit_arrive(actor=user, work_order=work_order, latitude=lat, longitude=lng)
            messages.success(request, _("Arrival recorded."))
        elif action == "record":
            form = VisitForm(request.POST, prefix="v")
            if not form.is_valid():
                return _rerender(request, work_order, visit_form=form, part_rows=form.part_rows)
            services.visit_record(actor=user, visit=_latest_visit(work_order), values=form.visit_values(),
                                  parts=form.parts)
            messages.success(request, _("Saved."))
        elif action == "photo":
            form = PhotoForm(request.POST, request.FILES, prefix="p")
            if not form.is_valid():
                return _rerender(request, work_order, photo_form=form)
            visit = _latest_visit(work_order)
            services.visit_add_photos(actor=user, visit=visit, uploads=form.cleaned_data["photos"],
                                      caption=form.cleaned_data["caption"])
            messages.success(request, _("%(n)d photo(s) added.") % {"n": len(form.cleaned_data["photos"])})
        elif action in ("use_part", "remove_part"):
            _stock_part(request, work_order, action)
        elif action == "depart":
            services.visit_depart(actor=user, visit=_latest_visit(work_order))
            messages.success(request, _("Departure recorded. Ask the customer to sign the receipt."))
        elif action == "sign":
            form = SignatureForm(request.POST, prefix="s")
            if not form.is_valid():
                return _rerender(request, work_order, sign_form=form)
            services.receipt_sign(actor=user, visit=_latest_visit(work_order),
                                  signer_name=form.cleaned_data["signer_name"],
                                  signature_data_url=form.cleaned_data["signature"],
                                  customer_comment=form.cleaned_data["customer_comment"])
            messages.success(request, _("The customer signed the service receipt."))
        elif action == "complete":
            services.work_order_complete(actor=user, work_order=work_order)
            messages.success(request, _("%(number)s completed.") % {"number": work_order.number})
            return redirect("fieldservice:my")
        else:
            raise Http404
    except DomainError as exc:
        _say(request, exc)
        if action in ("record", "sign"):
            # Keep what was typed: the engineer should not lose a long report to one refused field.
            form_key = {"record": "visit_form", "sign": "sign_form"}[action]
            extra: dict[str, Any] = {form_key: form}
            if action == "record":
                extra["part_rows"] = form.part_rows
            return _rerender(request, work_order, **extra)
    return back


def _stock_part(request: HttpRequest, work_order: WorkOrder, action: str) -> None:
    """Use a catalogue part on the latest visit (issued from the van or a chosen location), or take one off."""
    from aftersales.inventory.forms import UsePartForm
    from aftersales.inventory.models import Part, StockLocation

    visit = _latest_visit(work_order)
    if action == "remove_part":
        usage_id = str(request.POST.get("usage", ""))
        usage = visit.parts.filter(pk=positive_int(usage_id)).select_related(
            "stock_move", "visit__work_order").first()
        if usage is None:
            raise Http404
        services.visit_remove_part(actor=request.user, usage=usage)
        messages.success(request, _("Part removed; the stock went back."))
        return
    form = UsePartForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return
    d = form.cleaned_data
    part = Part.objects.filter(pk=d["part"], is_active=True).first()
    location = StockLocation.objects.filter(pk=d["location"]).first() if d["location"] else None
    if part is None:
        from aftersales.inventory.error_codes import UnknownPart

        raise UnknownPart()
    usage = services.visit_use_part(actor=request.user, visit=visit, part=part, quantity=d["quantity"],
                                    location=location)
    messages.success(request, _("%(part)s × %(quantity)s taken from %(location)s.") % {
        "part": part.number, "quantity": usage.quantity.normalize(), "location": usage.stock_move.from_location.name})


def _rerender(request: HttpRequest, work_order: WorkOrder, **forms: Any) -> HttpResponse:
    work_order.refresh_from_db()
    return render(request, "fieldservice/field.html", _field_context(work_order, **forms), status=422)


# Files -------------------------------------------------------------------------------------------------------


@permission_required(VIEW_WORK_ORDERS)
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed service receipt card of a visit as PDF, in the customer's language."""
    from .receipt_pdf import render_receipt

    try:
        visit = selectors.visits_for(request.user).get(pk=pk)
        receipt = ServiceReceipt.objects.select_related(
            "visit__engineer", "visit__work_order__request__customer", "visit__work_order__request__site",
            "visit__work_order__request__equipment__product_model", "visit__work_order__request__product_model",
        ).get(visit=visit)
    except (Visit.DoesNotExist, ServiceReceipt.DoesNotExist):
        raise Http404
    response = HttpResponse(render_receipt(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required(VIEW_WORK_ORDERS)
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit photo, only for users who may see its work order."""
    try:
        item = Photo.objects.filter(visit__in=selectors.visits_for(request.user)).get(pk=pk)
    except Photo.DoesNotExist:
        raise Http404
    ext = item.file.name.rsplit(".", 1)[-1]
    return serve_file(item.file.name, download_name=f"photo-{item.pk}.{ext}")


@permission_required(VIEW_WORK_ORDERS)
def signature(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's signature image of a receipt, only for users who may see its work order."""
    try:
        receipt = ServiceReceipt.objects.filter(visit__in=selectors.visits_for(request.user)).get(pk=pk)
    except ServiceReceipt.DoesNotExist:
        raise Http404
    return serve_file(receipt.signature.name, download_name=f"{receipt.number}-signature.png")
