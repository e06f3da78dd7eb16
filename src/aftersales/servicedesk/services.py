"""Every write to service requests: intake, triage and each transition of the state machine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aftersales.core import services as core
from aftersales.core.numbering import next_number
from aftersales.core.permissions import (
    CREATE_REQUESTS,
    EDIT_REQUESTS,
    PROGRESS_REQUESTS,
    TRIAGE_REQUESTS,
    require,
)
from aftersales.customers.models import Contact, Customer, Equipment, ProductModel, Site
from aftersales.sla import services as sla

from .choices import OPEN_STATES, REQUEST_MACHINE, Channel, RequestState, RequestType
from .error_codes import NotOfCustomer, ReasonRequired, ReopenPeriodOver, ResolutionRequired, SeverityRequired
from .models import FaultCategory, ServiceRequest


def _check_belongs(customer: Customer, site: Site | None, equipment: Equipment | None,
                   contact: Contact | None) -> None:
    if site is not None and site.customer_id != customer.pk:
        raise NotOfCustomer(field="site")
    if equipment is not None and equipment.customer_id != customer.pk:
        raise NotOfCustomer(field="equipment")
    if contact is not None and contact.customer_id != customer.pk:
        raise NotOfCustomer(field="contact")


@transaction.atomic
def request_create(*, actor: Any, customer: Customer, summary: str, channel: str = Channel.HOTLINE,
                   type: str = RequestType.REPAIR, site: Site | None = None,  # noqa: A002 - the business's word
                   equipment: Equipment | None = None, product_model: ProductModel | None = None,
                   contact: Contact | None = None, contact_name: str = "", contact_phone: str = "",
                   symptom: str = "", usage_scenario: str = "") -> ServiceRequest:
    """Record a customer's problem. Site and model follow from the equipment when it is known."""
    require(actor, CREATE_REQUESTS)
    _check_belongs(customer, site, equipment, contact)
    if equipment is not None:
        site = site or equipment.site
        product_model = product_model or equipment.product_model
        if site.pk != equipment.site_id:
            raise NotOfCustomer(field="site")
    if contact is not None:
        contact_name = contact_name or contact.name
        contact_phone = contact_phone or contact.phone
    now = timezone.now()
    request = core.create(
        ServiceRequest, actor=actor,
        number=next_number("SR", timezone.localtime(now).year),
        channel=channel, type=type, customer=customer, site=site, equipment=equipment,
        product_model=product_model, contact=contact, contact_name=contact_name, contact_phone=contact_phone,
        province_id=site.province_id if site else None, city_id=site.city_id if site else None,
        summary=summary, symptom=symptom, usage_scenario=usage_scenario, created_by=actor,
    )
    sla.clocks_for_request_created(request=request, actor=actor)
    return request


EDITABLE_FIELDS = ("summary", "symptom", "usage_scenario", "contact_name", "contact_phone", "type", "channel",
                   "site", "equipment", "product_model", "contact")


@transaction.atomic
def request_update(*, actor: Any, request: ServiceRequest, values: dict[str, Any],
                   expected_version: int | None = None) -> ServiceRequest:
    require(actor, EDIT_REQUESTS)
    values = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
    _check_belongs(request.customer, values.get("site"), values.get("equipment"), values.get("contact"))
    old_site_id = request.site_id
    if "site" in values:
        site = values["site"]
        values["province_id"] = site.province_id if site else None
        values["city_id"] = site.city_id if site else None
    core.save_changes(request, actor=actor, values=values, expected_version=expected_version)
    if request.site_id != old_site_id:
        sla.clocks_on_site_changed(request=request, actor=actor)
    return request


@transaction.atomic
def request_triage(*, actor: Any, request: ServiceRequest, severity: str, fault_category: FaultCategory | None = None,
                   expected_version: int | None = None, reason: str = "") -> ServiceRequest:
    """Set severity and fault category; from `new` this is the triage step, later it is a re-triage."""
    require(actor, TRIAGE_REQUESTS)
    if not severity:
        raise SeverityRequired()
    if request.state != RequestState.NEW:
        # Re-triage an open request: a change of severity, not a state change.
        if request.state not in (RequestState.TRIAGED, RequestState.DISPATCHED, RequestState.IN_PROGRESS,
                                 RequestState.WAITING):
            REQUEST_MACHINE.target("triage", request.state)
        old_severity = request.severity
        core.save_changes(request, actor=actor, values={"severity": severity, "fault_category": fault_category},
                          expected_version=expected_version, verb="retriaged", reason=reason)
        if request.severity != old_severity:
            sla.clocks_on_triage(request=request, actor=actor, reason=reason, first=False)
        return request
    core.transition(request, machine=REQUEST_MACHINE, action="triage", actor=actor,
                    values={"severity": severity, "fault_category": fault_category,
                            "triaged_at": timezone.now()},
                    expected_version=expected_version, reason=reason)
    sla.clocks_on_triage(request=request, actor=actor, reason=reason, first=True)
    return request


def _move(request: ServiceRequest, action: str, *, actor: Any, values: dict[str, Any] | None = None,
          expected_version: int | None = None, reason: str = "") -> ServiceRequest:
    return core.transition(request, machine=REQUEST_MACHINE, action=action, actor=actor, values=values,
                           expected_version=expected_version, reason=reason)


@transaction.atomic
def request_wait(*, actor: Any, request: ServiceRequest, reason: str,
                 expected_version: int | None = None) -> ServiceRequest:
    """Waiting on the customer (parts approval, access to the site); the resolution clock pauses."""
    require(actor, PROGRESS_REQUESTS)
    if not reason.strip():
        raise ReasonRequired()
    _move(request, "wait", actor=actor, expected_version=expected_version, reason=reason)
    sla.clocks_on_wait(request=request, actor=actor, reason=reason)
    return request


@transaction.atomic
def request_resume(*, actor: Any, request: ServiceRequest, reason: str = "",
                   expected_version: int | None = None) -> ServiceRequest:
    require(actor, PROGRESS_REQUESTS)
    _move(request, "resume", actor=actor, expected_version=expected_version, reason=reason)
    sla.clocks_on_resume(request=request, actor=actor, reason=reason)
    return request


@transaction.atomic
def request_resolve(*, actor: Any, request: ServiceRequest, resolution: str,
                    expected_version: int | None = None, system: bool = False) -> ServiceRequest:
    """The problem is solved; a callback task is scheduled for an agent."""
    if not system:
        require(actor, PROGRESS_REQUESTS)
    if not resolution.strip():
        raise ResolutionRequired()
    from aftersales.fieldservice.selectors import has_active_work_orders

    if has_active_work_orders(request):
        from .error_codes import OpenWorkOrders

        raise OpenWorkOrders()
    _move(request, "resolve", actor=actor, expected_version=expected_version,
          values={"resolution": resolution, "resolved_at": timezone.now()})
    sla.clocks_on_resolved(request=request, actor=actor, at=request.resolved_at)
    from aftersales.feedback.services import callback_schedule

    callback_schedule(request=request, actor=actor)
    return request


@transaction.atomic
def request_close(*, actor: Any, request: ServiceRequest, reason: str = "",
                  expected_version: int | None = None) -> ServiceRequest:
    require(actor, PROGRESS_REQUESTS)
    return _move(request, "close", actor=actor, expected_version=expected_version, reason=reason,
                 values={"closed_at": timezone.now()})


@transaction.atomic
def request_cancel(*, actor: Any, request: ServiceRequest, reason: str,
                   expected_version: int | None = None) -> ServiceRequest:
    """Close a request that needs no work (a duplicate, a mistaken call); only before any work order is out."""
    require(actor, PROGRESS_REQUESTS)
    if not reason.strip():
        raise ReasonRequired()
    from aftersales.fieldservice.selectors import has_active_work_orders

    if has_active_work_orders(request):
        from .error_codes import OpenWorkOrders

        raise OpenWorkOrders()
    _move(request, "cancel", actor=actor, expected_version=expected_version, reason=reason,
          values={"closed_at": timezone.now(), "resolution": reason})
    sla.clocks_on_closed(request=request, actor=actor, at=request.closed_at, reason=reason)
    return request


def reopen_deadline(request: ServiceRequest) -> dt.datetime | None:
    ended = request.closed_at or request.resolved_at
    return ended + dt.timedelta(days=settings.AFTERSALES_REOPEN_DAYS) if ended else None


@transaction.atomic
def request_reopen(*, actor: Any, request: ServiceRequest, reason: str, expected_version: int | None = None,
                   system: bool = False) -> ServiceRequest:
    """The problem came back: reopen within the configured period (AFTERSALES_REOPEN_DAYS)."""
    if not system:
        require(actor, PROGRESS_REQUESTS)
    if not reason.strip():
        raise ReasonRequired()
    REQUEST_MACHINE.target("reopen", request.state)
    deadline = reopen_deadline(request)
    if deadline is not None and timezone.now() > deadline:
        raise ReopenPeriodOver(days=settings.AFTERSALES_REOPEN_DAYS)
    _move(request, "reopen", actor=actor, expected_version=expected_version, reason=reason,
          values={"reopen_count": request.reopen_count + 1, "resolved_at": None, "closed_at": None})
    sla.clocks_on_reopened(request=request, actor=actor)
    return request


@transaction.atomic
def request_record_contact(*, actor: Any, request: ServiceRequest, at: dt.datetime | None = None,
                           note: str = "") -> ServiceRequest:
    """We reached the customer about the request (a call back, a message): the first-contact clock stops."""
    require(actor, PROGRESS_REQUESTS)
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        from aftersales.sla.error_codes import TimeInFuture

        raise TimeInFuture()
    if request.state not in OPEN_STATES:
        from aftersales.core.errors import InvalidTransition

        raise InvalidTransition()
    from aftersales.core import audit

    audit.record(actor=actor, instance=request, action="update", verb="contacted", reason=note[:300],
                 changes={"contacted_at": [None, at.isoformat()]})
    sla.clocks_on_first_contact(request=request, actor=actor, at=at)
    return request


# Called by field service when work is dispatched or starts; the request follows its work orders.

def request_mark_dispatched(*, actor: Any, request: ServiceRequest) -> None:
    if REQUEST_MACHINE.can("dispatch", request.state):
        _move(request, "dispatch", actor=actor)


def request_mark_undispatched(*, actor: Any, request: ServiceRequest) -> None:
    if REQUEST_MACHINE.can("undispatch", request.state):
        _move(request, "undispatch", actor=actor)


def request_mark_started(*, actor: Any, request: ServiceRequest) -> None:
    if REQUEST_MACHINE.can("start", request.state):
        _move(request, "start", actor=actor)


@transaction.atomic
def fault_category_create(*, actor: Any, code: str, name: str, name_en: str = "",
                          parent: FaultCategory | None = None) -> FaultCategory:
    # `parent=` of core.create is the audit parent; the tree link is parent_id.
    return core.create(FaultCategory, actor=actor, code=code, name=name, name_en=name_en,
                       parent_id=parent.pk if parent else None)
