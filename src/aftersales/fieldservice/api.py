"""REST endpoints for work orders and visits: dispatch, the engineer's answers, field records and receipts.

Thin: reads start from `fieldservice.selectors` (an engineer sees his own work orders only), writes are service
calls. Two dispatchers assigning one work order at once: the service locks the row, one wins and the other
gets 409 `already_assigned`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from aftersales.accounts.models import Skill
from aftersales.core.api import Page, get_or_404, needs, paginate
from aftersales.core.api_support import (
    MAX_ID,
    Day,
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
from aftersales.core.errors import DomainError, NotFound
from aftersales.core.permissions import DISPATCH, FIELD_WORK, RESPOND_WORK_ORDERS, VIEW_WORK_ORDERS
from aftersales.servicedesk import selectors as desk_selectors

from . import selectors, services
from .models import Assignment, Visit, WorkOrder
from .schemas import (
    SIGNATURE_EXAMPLE,
    WORK_ORDER_SORTS,
    AppointmentIn,
    ArriveIn,
    AssignIn,
    CandidateOut,
    DepartIn,
    PhotoOut,
    ReassignIn,
    ReceiptIn,
    ReceiptOut,
    VisitOut,
    VisitPatch,
    WorkOrderIn,
    WorkOrderOut,
    WorkOrderReasonIn,
    WorkOrderRow,
    WorkOrderSort,
    WorkOrderStateName,
)

router = Router(tags=["work orders"])

ROW_RELATIONS = ("request", "request__customer", "request__site", "engineer", "required_skill")
ACTION_DOC = " A transition the state machine does not allow answers 409 `invalid_transition`."


def _visits() -> QuerySet[Visit]:
    return Visit.objects.select_related("engineer", "receipt").prefetch_related("parts", "photos")


def _detail_qs(user: Any) -> QuerySet[WorkOrder]:
    return selectors.work_orders_for(user).select_related(*ROW_RELATIONS).prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("engineer", "assigned_by")),
        Prefetch("visits", queryset=_visits()),
    )


def _get(request: HttpRequest, pk: int) -> tuple[Any, WorkOrder]:
    user = actor(request, VIEW_WORK_ORDERS)
    return user, get_or_404(_detail_qs(user), pk)


def _answer(response: HttpResponse, user: Any, pk: int) -> WorkOrder:
    fresh = get_or_404(_detail_qs(user), pk)
    etag(response, fresh)
    return fresh


def _engineer(pk: int) -> Any:
    """An active field engineer by id; anyone else is simply not found."""
    return get_or_404(selectors.engineers(), pk)


@router.get("/work-orders", auth=needs(VIEW_WORK_ORDERS), response=responses(200, Page[WorkOrderRow]), summary="List work orders",
            description="The caller's work orders (an engineer: his own; a regional lead: his province's), filtered "
                        "by state (repeatable), engineer, request and appointment days, sorted by the documented keys "
                        "only. One engineer's day: `engineer=7&appointment_from=2026-12-08&appointment_to=2026-12-08"
                        "&sort=appointment`.")
def work_order_list(request: HttpRequest,
                    state: list[WorkOrderStateName] = Query(None, description="Any of these states"),
                    engineer: int = query_id("Engineer id"), service_request: int = Query(None, ge=1, le=MAX_ID, alias="request",
                                                 description="Service request id"),
                    appointment_from: Day = Query(None, description="Appointment starting on or after this day "
                                                                     "(caller's time zone); unbooked work is left out"),
                    appointment_to: Day = Query(None, description="Appointment starting on or before this day "
                                                                  "(caller's time zone); unbooked work is left out"),
                    sort: WorkOrderSort = Query("-created", description="Sort key"),
                    page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.work_orders_for(actor(request, VIEW_WORK_ORDERS)).select_related(*ROW_RELATIONS)
    if state:
        qs = qs.filter(state__in=state)
    if engineer:
        qs = qs.filter(engineer_id=engineer)
    if service_request:
        qs = qs.filter(request_id=service_request)
    qs = selectors.with_appointment_days(qs, appointment_from, appointment_to)
    return paginate(qs.order_by(*WORK_ORDER_SORTS[sort]), page, page_size)


@router.get("/work-orders/{id}", auth=needs(VIEW_WORK_ORDERS), response=responses(200, WorkOrderOut), summary="Get a work order",
            description="One work order with its request, the history of assignments (reassignments keep every "
                        "earlier row), its visits and the actions open to the caller. `ETag` carries its version.")
def work_order_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> WorkOrder:  # noqa: A002
    _, work_order = _get(request, id)
    etag(response, work_order)
    return work_order


def _appointment(body: AppointmentIn | None) -> dict[str, Any]:
    if body is None:
        return {}
    return {"appointment_start": body.start, "appointment_end": body.end, "appointment_note": body.note}


@router.post("/work-orders", auth=needs(DISPATCH), response=responses(201, WorkOrderOut, write=True), summary="Create a work order",
             description="A piece of work for a triaged request (409 `request_not_dispatchable` before triage or "
                         "after resolution), optionally with the skill it needs and an agreed appointment.",
             openapi_extra=body_example({"request_id": 1, "instructions": "带压力表和冷媒", "required_skill_id": None,
                                         "appointment": {"start": "2026-03-02T09:00:00+08:00",
                                                         "end": "2026-03-02T12:00:00+08:00",
                                                         "note": "与张经理电话确认"}}))
def work_order_create(request: HttpRequest, response: HttpResponse, body: WorkOrderIn) -> Status:
    user = actor(request, DISPATCH)
    service_request = get_or_404(desk_selectors.requests_for(user), body.request_id)
    skill = get_or_404(Skill.objects.all(), body.required_skill_id) if body.required_skill_id else None
    work_order = services.work_order_create(actor=user, request=service_request, instructions=body.instructions,
                                            required_skill=skill, **_appointment(body.appointment))
    return Status(201, _answer(response, user, work_order.pk))


@router.post("/work-orders/{id}/assign", auth=needs(DISPATCH), response=responses(200, WorkOrderOut, write=True),
             summary="Assign a work order",
             description="Give an unassigned work order to an engineer, optionally with the appointment. Of two "
                         "dispatchers doing it at the same moment exactly one wins; the other gets 409 "
                         "`already_assigned`. Honours `If-Match`." + ACTION_DOC,
             openapi_extra=body_example({"engineer_id": 3}))
def work_order_assign(request: HttpRequest, response: HttpResponse, body: AssignIn,
                      id: int = path_id()) -> WorkOrder:  # noqa: A002
    user, work_order = _get(request, id)
    actor(request, DISPATCH)
    appointment = {}
    if body.appointment is not None:
        appointment = {"appointment_start": body.appointment.start, "appointment_end": body.appointment.end,
                       "appointment_note": body.appointment.note}
    services.work_order_assign(actor=user, work_order=work_order, engineer=_engineer(body.engineer_id),
                               expected_version=if_match(request), **appointment)
    return _answer(response, user, work_order.pk)


@router.post("/work-orders/{id}/reassign", auth=needs(DISPATCH), response=responses(200, WorkOrderOut, write=True),
             summary="Reassign a work order",
             description="Move an assigned or accepted work order to another engineer, with a reason; the earlier "
                         "assignment stays in the history. Honours `If-Match`." + ACTION_DOC,
             openapi_extra=body_example({"engineer_id": 4, "reason": "原工程师请假"}))
def work_order_reassign(request: HttpRequest, response: HttpResponse, body: ReassignIn,
                        id: int = path_id()) -> WorkOrder:  # noqa: A002
    user, work_order = _get(request, id)
    actor(request, DISPATCH)
    services.work_order_reassign(actor=user, work_order=work_order, engineer=_engineer(body.engineer_id),
                                 reason=body.reason, expected_version=if_match(request))
    return _answer(response, user, work_order.pk)


@router.post("/work-orders/{id}/accept", auth=needs(RESPOND_WORK_ORDERS), response=responses(200, WorkOrderOut, write=True),
             summary="Accept a work order",
             description="The assigned engineer takes the job (403 `not_your_work_order` for anyone else)."
                         + ACTION_DOC)
def work_order_accept(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> WorkOrder:  # noqa: A002
    user, work_order = _get(request, id)
    services.work_order_accept(actor=user, work_order=work_order)
    return _answer(response, user, work_order.pk)


@router.post("/work-orders/{id}/decline", auth=needs(RESPOND_WORK_ORDERS), response=responses(200, WorkOrderOut, write=True),
             summary="Decline a work order",
             description="The assigned engineer cannot take it (on leave, lacks a part): it goes back to the "
                         "dispatcher's unassigned list. A reason is required." + ACTION_DOC,
             openapi_extra=body_example({"reason": "缺少备件，无法按时上门"}))
def work_order_decline(request: HttpRequest, response: HttpResponse, body: WorkOrderReasonIn,
                       id: int = path_id()) -> WorkOrder:  # noqa: A002
    user, work_order = _get(request, id)
    services.work_order_decline(actor=user, work_order=work_order, reason=body.reason)
    return _answer(response, user, work_order.pk)


@router.post("/work-orders/{id}/appointment", auth=needs(DISPATCH, FIELD_WORK), response=responses(200, WorkOrderOut, write=True),
             summary="Record the appointment",
             description="The time agreed with the customer, by a dispatcher or by the engineer on his own work "
                         "order. Honours `If-Match`.",
             openapi_extra=body_example({"start": "2026-03-02T09:00:00+08:00", "end": "2026-03-02T12:00:00+08:00",
                                         "note": "与张经理电话确认"}))
def work_order_appointment(request: HttpRequest, response: HttpResponse, body: AppointmentIn,
                           id: int = path_id()) -> WorkOrder:  # noqa: A002
    user, work_order = _get(request, id)
    services.work_order_set_appointment(actor=user, work_order=work_order, start=body.start, end=body.end,
                                        note=body.note, expected_version=if_match(request))
    return _answer(response, user, work_order.pk)


@router.post("/work-orders/{id}/cancel", auth=needs(DISPATCH), response=responses(200, WorkOrderOut, write=True),
             summary="Cancel a work order",
             description="Withdraw a work order that is not yet on site, with a reason. Honours `If-Match`."
                         + ACTION_DOC, openapi_extra=body_example({"reason": "客户已自行解决"}))
def work_order_cancel(request: HttpRequest, response: HttpResponse, body: WorkOrderReasonIn,
                      id: int = path_id()) -> WorkOrder:  # noqa: A002
    user, work_order = _get(request, id)
    actor(request, DISPATCH)
    services.work_order_cancel(actor=user, work_order=work_order, reason=body.reason,
                               expected_version=if_match(request))
    return _answer(response, user, work_order.pk)


@router.post("/work-orders/{id}/arrive", auth=needs(FIELD_WORK), response=responses(201, VisitOut, write=True),
             summary="Arrive on site",
             description="The engineer records his arrival (the evidence for the on-site clock), optionally with "
                         "the time and position; a new visit starts." + ACTION_DOC,
             openapi_extra=body_example({"latitude": "30.527500", "longitude": "114.356100"}))
def work_order_arrive(request: HttpRequest, body: ArriveIn, id: int = path_id()) -> Status:  # noqa: A002
    user, work_order = _get(request, id)
    visit = services.visit_arrive(actor=user, work_order=work_order, at=body.at, latitude=body.latitude,
                                  longitude=body.longitude)
    return Status(201, get_or_404(_visits(), visit.pk))


@router.post("/work-orders/{id}/complete", auth=needs(FIELD_WORK), response=responses(200, WorkOrderOut, write=True),
             summary="Complete a work order",
             description="Close the engineer's part once the last visit has its departure and outcome (422 "
                         "`visit_incomplete`). A fixed outcome with no other open work resolves the request."
                         + ACTION_DOC)
def work_order_complete(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> WorkOrder:  # noqa: A002
    user, work_order = _get(request, id)
    services.work_order_complete(actor=user, work_order=work_order)
    return _answer(response, user, work_order.pk)


@router.get("/work-orders/{id}/candidates", auth=needs(DISPATCH), response=responses(200, list[CandidateOut]),
            summary="Rank engineers for a work order",
            description="Active engineers ranked by skill match, then nearness to the site (same city, same "
                        "province, other), then fewest open work orders; at most 20.")
def work_order_candidates(request: HttpRequest, id: int = path_id()) -> list[Any]:  # noqa: A002
    user, work_order = _get(request, id)
    actor(request, DISPATCH)
    return selectors.rank_engineers(work_order)


# Visits ------------------------------------------------------------------------------------------------------

def _visit(request: HttpRequest, pk: int) -> tuple[Any, Visit]:
    user = actor(request, VIEW_WORK_ORDERS)
    qs = _visits().select_related("work_order", "work_order__request").filter(
        work_order__in=selectors.work_orders_for(user).values("pk"))
    return user, get_or_404(qs, pk)


@router.get("/visits/{id}", auth=needs(VIEW_WORK_ORDERS), response=responses(200, VisitOut), summary="Get a visit",
            description="One visit with findings, parts used, photos and the signed receipt, if any.")
def visit_get(request: HttpRequest, id: int = path_id()) -> Visit:  # noqa: A002
    return _visit(request, id)[1]


@router.patch("/visits/{id}", auth=needs(FIELD_WORK), response=responses(200, VisitOut, write=True), summary="Record findings",
              description="The engineer records diagnosis, fault cause, actions taken, outcome (fixed / follow_up / "
                          "taken_back, which needs the item taken back) and, when `parts` is sent, replaces the "
                          "parts used. Refused once the customer has signed (409 `receipt_already_signed`).",
              openapi_extra=body_example({"diagnosis": "冷凝器结垢", "actions_taken": "清洗冷凝器", "outcome": "fixed",
                                          "parts": [{"description": "密封圈", "quantity": "2", "unit": "pcs"}]}))
def visit_update(request: HttpRequest, body: VisitPatch, id: int = path_id()) -> Visit:  # noqa: A002
    user, visit = _visit(request, id)
    values = body.model_dump(exclude_unset=True)
    parts = values.pop("parts", None)
    services.visit_record(actor=user, visit=visit, values=values, parts=parts)
    return get_or_404(_visits(), visit.pk)


@router.post("/visits/{id}/depart", auth=needs(FIELD_WORK), response=responses(200, VisitOut, write=True), summary="Leave the site",
             description="Record the departure (defaults to now; not before the arrival).")
def visit_depart(request: HttpRequest, body: DepartIn, id: int = path_id()) -> Visit:  # noqa: A002
    user, visit = _visit(request, id)
    services.visit_depart(actor=user, visit=visit, at=body.at)
    return get_or_404(_visits(), visit.pk)


@router.post("/visits/{id}/photos", auth=needs(FIELD_WORK), response=responses(201, PhotoOut, 413, write=True), summary="Add a photo",
             description="Upload one JPEG, PNG or WebP photo (multipart field `file`). The type is decided from the "
                         "content; anything else, or an SVG/HTML file named .png, answers 422 `upload_rejected`.")
def visit_photo(request: HttpRequest, file: UploadedFile = File(..., description="The image"),
                caption: str = Form("", max_length=120), id: int = path_id()) -> Status:  # noqa: A002
    user, visit = _visit(request, id)
    photo = services.visit_add_photo(actor=user, visit=visit, upload=file, caption=caption)
    return Status(201, photo)


@router.post("/visits/{id}/receipt", auth=needs(FIELD_WORK), response=responses(201, ReceiptOut, write=True),
             summary="Sign the service receipt",
             description="The customer signs the service receipt card (技术服务回执卡) on the engineer's screen: "
                         "signer's name, the canvas signature as a PNG data URL and an optional comment. The visit "
                         "needs its outcome first; a second signature answers 409 `receipt_already_signed`.",
             openapi_extra=body_example({"signer_name": "张经理", "signature": SIGNATURE_EXAMPLE,
                                         "comment": "服务及时"}))
def visit_receipt(request: HttpRequest, body: ReceiptIn, id: int = path_id()) -> Status:  # noqa: A002
    user, visit = _visit(request, id)
    receipt = services.receipt_sign(actor=user, visit=visit, signer_name=body.signer_name,
                                    signature_data_url=body.signature, customer_comment=body.comment)
    return Status(201, receipt)


class PdfUnavailable(DomainError):
    status = 404
    code = "pdf_unavailable"
    default_message = _("The receipt cannot be rendered as PDF on this installation yet.")


@router.get("/visits/{id}/receipt.pdf", auth=needs(VIEW_WORK_ORDERS), response=responses(200, None), summary="Download the receipt as PDF",
            description="The signed service receipt card rendered as PDF in the customer's language, as an "
                        "attachment. 404 when the visit has no signed receipt.",
            openapi_extra={"responses": {"200": {"description": "The PDF file",
                                                 "content": {"application/pdf": {"schema": {"type": "string",
                                                                                            "format": "binary"}}}}}})
def visit_receipt_pdf(request: HttpRequest, id: int = path_id()) -> HttpResponse:  # noqa: A002
    _, visit = _visit(request, id)
    receipt = getattr(visit, "receipt", None)
    if receipt is None:
        raise NotFound()
    try:
        from aftersales.fieldservice.receipt_pdf import render_receipt
    except ImportError:
        raise PdfUnavailable()
    pdf = render_receipt(receipt)
    answer = HttpResponse(pdf, content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{receipt.number}.pdf"'
    answer["X-Content-Type-Options"] = "nosniff"
    answer["Cache-Control"] = "private, no-store"
    return answer
