"""REST endpoints for callbacks after every job and for complaints; thin: scope, call a service, shape.

feedback has no selectors module yet, so the scoping lives in the two small functions below: a callback or a
complaint is visible to whoever may see its service request (a regional lead: his province's).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from aftersales.core.api import Page, get_or_404, needs, paginate
from aftersales.core.api_support import (
    actor,
    body_example,
    etag,
    if_match,
    page_no,
    page_size,
    path_id,
    responses,
    sort_keys,
    sort_param,
)
from aftersales.core.permissions import HANDLE_COMPLAINTS, RECORD_CALLBACKS, VIEW_CALLBACKS, VIEW_COMPLAINTS

from . import (
    selectors,  # noqa: E402
    services,
)
from .models import Callback, Complaint
from .schemas import (
    CallbackOut,
    CallbackRecordIn,
    CallbackStateName,
    ComplaintActionIn,
    ComplaintOut,
    ComplaintStateName,
)

router = Router(tags=["feedback"])


def callbacks_for(user: Any) -> QuerySet[Callback]:
    """The same scope as the web pages (feedback.selectors), with what the API bodies show."""
    return selectors.callbacks_for(user).select_related("request", "request__customer", "done_by")


# Sort keys: orders the (state, due_at), (state, -done_at) and (state, -created_at) indexes serve.
CALLBACK_SORTS = {"due": ("due_at", "id"), "-due": ("-due_at", "-id"), "done": ("done_at", "id"),
                  "-done": ("-done_at", "-id")}
COMPLAINT_SORTS = {"-created": ("-created_at", "-id"), "created": ("created_at", "id"), "number": ("number",),
                   "-number": ("-number",)}
CallbackSort, ComplaintSort = sort_keys(CALLBACK_SORTS), sort_keys(COMPLAINT_SORTS)


def complaints_for(user: Any) -> QuerySet[Complaint]:
    return selectors.complaints_for(user).select_related("customer", "request", "owner")


@router.get("/callbacks", auth=needs(VIEW_CALLBACKS), response=responses(200, Page[CallbackOut]), summary="List callbacks",
            description="Callbacks after resolved requests, soonest due first; `state=pending` is the agent's "
                        "queue.")
def callback_list(request: HttpRequest, state: CallbackStateName = Query(None, description="pending or done"),
                  sort: CallbackSort = sort_param("due", CALLBACK_SORTS),
                  page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = callbacks_for(actor(request, VIEW_CALLBACKS))
    if state:
        qs = qs.filter(state=state)
    return paginate(qs.order_by(*CALLBACK_SORTS[sort]), page, page_size)


@router.get("/callbacks/{id}", auth=needs(VIEW_CALLBACKS), response=responses(200, CallbackOut), summary="Get a callback",
            description="One callback with its request's resolution; `ETag` carries its version.")
def callback_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Callback:  # noqa: A002
    callback = get_or_404(callbacks_for(actor(request, VIEW_CALLBACKS)), id)
    etag(response, callback)
    return callback


@router.post("/callbacks/{id}/record", auth=needs(RECORD_CALLBACKS), response=responses(200, CallbackOut, write=True),
             summary="Record a callback",
             description="Record the result: `unreachable` keeps the task open and counts the attempt; `reached` "
                         "needs a satisfaction of 1–5. A satisfaction of 2 or less reopens the request or opens a "
                         "complaint for the manager, as configured. A callback already done answers 422 "
                         "`callback_done`. Honours `If-Match`.",
             openapi_extra=body_example({"result": "reached", "satisfaction": 5, "comment": "对维修结果满意",
                                         "method": "phone"}))
def callback_record(request: HttpRequest, response: HttpResponse, body: CallbackRecordIn,
                    id: int = path_id()) -> Callback:  # noqa: A002
    user = actor(request, VIEW_CALLBACKS)
    callback = get_or_404(callbacks_for(user), id)
    services.callback_record(actor=user, callback=callback, result=body.result, satisfaction=body.satisfaction,
                             comment=body.comment, method=body.method, expected_version=if_match(request))
    fresh = get_or_404(callbacks_for(user), id)
    etag(response, fresh)
    return fresh


@router.get("/complaints", auth=needs(VIEW_COMPLAINTS), response=responses(200, Page[ComplaintOut]), summary="List complaints",
            description="Complaints, newest first, optionally by state.")
def complaint_list(request: HttpRequest, state: ComplaintStateName = Query(None, description="Complaint state"),
                   sort: ComplaintSort = sort_param("-created", COMPLAINT_SORTS),
                   page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = complaints_for(actor(request, VIEW_COMPLAINTS))
    if state:
        qs = qs.filter(state=state)
    return paginate(qs.order_by(*COMPLAINT_SORTS[sort]), page, page_size)


@router.get("/complaints/{id}", auth=needs(VIEW_COMPLAINTS), response=responses(200, ComplaintOut), summary="Get a complaint",
            description="One complaint with its customer, request and the actions open to the caller; `ETag` "
                        "carries its version.")
def complaint_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Complaint:  # noqa: A002
    complaint = get_or_404(complaints_for(actor(request, VIEW_COMPLAINTS)), id)
    etag(response, complaint)
    return complaint


COMPLAINT_ACTIONS = {
    "investigate": ("Investigate a complaint", "Start handling: `open` → `investigating`; the caller becomes the "
                                               "owner if there is none."),
    "answer": ("Answer a complaint", "Give the customer an answer (required): → `answered`."),
    "close": ("Close a complaint", "The customer accepted the answer: `answered` → `closed`."),
    "reopen": ("Reopen a complaint", "The customer is not satisfied: back to `investigating`, with a reason."),
}


def _complaint_action(action: str, summary: str, description: str) -> None:
    def endpoint(request: HttpRequest, response: HttpResponse, body: ComplaintActionIn,
                 id: int = path_id()) -> Complaint:  # noqa: A002
        user = actor(request, VIEW_COMPLAINTS)
        complaint = get_or_404(complaints_for(user), id)
        services.complaint_transition(actor=user, complaint=complaint, action=action, answer=body.answer,
                                      reason=body.reason, expected_version=if_match(request))
        fresh = get_or_404(complaints_for(user), id)
        etag(response, fresh)
        return fresh

    endpoint.__name__ = f"complaint_{action}"
    router.post(f"/complaints/{{id}}/{action}", auth=needs(HANDLE_COMPLAINTS), response=responses(200, ComplaintOut, write=True),
                summary=summary, operation_id=f"complaint_{action}",
                description=description + " Honours `If-Match`; a transition the state machine does not allow "
                                          "answers 409 `invalid_transition`.",
                openapi_extra=body_example({"answer": "已更换压缩机并延长保修 6 个月"} if action == "answer"
                                           else {"reason": ""}))(endpoint)


for _action, (_summary, _description) in COMPLAINT_ACTIONS.items():
    _complaint_action(_action, _summary, _description)
