"""Every write to work orders, assignments, visits, photos and signed receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import audit
from aftersales.core import services as core
from aftersales.core.api_errors import field_error
from aftersales.core.numbering import next_number
from aftersales.core.permissions import DISPATCH, FIELD_WORK, RESPOND_WORK_ORDERS, require
from aftersales.core.uploads import store_image, store_signature
from aftersales.servicedesk import services as desk
from aftersales.servicedesk.choices import RequestState
from aftersales.servicedesk.models import ServiceRequest
from aftersales.sla import services as sla

from .choices import ACTIVE_STATES, WORK_ORDER_MACHINE, AssignmentResponse, VisitOutcome, WorkOrderState
from .error_codes import (
    AlreadyAssigned,
    AlreadyDeparted,
    AlreadyOnSite,
    AppointmentInvalid,
    DepartureBeforeArrival,
    InvalidPartLine,
    NoOpenVisit,
    NotAnEngineer,
    NotYourWorkOrder,
    ReasonRequired,
    ReceiptAlreadySigned,
    RequestNotDispatchable,
    SignerRequired,
    TakebackDetailsRequired,
    TimeInFuture,
    VisitIncomplete,
)
from .models import Assignment, PartUsage, Photo, ServiceReceipt, Visit, WorkOrder

DISPATCHABLE = {RequestState.TRIAGED, RequestState.DISPATCHED, RequestState.IN_PROGRESS, RequestState.WAITING}


def _check_appointment(start: dt.datetime | None, end: dt.datetime | None) -> None:
    if start and end and end < start:
        raise AppointmentInvalid()


def _check_engineer(engineer: Any) -> None:
    if engineer is None or getattr(engineer, "role", None) != "engineer" or not engineer.is_active:
        raise NotAnEngineer()


def _locked(work_order: WorkOrder) -> WorkOrder:
    """Re-read the work order under a row lock, so two dispatchers cannot both act on the same state."""
    fresh = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    work_order.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return work_order


@transaction.atomic
def work_order_create(*, actor: Any, request: ServiceRequest, instructions: str = "", required_skill: Any = None,
                      appointment_start: dt.datetime | None = None, appointment_end: dt.datetime | None = None,
                      appointment_note: str = "") -> WorkOrder:
    require(actor, DISPATCH)
    if request.state not in DISPATCHABLE:
        raise RequestNotDispatchable()
    _check_appointment(appointment_start, appointment_end)
    from aftersales.contracts.services import derive_service_class

    service_class, contract = derive_service_class(request=request)  # who pays: contract, warranty or paid (C6)
    return core.create(
        WorkOrder, actor=actor, parent=request,
        number=next_number("WO", timezone.localtime().year), request=request, instructions=instructions,
        required_skill=required_skill, appointment_start=appointment_start, appointment_end=appointment_end,
        appointment_note=appointment_note, created_by=actor, service_class=service_class, contract=contract,
    )


@transaction.atomic
def work_order_assign(*, actor: Any, work_order: WorkOrder, engineer: Any, expected_version: int | None = None,
                      appointment_start: dt.datetime | None = None, appointment_end: dt.datetime | None = None,
                      appointment_note: str = "") -> WorkOrder:
    """Give an unassigned work order to an engineer. Of two dispatchers doing it at once, exactly one wins."""
    require(actor, DISPATCH)
    _check_engineer(engineer)
    _check_appointment(appointment_start, appointment_end)
    _locked(work_order)
    if work_order.state != WorkOrderState.UNASSIGNED:
        raise AlreadyAssigned(engineer=str(work_order.engineer or ""))
    now = timezone.now()
    values: dict[str, Any] = {"engineer": engineer, "assigned_at": now, "accepted_at": None}
    if appointment_start:
        values.update(appointment_start=appointment_start, appointment_end=appointment_end,
                      appointment_note=appointment_note)
    core.transition(work_order, machine=WORK_ORDER_MACHINE, action="assign", actor=actor, values=values,
                    expected_version=expected_version, parent=work_order.request)
    Assignment.objects.create(work_order=work_order, engineer=engineer, assigned_by=actor, assigned_at=now)
    desk.request_mark_dispatched(actor=actor, request=work_order.request)
    return work_order


@transaction.atomic
def work_order_reassign(*, actor: Any, work_order: WorkOrder, engineer: Any, reason: str,
                        expected_version: int | None = None) -> WorkOrder:
    """Move an assigned work order to another engineer; the earlier assignment stays in the history."""
    require(actor, DISPATCH)
    _check_engineer(engineer)
    if not reason.strip():
        raise ReasonRequired()
    _locked(work_order)
    now = timezone.now()
    Assignment.objects.filter(work_order=work_order, response__in=[AssignmentResponse.PENDING,
                                                                   AssignmentResponse.ACCEPTED]).update(
        response=AssignmentResponse.WITHDRAWN, responded_at=now, reason=reason[:300])
    core.transition(work_order, machine=WORK_ORDER_MACHINE, action="reassign", actor=actor, reason=reason,
                    values={"engineer": engineer, "assigned_at": now, "accepted_at": None},
                    expected_version=expected_version, parent=work_order.request)
    Assignment.objects.create(work_order=work_order, engineer=engineer, assigned_by=actor, assigned_at=now)
    return work_order


def _own(actor: Any, work_order: WorkOrder, perm: str) -> None:
    require(actor, perm)
    if work_order.engineer_id != actor.pk:
        raise NotYourWorkOrder()


@transaction.atomic
def work_order_accept(*, actor: Any, work_order: WorkOrder) -> WorkOrder:
    _locked(work_order)
    _own(actor, work_order, RESPOND_WORK_ORDERS)
    now = timezone.now()
    core.transition(work_order, machine=WORK_ORDER_MACHINE, action="accept", actor=actor,
                    values={"accepted_at": now}, parent=work_order.request)
    Assignment.objects.filter(work_order=work_order, engineer=actor, response=AssignmentResponse.PENDING).update(
        response=AssignmentResponse.ACCEPTED, responded_at=now)
    return work_order


@transaction.atomic
def work_order_decline(*, actor: Any, work_order: WorkOrder, reason: str) -> WorkOrder:
    """The engineer cannot take it (on leave, lacks a part); it goes back to the dispatcher's unassigned list."""
    _locked(work_order)
    _own(actor, work_order, RESPOND_WORK_ORDERS)
    if not reason.strip():
        raise ReasonRequired()
    now = timezone.now()
    core.transition(work_order, machine=WORK_ORDER_MACHINE, action="decline", actor=actor, reason=reason,
                    values={"engineer": None, "assigned_at": None}, parent=work_order.request)
    Assignment.objects.filter(work_order=work_order, engineer=actor, response=AssignmentResponse.PENDING).update(
        response=AssignmentResponse.DECLINED, responded_at=now, reason=reason[:300])
    return work_order


@transaction.atomic
def work_order_set_appointment(*, actor: Any, work_order: WorkOrder, start: dt.datetime, end: dt.datetime | None,
                               note: str = "", expected_version: int | None = None) -> WorkOrder:
    """Record the time agreed with the customer (by the dispatcher, or by the engineer on his own order)."""
    if work_order.engineer_id and work_order.engineer_id == getattr(actor, "pk", None):
        require(actor, FIELD_WORK)
    else:
        require(actor, DISPATCH)
    _check_appointment(start, end)
    if work_order.state in (WorkOrderState.COMPLETED, WorkOrderState.CANCELLED):
        WORK_ORDER_MACHINE.target("arrive", work_order.state)
    return core.save_changes(work_order, actor=actor, expected_version=expected_version, parent=work_order.request,
                             values={"appointment_start": start, "appointment_end": end, "appointment_note": note},
                             verb="appointment")


@transaction.atomic
def work_order_cancel(*, actor: Any, work_order: WorkOrder, reason: str,
                      expected_version: int | None = None) -> WorkOrder:
    require(actor, DISPATCH)
    if not reason.strip():
        raise ReasonRequired()
    _locked(work_order)
    core.transition(work_order, machine=WORK_ORDER_MACHINE, action="cancel", actor=actor, reason=reason,
                    expected_version=expected_version, parent=work_order.request)
    Assignment.objects.filter(work_order=work_order, response=AssignmentResponse.PENDING).update(
        response=AssignmentResponse.WITHDRAWN, responded_at=timezone.now(), reason=reason[:300])
    request = work_order.request
    if not WorkOrder.objects.filter(request=request, state__in=ACTIVE_STATES).exists():
        desk.request_mark_undispatched(actor=actor, request=request)
    return work_order


@transaction.atomic
def visit_arrive(*, actor: Any, work_order: WorkOrder, at: dt.datetime | None = None,
                 latitude: Decimal | None = None, longitude: Decimal | None = None) -> Visit:
    """The engineer is on site: the arrival time is the evidence for the on-site clock."""
    _locked(work_order)
    _own(actor, work_order, FIELD_WORK)
    if work_order.state == WorkOrderState.ON_SITE and Visit.objects.filter(work_order=work_order,
                                                                          departed_at__isnull=True).exists():
        raise AlreadyOnSite()
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise TimeInFuture()
    core.transition(work_order, machine=WORK_ORDER_MACHINE, action="arrive", actor=actor, parent=work_order.request)
    visit = core.create(Visit, actor=actor, parent=work_order.request, work_order=work_order, engineer=actor,
                        arrived_at=at, arrival_latitude=latitude, arrival_longitude=longitude)
    desk.request_mark_started(actor=actor, request=work_order.request)
    sla.clocks_on_arrival(request=work_order.request, actor=actor, at=at)
    return visit


def _open_visit(work_order: WorkOrder) -> Visit:
    visit = Visit.objects.filter(work_order=work_order).order_by("-arrived_at").first()
    if visit is None:
        raise NoOpenVisit()
    return visit


VISIT_FIELDS = ("diagnosis", "fault_cause", "actions_taken", "outcome", "takeback_item", "takeback_serial",
                "takeback_condition")
# What counts as doing the work (a diagnosis may be recorded before the customer approves the quote).
QUOTE_GATED_FIELDS = ("actions_taken", "outcome")


@transaction.atomic
def visit_record(*, actor: Any, visit: Visit, values: dict[str, Any],
                 parts: list[dict[str, Any]] | None = None) -> Visit:
    """Save what the engineer found and did; `parts` (if given) replaces the list of parts used."""
    _own(actor, visit.work_order, FIELD_WORK)
    if hasattr(visit, "receipt"):
        raise ReceiptAlreadySigned()
    values = {k: v for k, v in values.items() if k in VISIT_FIELDS}
    if any(values.get(k) for k in QUOTE_GATED_FIELDS) or parts:
        from aftersales.billing.services import (
            require_approved_quote,  # class A: the customer approved a quote
        )

        require_approved_quote(visit.work_order)
    outcome = values.get("outcome", visit.outcome)
    if outcome == VisitOutcome.TAKEN_BACK and not (values.get("takeback_item") or visit.takeback_item):
        raise TakebackDetailsRequired()
    before = audit.snapshot(visit, values.keys())
    for key, value in values.items():
        setattr(visit, key, value)
    visit.save(update_fields=[*values.keys(), "updated_at"])
    changes = audit.diff(before, audit.snapshot(visit, values.keys()))
    if parts is not None:
        # Only the free-text lines are replaced; catalogue parts are added and removed one by one (they move stock).
        free_text = visit.parts.filter(part__isnull=True)
        old = [f"{p.description} × {p.quantity} {p.unit}" for p in free_text]
        free_text.delete()
        new = []
        for line in parts:
            quantity = Decimal(str(line.get("quantity", 0)))
            description = str(line.get("description", "")).strip()
            if not description or quantity <= 0:
                raise InvalidPartLine(errors=[field_error("parts", _("Each part needs a description and a quantity above zero."),
                                                       line={k: str(v) for k, v in line.items()})])
            unit = str(line.get("unit") or "pcs")[:12]
            PartUsage.objects.create(visit=visit, description=description[:120], quantity=quantity, unit=unit)
            new.append(f"{description} × {quantity} {unit}")
        if old != new:
            changes["parts"] = [old, new]
    if changes:
        audit.record(actor=actor, instance=visit, action="update", changes=changes, verb="visit_recorded",
                     parent=visit.work_order.request)
    return visit


@transaction.atomic
def visit_use_part(*, actor: Any, visit: Visit, part: Any, quantity: Any, location: Any = None) -> PartUsage:
    """A catalogue part used on the visit: issued from the engineer's van (or the chosen location) to the work
    order in the same transaction; refused (and nothing saved) when not enough is available there."""
    from aftersales.inventory import services as stock

    _own(actor, visit.work_order, FIELD_WORK)
    if hasattr(visit, "receipt"):
        raise ReceiptAlreadySigned()
    from aftersales.billing.services import require_approved_quote  # class A: the customer approved a quote

    require_approved_quote(visit.work_order)
    move = stock.issue_for_visit(actor=actor, part=part, quantity=quantity, location=location,
                                 work_order=visit.work_order, audit_parent=visit.work_order.request)
    usage = PartUsage.objects.create(visit=visit, description=f"{part.number} {part.name}"[:120],
                                     quantity=move.quantity, unit=part.unit[:12], part=part, stock_move=move)
    audit.record(actor=actor, instance=visit, action="update", verb="part_used", parent=visit.work_order.request,
                 changes={"parts": [None, f"{usage.description} × {usage.quantity} {usage.unit}"]})
    return usage


@transaction.atomic
def visit_remove_part(*, actor: Any, usage: PartUsage) -> None:
    """Take a part off the visit report; a catalogue part goes back to the location it was issued from."""
    from aftersales.inventory import services as stock

    visit = usage.visit
    _own(actor, visit.work_order, FIELD_WORK)
    if hasattr(visit, "receipt"):
        raise ReceiptAlreadySigned()
    move = usage.stock_move
    text = f"{usage.description} × {usage.quantity} {usage.unit}"
    usage.delete()
    if move is not None:
        stock.return_from_visit(actor=actor, move=move, audit_parent=visit.work_order.request)
    audit.record(actor=actor, instance=visit, action="update", verb="part_removed", parent=visit.work_order.request,
                 changes={"parts": [text, None]})


@transaction.atomic
def visit_add_photo(*, actor: Any, visit: Visit, upload: Any, caption: str = "") -> Photo:
    return visit_add_photos(actor=actor, visit=visit, uploads=[upload], caption=caption)[0]


@transaction.atomic
def visit_add_photos(*, actor: Any, visit: Visit, uploads: list[Any], caption: str = "") -> list[Photo]:
    """Several photos at once, all or none: one that is refused (not an image, too large) leaves no other
    behind, neither its record nor its file."""
    _own(actor, visit.work_order, FIELD_WORK)
    stored = []
    try:
        for upload in uploads:
            stored.append(store_image(upload, folder="photos"))
    except Exception:
        for done in stored:
            default_storage.delete(done.name)
        raise
    return [core.create(Photo, actor=actor, parent=visit.work_order.request, visit=visit, file=s.name,
                        mime_type=s.mime_type, size=s.size, caption=caption[:120], uploaded_by=actor)
            for s in stored]


@transaction.atomic
def visit_depart(*, actor: Any, visit: Visit, at: dt.datetime | None = None) -> Visit:
    _own(actor, visit.work_order, FIELD_WORK)
    if visit.departed_at:
        raise AlreadyDeparted()
    at = at or timezone.now()
    if at < visit.arrived_at:
        raise DepartureBeforeArrival()
    before = audit.snapshot(visit, ["departed_at"])
    visit.departed_at = at
    visit.save(update_fields=["departed_at", "updated_at"])
    audit.record_update(actor=actor, instance=visit, before=before, verb="departed", parent=visit.work_order.request)
    return visit


@transaction.atomic
def receipt_sign(*, actor: Any, visit: Visit, signer_name: str, signature_data_url: str,
                 customer_comment: str = "") -> ServiceReceipt:
    """The customer signs the service receipt card on the engineer's screen."""
    _own(actor, visit.work_order, FIELD_WORK)
    if hasattr(visit, "receipt"):
        raise ReceiptAlreadySigned()
    if not signer_name.strip():
        raise SignerRequired()
    if not visit.outcome:
        raise VisitIncomplete()
    stored = store_signature(signature_data_url)
    request = visit.work_order.request
    return core.create(
        ServiceReceipt, actor=actor, parent=request, number=next_number("RC", timezone.localtime().year),
        visit=visit, signer_name=signer_name.strip()[:60], signature=stored.name, signed_at=timezone.now(),
        customer_comment=customer_comment, language=request.customer.language,
    )


@transaction.atomic
def work_order_complete(*, actor: Any, work_order: WorkOrder) -> WorkOrder:
    """Close the engineer's part. A fixed outcome with no other open work resolves the request."""
    _locked(work_order)
    _own(actor, work_order, FIELD_WORK)
    visit = _open_visit(work_order)
    if not visit.departed_at or not visit.outcome:
        raise VisitIncomplete()
    core.transition(work_order, machine=WORK_ORDER_MACHINE, action="complete", actor=actor,
                    values={"completed_at": timezone.now()}, parent=work_order.request)
    request = ServiceRequest.objects.select_for_update().get(pk=work_order.request_id)
    others_open = WorkOrder.objects.filter(request=request).exclude(pk=work_order.pk).filter(
        state__in=[*ACTIVE_STATES, WorkOrderState.UNASSIGNED]).exists()
    if visit.outcome == VisitOutcome.FIXED and not others_open and request.state in (
            RequestState.IN_PROGRESS, RequestState.DISPATCHED):
        resolution = visit.actions_taken or visit.diagnosis or str(VisitOutcome.FIXED.label)
        desk.request_resolve(actor=actor, request=request, resolution=resolution, system=True)
    return work_order
