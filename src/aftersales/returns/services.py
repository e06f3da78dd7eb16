"""Every write to return/exchange requests and recall campaigns.

A return request is decided step by step (agent → dispatcher → on-site assessment → materials → manager). The
step's own role decides it, in order; a rejection ends the chain. The manager's approval produces, in the same
transaction, the stock entries (the returned part into stock; for an exchange, the replacement issued) and the
refund bill: if any of them is refused (not enough stock, say), the approval is not recorded either.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import services as core
from aftersales.core.money import default_currency, money
from aftersales.core.numbering import next_number
from aftersales.core.permissions import APPROVE_RETURNS, MANAGE_RECALLS, REQUEST_RETURNS, require
from aftersales.inventory import ledger

from .choices import (
    STEP_ORDER,
    STEP_ROLE,
    CampaignState,
    CompensationKind,
    Decision,
    ReturnKind,
    ReturnState,
    Step,
)
from .error_codes import (
    AssessorInvalid,
    CampaignEmpty,
    CampaignNotDraft,
    CampaignSelectionInvalid,
    ChainClosed,
    CompensationInvalid,
    ItemRequired,
    KindInvalid,
    LocationRequired,
    NotOfCustomer,
    NotTheAssessor,
    OutOfOrder,
    ReasonRequired,
    RefundInvalid,
    TitleRequired,
    WrongRole,
)
from .models import RecallCampaign, RecallCompensation, RecallUnit, ReturnApproval, ReturnRequest


def _province(customer: Any, equipment: Any, source_request: Any, work_order: Any) -> int | None:
    if equipment is not None:
        return equipment.site.province_id
    for request in (source_request, work_order.request if work_order is not None else None):
        if request is not None and request.province_id:
            return request.province_id
    site = customer.sites.order_by("id").first()
    return site.province_id if site else None


def _refund(value: Any, currency: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = money(value if not isinstance(value, float) else str(value), currency)
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise RefundInvalid() from exc
    if amount < 0 or amount >= Decimal("1e12"):
        raise RefundInvalid()
    return amount


@transaction.atomic
def return_request_create(*, actor: Any, customer: Any, kind: str, reason: str, equipment: Any = None,
                          part: Any = None, quantity: Any = 1, source_request: Any = None,
                          source_work_order: Any = None, refund_amount: Any = None) -> ReturnRequest:
    """Record a customer's return or exchange request; it waits for the agent's step first."""
    require(actor, REQUEST_RETURNS)
    if kind not in ReturnKind.values:
        raise KindInvalid()
    if not reason.strip():
        raise ReasonRequired()
    if equipment is None and part is None:
        raise ItemRequired()
    if equipment is not None and equipment.customer_id != customer.pk:
        raise NotOfCustomer(field="equipment")
    if source_request is not None and source_request.customer_id != customer.pk:
        raise NotOfCustomer(field="source_request")
    if source_work_order is not None and source_work_order.request.customer_id != customer.pk:
        raise NotOfCustomer(field="source_work_order")
    qty = ledger.parse_quantity(quantity)
    currency = default_currency()
    return core.create(
        ReturnRequest, actor=actor, parent=source_request or (source_work_order.request if source_work_order else None),
        number=next_number("RT", timezone.localtime().year), kind=kind, customer=customer, equipment=equipment,
        part=part, quantity=qty, source_request=source_request, source_work_order=source_work_order,
        reason=reason.strip(), refund_amount=_refund(refund_amount, currency), currency=currency,
        replacement_part=part if kind == ReturnKind.EXCHANGE else None,
        province_id=_province(customer, equipment, source_request, source_work_order), created_by=actor,
    )


@transaction.atomic
def return_decide(*, actor: Any, request: ReturnRequest, decision: str, reason: str = "", step: str = "",
                  assessor: Any = None, return_location: Any = None, replacement_location: Any = None,
                  expected_version: int | None = None) -> ReturnApproval:
    """Decide the current step. Wrong role → 403 `return_wrong_role`; not this step's turn → 409
    `return_out_of_order`; nothing is saved on refusal. The manager's approval completes the return."""
    require(actor, APPROVE_RETURNS)
    request = ReturnRequest.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and expected_version != request.version:
        from aftersales.core.errors import StaleVersion

        raise StaleVersion(current_version=request.version)
    role_step = next((s for s, role in STEP_ROLE.items() if role == getattr(actor, "role", "")), None)
    step = step or role_step or ""
    if step not in STEP_ROLE or STEP_ROLE[step] != getattr(actor, "role", None):
        raise WrongRole()
    if request.state != ReturnState.IN_APPROVAL:
        raise ChainClosed()
    if step != request.current_step:
        raise OutOfOrder(step_label=str(Step(request.current_step).label), step=step, current=request.current_step)
    if decision not in Decision.values:
        raise ReasonRequired(field="decision")
    if decision == Decision.REJECT and not reason.strip():
        raise ReasonRequired()
    if step == Step.ASSESSMENT and request.assessor_id and request.assessor_id != actor.pk:
        raise NotTheAssessor()
    values: dict[str, Any] = {}
    now = timezone.now()
    if decision == Decision.APPROVE:
        if step == Step.DISPATCHER and assessor is not None:
            if getattr(assessor, "role", None) != "engineer" or not assessor.is_active:
                raise AssessorInvalid()
            values["assessor"] = assessor
        if step == Step.MATERIALS and request.part_id:
            if return_location is None or (request.kind == ReturnKind.EXCHANGE and replacement_location is None):
                raise LocationRequired()
            values.update(return_location=return_location,
                          replacement_location=replacement_location if request.kind == ReturnKind.EXCHANGE else None)
    approval = ReturnApproval.objects.create(request=request, step=step, decision=decision, decided_by=actor,
                                             decided_at=now, reason=reason.strip())
    if decision == Decision.REJECT:
        values.update(state=ReturnState.REJECTED, current_step="", completed_at=now)
        core.save_changes(request, actor=actor, values=values, verb=f"{step}_rejected", reason=reason,
                          parent=request.source_request)
        return approval
    following = STEP_ORDER.index(step) + 1
    if following < len(STEP_ORDER):
        values["current_step"] = STEP_ORDER[following]
        core.save_changes(request, actor=actor, values=values, verb=f"{step}_approved", reason=reason,
                          parent=request.source_request)
        return approval
    values.update(_complete(actor, request))
    values.update(state=ReturnState.APPROVED, current_step="", completed_at=now)
    core.save_changes(request, actor=actor, values=values, verb="approved", reason=reason,
                      parent=request.source_request)
    return approval


def _complete(actor: Any, request: ReturnRequest) -> dict[str, Any]:
    """The stock and billing entries of an approved return (inside the approving transaction)."""
    values: dict[str, Any] = {}
    label = _("Return %(number)s") % {"number": request.number}
    if request.part_id and request.return_location_id:
        values["return_move"] = ledger.return_to_stock(
            actor=actor, part=request.part, quantity=request.quantity, location=request.return_location,
            reference=request.number, reason=label, work_order=request.source_work_order, audit_parent=request)
    if request.kind == ReturnKind.EXCHANGE and request.replacement_part_id and request.replacement_location_id:
        values["issue_move"] = ledger.issue(
            actor=actor, part=request.replacement_part, quantity=request.quantity,
            location=request.replacement_location, reference=request.number,
            reason=_("Exchange %(number)s") % {"number": request.number}, work_order=request.source_work_order,
            audit_parent=request)
    if request.refund_amount:
        from aftersales.billing.choices import ChargeKind
        from aftersales.billing.services import bill_create

        item = request.part.name if request.part_id else (str(request.equipment) if request.equipment_id else "")
        values["bill"] = bill_create(
            actor=actor, customer=request.customer, work_order=request.source_work_order, reference=request.number,
            currency=request.currency, parent=request,
            lines=[{"kind": ChargeKind.REFUND, "description": f"{label} {item}".strip(), "quantity": 1,
                    "unit_price": -request.refund_amount}])
    return values


# Recalls ---------------------------------------------------------------------------------------------------------

_CHUNKS = re.compile(r"(\d+)")


def serial_key(serial: str) -> tuple[Any, ...]:
    """A serial compared sensibly: letters as text (case-insensitive), digit runs as numbers, so that
    CH-2023-99 < CH-2023-100 and 'ab-7' == 'AB-007'."""
    parts = _CHUNKS.split((serial or "").strip().upper())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")


def in_range(serial: str, low: str, high: str) -> bool:
    key = serial_key(serial)
    return (not low or serial_key(low) <= key) and (not high or key <= serial_key(high))


def _check_selection(product_model: Any, serial_from: str, serial_to: str, batch: str) -> None:
    if product_model is None or not (serial_from or serial_to or batch):
        raise CampaignSelectionInvalid()
    if serial_from and serial_to and serial_key(serial_from) > serial_key(serial_to):
        raise CampaignSelectionInvalid()


@transaction.atomic
def campaign_create(*, actor: Any, title: str, product_model: Any, serial_from: str = "", serial_to: str = "",
                    production_batch: str = "", description: str = "") -> RecallCampaign:
    require(actor, MANAGE_RECALLS)
    if not title.strip():
        raise TitleRequired()
    serial_from, serial_to, batch = serial_from.strip(), serial_to.strip(), production_batch.strip()
    _check_selection(product_model, serial_from, serial_to, batch)
    return core.create(RecallCampaign, actor=actor, number=next_number("RCL", timezone.localtime().year),
                       title=title.strip()[:200], description=description, product_model=product_model,
                       serial_from=serial_from[:60], serial_to=serial_to[:60], production_batch=batch[:40],
                       created_by=actor)


def campaign_selection(campaign: RecallCampaign) -> list[Any]:
    """The units the campaign covers: its model's units whose serial lies in the range, and/or of its batch."""
    from aftersales.customers.models import Equipment

    qs = Equipment.objects.filter(product_model_id=campaign.product_model_id).select_related(
        "customer", "site", "site__province", "site__city")
    if campaign.production_batch:
        qs = qs.filter(production_batch__iexact=campaign.production_batch)
    units = list(qs.order_by("serial", "id"))
    if campaign.serial_from or campaign.serial_to:
        units = [u for u in units if in_range(u.serial, campaign.serial_from, campaign.serial_to)]
    return sorted(units, key=lambda u: serial_key(u.serial))


@transaction.atomic
def campaign_launch(*, actor: Any, campaign: RecallCampaign, expected_version: int | None = None) -> RecallCampaign:
    """Make one service request (the campaign in its summary), triage it, and one work order per unit."""
    from aftersales.contracts.choices import ServiceClass
    from aftersales.contracts.services import work_order_set_service_class
    from aftersales.fieldservice import services as field
    from aftersales.servicedesk import services as desk
    from aftersales.servicedesk.choices import Severity

    require(actor, MANAGE_RECALLS)
    campaign = RecallCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != CampaignState.DRAFT:
        raise CampaignNotDraft()
    units = campaign_selection(campaign)
    if not units:
        raise CampaignEmpty()
    summary = f"[{campaign.number}] {campaign.title}"[:200]
    for unit in units:
        request = desk.request_create(actor=actor, customer=unit.customer, equipment=unit, summary=summary,
                                      symptom=campaign.description)
        desk.request_triage(actor=actor, request=request, severity=Severity.IMPORTANT,
                            reason=campaign.number)
        work_order = field.work_order_create(actor=actor, request=request, instructions=campaign.description)
        if work_order.service_class != ServiceClass.INTERNAL:
            # A recall is at the company's cost: never a paid job for the customer (and no quote to approve).
            work_order_set_service_class(actor=actor, work_order=work_order, service_class=ServiceClass.INTERNAL,
                                         reason=_("Recall campaign %(number)s") % {"number": campaign.number})
        core.create(RecallUnit, actor=actor, parent=campaign, campaign=campaign, equipment=unit,
                    customer=unit.customer, site=unit.site, province_id=unit.site.province_id, request=request,
                    work_order=work_order)
    return core.save_changes(campaign, actor=actor, expected_version=expected_version, verb="launched",
                             values={"state": CampaignState.LAUNCHED, "launched_at": timezone.now()})


@transaction.atomic
def compensation_record(*, actor: Any, unit: RecallUnit, kind: str, amount: Any = None,
                        description: str = "") -> RecallCompensation:
    """Record what the customer got for a recalled unit; money becomes a COMPENSATION bill line."""
    require(actor, MANAGE_RECALLS)
    if kind not in CompensationKind.values:
        raise CompensationInvalid()
    description = description.strip()
    bill = None
    value = None
    if kind == CompensationKind.MONEY:
        try:
            value = money(amount if not isinstance(amount, float) else str(amount))
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise CompensationInvalid() from exc
        if value <= 0 or value >= Decimal("1e10"):
            raise CompensationInvalid()
        from aftersales.billing.choices import ChargeKind
        from aftersales.billing.services import bill_create

        campaign = unit.campaign
        bill = bill_create(actor=actor, customer=unit.customer, work_order=unit.work_order,
                           reference=campaign.number, parent=campaign,
                           lines=[{"kind": ChargeKind.COMPENSATION, "quantity": 1, "unit_price": -value,
                                   "description": (description or f"{campaign.number} {campaign.title}")[:200]}])
    elif not description:
        raise CompensationInvalid()
    return core.create(RecallCompensation, actor=actor, parent=unit.campaign, unit=unit, kind=kind, amount=value,
                       description=description[:200], bill=bill, given_by=actor)
