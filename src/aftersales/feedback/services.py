"""Every write to callbacks and complaints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aftersales.core import services as core
from aftersales.core.numbering import next_number
from aftersales.core.permissions import HANDLE_COMPLAINTS, RECORD_CALLBACKS, require
from aftersales.sla import services as sla

from .choices import COMPLAINT_MACHINE, CallbackResult, CallbackState
from .error_codes import (
    AnswerRequired,
    CallbackDone,
    CallbackResultInvalid,
    DescriptionRequired,
    SatisfactionRange,
    SatisfactionRequired,
)
from .models import Callback, Complaint

CALLBACK_DUE = dt.timedelta(hours=24)
LOW_SATISFACTION = 2


def callback_schedule(*, request: Any, actor: Any) -> Callback:
    """A resolved request gets a callback task for an agent (called inside the resolving transaction)."""
    callback = core.create(Callback, actor=actor, parent=request, request=request,
                           due_at=timezone.now() + CALLBACK_DUE)
    sla.clocks_on_callback_scheduled(request=request, actor=actor, callback=callback)
    return callback


@transaction.atomic
def callback_record(*, actor: Any, callback: Callback, result: str, satisfaction: int | None = None,
                    comment: str = "", method: str = "phone", expected_version: int | None = None) -> Callback:
    """Record a callback. An unreachable customer leaves the task open for another attempt; a satisfaction of
    2 or less reopens the request or opens a complaint, as AFTERSALES_LOW_SATISFACTION_ACTION says."""
    require(actor, RECORD_CALLBACKS)
    if callback.state != CallbackState.PENDING:
        raise CallbackDone()
    if result not in CallbackResult.values:
        raise CallbackResultInvalid()
    if result == CallbackResult.REACHED and satisfaction is None:
        raise SatisfactionRequired()
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise SatisfactionRange()
    if result == CallbackResult.UNREACHABLE:
        return core.save_changes(callback, actor=actor, expected_version=expected_version, parent=callback.request,
                                 verb="callback_unreachable",
                                 values={"attempts": callback.attempts + 1, "method": method,
                                         "result": result, "comment": comment})
    core.save_changes(callback, actor=actor, expected_version=expected_version, parent=callback.request,
                      verb="callback_done",
                      values={"state": CallbackState.DONE, "result": result, "satisfaction": satisfaction,
                              "comment": comment, "method": method, "done_at": timezone.now(), "done_by": actor,
                              "attempts": callback.attempts + 1})
    sla.clocks_on_callback_done(request=callback.request, actor=actor, at=callback.done_at)
    if satisfaction is not None and satisfaction <= LOW_SATISFACTION:
        from aftersales.servicedesk.choices import REQUEST_MACHINE
        from aftersales.servicedesk.services import reopen_deadline, request_reopen

        deadline = reopen_deadline(callback.request)
        reopenable = (REQUEST_MACHINE.can("reopen", callback.request.state)
                      and (deadline is None or timezone.now() <= deadline))
        # Past the reopen period, or when the request was already reopened (someone is on it again), the unhappy
        # customer still reaches the manager, as a complaint.
        if settings.AFTERSALES_LOW_SATISFACTION_ACTION == "reopen" and reopenable:
            request_reopen(actor=actor, request=callback.request, system=True,
                           reason=f"callback satisfaction {satisfaction}: {comment}"[:500])
        else:
            complaint_open(actor=actor, customer=callback.request.customer, request=callback.request,
                           callback=callback, description=comment or f"satisfaction {satisfaction}", system=True)
    return callback


@transaction.atomic
def complaint_open(*, actor: Any, customer: Any, description: str, request: Any = None, callback: Any = None,
                   system: bool = False) -> Complaint:
    if not system:
        require(actor, HANDLE_COMPLAINTS)
    if not description.strip():
        raise DescriptionRequired()
    complaint = core.create(Complaint, actor=actor, parent=request,
                            number=next_number("CP", timezone.localtime().year),
                            customer=customer, request=request, callback=callback, description=description)
    sla.clocks_on_complaint_opened(complaint=complaint, actor=actor)
    return complaint


@transaction.atomic
def complaint_transition(*, actor: Any, complaint: Complaint, action: str, answer: str = "", reason: str = "",
                         expected_version: int | None = None) -> Complaint:
    require(actor, HANDLE_COMPLAINTS)
    values: dict[str, Any] = {}
    if action == "investigate":
        values["owner"] = complaint.owner or actor
    elif action == "answer":
        if not answer.strip():
            raise AnswerRequired()
        values.update(answer=answer, answered_at=timezone.now(), owner=complaint.owner or actor)
    elif action == "close":
        values["closed_at"] = timezone.now()
    core.transition(complaint, machine=COMPLAINT_MACHINE, action=action, actor=actor, values=values,
                    reason=reason, expected_version=expected_version, parent=complaint.request)
    if action == "answer":
        sla.clocks_on_complaint_answered(complaint=complaint, actor=actor, at=complaint.answered_at)
    return complaint
