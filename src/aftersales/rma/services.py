"""Every write to RMA cases: register, test, hand over, ship (with leftover parts kept on the RMA shelf), receive,
retest, return with the customer's signature or scrap with his choice, chase the vendor, tell the customer.

Design of misuse: the test records product fault or misuse. On misuse the customer decides: a paid repair (the
case becomes a paid repair and goes on to the clerk and the vendor like any other) or return as is (the case
can only go back to the customer, or be scrapped at his choice). See docs in the RMA README of the report.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.core import audit
from aftersales.core import services as core
from aftersales.core.numbering import next_number
from aftersales.core.permissions import HANDLE_RMA, REGISTER_RMA, require
from aftersales.core.uploads import store_signature
from aftersales.inventory import ledger
from aftersales.inventory.choices import LocationKind
from aftersales.inventory.models import Part, StockLocation

from .choices import (
    CHASE_EVERY_DAYS,
    CUSTOMER_NOTICE_AFTER_DAYS,
    RMA_MACHINE,
    ChaseKind,
    MisuseDecision,
    RetestResult,
    RmaKind,
    RmaState,
    ScrapChoice,
    TestResult,
)
from .error_codes import (
    AlreadyRepaired,
    DateInvalid,
    DescriptionRequired,
    KindInvalid,
    LeftoverInvalid,
    MisuseDecisionRequired,
    NotAtVendor,
    NoteRequired,
    NotForVendor,
    NoticeAlreadySent,
    NotOfCustomer,
    RetestResultRequired,
    RmaShelfMissing,
    ScrapChoiceRequired,
    SerialRequired,
    ShipmentIncomplete,
    SignatureRequired,
    TestResultRequired,
    VendorInvalid,
)
from .models import CustomerNotice, RmaCase, RmaChase, RmaLeftover


def _locked(case: RmaCase) -> RmaCase:
    """Re-read the case under a row lock so two clerks cannot both move it from the same state."""
    fresh = RmaCase.objects.select_for_update().get(pk=case.pk)
    case.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return case


def _province_for(customer: Any, equipment: Any, work_order: Any) -> int | None:
    if equipment is not None:
        return equipment.site.province_id
    if work_order is not None and work_order.request.province_id:
        return work_order.request.province_id
    site = customer.sites.order_by("id").first()
    return site.province_id if site else None


@transaction.atomic
def rma_register(*, actor: Any, customer: Any, serial: str, item_description: str, fault: str, kind: str,
                 brought_by: str, equipment: Any = None, source_work_order: Any = None) -> RmaCase:
    """Register an item a customer or an engineer brought back (a visit outcome "taken back", or a walk-in)."""
    require(actor, REGISTER_RMA)
    serial, item_description, fault = serial.strip(), item_description.strip(), fault.strip()
    if not serial and equipment is not None:
        serial = equipment.serial
    if not serial:
        raise SerialRequired()
    if not item_description or not fault or not brought_by.strip():
        raise DescriptionRequired()
    if kind not in RmaKind.values:
        raise KindInvalid()
    if equipment is not None and equipment.customer_id != customer.pk:
        raise NotOfCustomer(field="equipment")
    if source_work_order is not None and source_work_order.request.customer_id != customer.pk:
        raise NotOfCustomer(field="source_work_order")
    now = timezone.now()
    return core.create(
        RmaCase, actor=actor, parent=source_work_order.request if source_work_order else None,
        number=next_number("RMA", timezone.localtime(now).year), kind=kind, customer=customer, equipment=equipment,
        serial=serial[:60], item_description=item_description[:200], fault=fault, brought_by=brought_by.strip()[:60],
        source_work_order=source_work_order, registered_by=actor,
        province_id=_province_for(customer, equipment, source_work_order),
    )


def _move(case: RmaCase, action: str, *, actor: Any, values: dict[str, Any] | None = None,
          expected_version: int | None = None, reason: str = "") -> RmaCase:
    return core.transition(case, machine=RMA_MACHINE, action=action, actor=actor, values=values,
                           expected_version=expected_version, reason=reason)


@transaction.atomic
def rma_test(*, actor: Any, case: RmaCase, result: str, notes: str = "", misuse_decision: str = "",
             expected_version: int | None = None) -> RmaCase:
    """Record the incoming test. Misuse needs the customer's decision; a paid repair changes the case's kind."""
    require(actor, HANDLE_RMA)
    _locked(case)
    RMA_MACHINE.target("test", case.state)
    if result not in TestResult.values:
        raise TestResultRequired()
    values: dict[str, Any] = {"test_result": result, "test_notes": notes, "tested_at": timezone.now(),
                              "misuse_decision": ""}
    if result == TestResult.MISUSE:
        if misuse_decision not in MisuseDecision.values:
            raise MisuseDecisionRequired()
        values["misuse_decision"] = misuse_decision
        if misuse_decision == MisuseDecision.PAID_REPAIR:
            values["kind"] = RmaKind.PAID
    return _move(case, "test", actor=actor, values=values, expected_version=expected_version, reason=notes)


@transaction.atomic
def rma_hand_over(*, actor: Any, case: RmaCase, expected_version: int | None = None) -> RmaCase:
    """The tested item goes to the RMA clerk's shelf, to be sent to a vendor."""
    require(actor, HANDLE_RMA)
    _locked(case)
    RMA_MACHINE.target("hand_over", case.state)
    if case.misuse_decision == MisuseDecision.RETURN_AS_IS:
        raise NotForVendor()
    return _move(case, "hand_over", actor=actor, values={"handed_over_at": timezone.now()},
                 expected_version=expected_version)


def rma_shelf() -> StockLocation | None:
    return StockLocation.objects.filter(kind=LocationKind.RMA, is_active=True).order_by("id").first()


def _parse_leftovers(leftovers: list[dict[str, Any]]) -> list[tuple[Part | None, str, Decimal]]:
    parsed = []
    for spec in leftovers:
        part = spec.get("part")
        if part is not None and not isinstance(part, Part):
            part = Part.objects.filter(pk=part, is_active=True).first()
            if part is None:
                raise LeftoverInvalid(field="part")
        description = (spec.get("description") or "").strip()
        if part is None and not description:
            raise LeftoverInvalid()
        try:
            qty = ledger.parse_quantity(spec.get("quantity", 1))
        except Exception as exc:
            raise LeftoverInvalid(field="quantity") from exc
        parsed.append((part, description[:200], qty))
    return parsed


@transaction.atomic
def rma_ship(*, actor: Any, case: RmaCase, vendor: Any, carrier: str, tracking_number: str, shipped_on: dt.date,
             leftovers: list[dict[str, Any]] | None = None, location: StockLocation | None = None,
             expected_version: int | None = None) -> RmaCase:
    """Send the item to a repairing vendor. Parts that stay behind are kept on the RMA shelf, labelled with the
    RMA number (catalogue parts as stock moves with `reference` = the number; others as described items)."""
    require(actor, HANDLE_RMA)
    _locked(case)
    RMA_MACHINE.target("ship", case.state)
    if case.state == RmaState.RETESTED and case.retest_result != RetestResult.FAILED:
        raise AlreadyRepaired()
    if vendor is None or not vendor.repairs_items or not vendor.is_active:
        raise VendorInvalid()
    if not carrier.strip() or not tracking_number.strip() or shipped_on is None:
        raise ShipmentIncomplete()
    if shipped_on > timezone.localdate() or shipped_on < timezone.localtime(case.created_at).date():
        raise DateInvalid()
    parsed = _parse_leftovers(leftovers or [])
    shelf = location or rma_shelf()
    if any(part is not None for part, _d, _q in parsed) and (shelf is None or shelf.kind != LocationKind.RMA):
        raise RmaShelfMissing()
    values = {"vendor": vendor, "carrier": carrier.strip()[:60], "tracking_number": tracking_number.strip()[:60],
              "shipped_on": shipped_on, "first_shipped_on": case.first_shipped_on or shipped_on,
              "received_on": None, "next_chase_on": shipped_on + dt.timedelta(days=CHASE_EVERY_DAYS[case.kind])}
    _move(case, "ship", actor=actor, values=values, expected_version=expected_version)
    for part, description, qty in parsed:
        move = None
        if part is not None:
            move = ledger.return_to_stock(actor=actor, part=part, quantity=qty, location=shelf,
                                          reference=case.number, reason=_("Left behind when %(n)s was shipped") % {
                                              "n": case.number}, audit_parent=case)
        core.create(RmaLeftover, actor=actor, parent=case, case=case, part=part, description=description,
                    quantity=qty, location=shelf if part is not None else None, stock_move=move)
    return case


@transaction.atomic
def rma_receive(*, actor: Any, case: RmaCase, received_on: dt.date, vendor_report: str = "",
                expected_version: int | None = None) -> RmaCase:
    """The vendor sent the item back; chasing stops."""
    require(actor, HANDLE_RMA)
    _locked(case)
    RMA_MACHINE.target("receive", case.state)
    if received_on is None or received_on > timezone.localdate() or received_on < case.shipped_on:
        raise DateInvalid()
    return _move(case, "receive", actor=actor, expected_version=expected_version,
                 values={"received_on": received_on, "vendor_report": vendor_report, "next_chase_on": None})


@transaction.atomic
def rma_retest(*, actor: Any, case: RmaCase, result: str, notes: str = "",
               expected_version: int | None = None) -> RmaCase:
    require(actor, HANDLE_RMA)
    _locked(case)
    RMA_MACHINE.target("retest", case.state)
    if result not in RetestResult.values:
        raise RetestResultRequired()
    return _move(case, "retest", actor=actor, values={"retest_result": result, "retest_notes": notes},
                 expected_version=expected_version, reason=notes)


def _release_leftovers(case: RmaCase, *, actor: Any, scrap: bool = False) -> None:
    """The leftover parts leave the RMA shelf with the item (issued), or are scrapped with it."""
    now = timezone.now()
    for leftover in case.leftovers.select_related("part", "location").filter(released_at__isnull=True):
        move = None
        if leftover.part_id and leftover.location_id:
            op = ledger.scrap if scrap else ledger.issue
            move = op(actor=actor, part=leftover.part, quantity=leftover.quantity, location=leftover.location,
                      reference=case.number, reason=_("Released with %(n)s") % {"n": case.number}, audit_parent=case)
        leftover.release_move = move
        leftover.released_at = now
        leftover.save(update_fields=["release_move", "released_at", "updated_at"])


@transaction.atomic
def rma_return(*, actor: Any, case: RmaCase, signer_name: str, signature_data_url: str, notes: str = "",
               expected_version: int | None = None) -> RmaCase:
    """Give the item back to the customer, who signs the receipt; the leftover parts go with it."""
    require(actor, HANDLE_RMA)
    _locked(case)
    RMA_MACHINE.target("return", case.state)
    if case.state == RmaState.TESTED and case.misuse_decision != MisuseDecision.RETURN_AS_IS:
        # Straight back after the test only for misuse the customer will not pay for.
        RMA_MACHINE.target("return", RmaState.WITH_CLERK)
    if not signer_name.strip() or not signature_data_url:
        raise SignatureRequired()
    stored = store_signature(signature_data_url)
    _release_leftovers(case, actor=actor)
    return _move(case, "return", actor=actor, expected_version=expected_version, reason=notes,
                 values={"signer_name": signer_name.strip()[:60], "signature": stored.name,
                         "signed_at": timezone.now(), "closed_at": timezone.now(), "closing_notes": notes,
                         "next_chase_on": None})


@transaction.atomic
def rma_scrap(*, actor: Any, case: RmaCase, choice: str, notes: str = "",
              expected_version: int | None = None) -> RmaCase:
    """Scrap the item, recording the customer's choice: the scrap goes back to him or the company disposes of it
    (then the leftover parts are scrapped too; otherwise they go back with the scrap)."""
    require(actor, HANDLE_RMA)
    _locked(case)
    RMA_MACHINE.target("scrap", case.state)
    if choice not in ScrapChoice.values:
        raise ScrapChoiceRequired()
    _release_leftovers(case, actor=actor, scrap=choice == ScrapChoice.COMPANY_DISPOSES)
    return _move(case, "scrap", actor=actor, expected_version=expected_version, reason=notes,
                 values={"scrap_choice": choice, "closed_at": timezone.now(), "closing_notes": notes,
                         "next_chase_on": None})


@transaction.atomic
def rma_chase(*, actor: Any, case: RmaCase, note: str, next_on: dt.date | None = None) -> RmaChase:
    """The clerk chased the vendor: the note goes on the open reminder (or a new entry), and the next reminder
    falls one interval after today (or on the day the vendor promised)."""
    require(actor, HANDLE_RMA)
    _locked(case)
    if case.state != RmaState.AT_VENDOR:
        raise NotAtVendor()
    if not note.strip():
        raise NoteRequired()
    if next_on is not None and next_on <= timezone.localdate():
        raise DateInvalid()
    now = timezone.now()
    today = timezone.localdate()
    chase = case.chases.filter(chased_at__isnull=True).order_by("-due_on").first()
    if chase is None:
        chase = RmaChase(case=case, kind=ChaseKind.MANUAL, due_on=today, created_at=now)
    chase.chased_at, chase.chased_by, chase.note = now, actor, note.strip()
    chase.save()
    case.chases.filter(chased_at__isnull=True).exclude(pk=chase.pk).update(chased_at=now, chased_by=actor,
                                                                          note=note.strip())
    core.save_changes(case, actor=actor, verb="vendor_chased", reason=note.strip()[:500],
                      values={"next_chase_on": next_on or today + dt.timedelta(days=CHASE_EVERY_DAYS[case.kind])})
    return chase


def _clerks() -> list[Any]:
    return list(get_user_model().objects.filter(role="rma_clerk", is_active=True).order_by("id"))


def notice_message(case: RmaCase) -> tuple[str, str]:
    """The message to the customer, drafted in the customer's language."""
    language = case.customer.language or "zh-hans"
    with translation.override(language):
        text = _(
            "Dear customer, your %(item)s (serial %(serial)s, our reference %(number)s) was sent to the "
            "manufacturer for repair on %(shipped)s and is still there. We are chasing the manufacturer and will "
            "tell you as soon as it is back. We apologise for the wait."
        ) % {"item": case.item_description, "serial": case.serial, "number": case.number,
             "shipped": case.first_shipped_on.isoformat() if case.first_shipped_on else ""}
    return language, text


def rma_reminder_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Due reminders to chase vendors, and customer notices for items away more than 14 days.

    Idempotent: a reminder is one row per case and due day (unique), its message has an outbox key per due day,
    and a case has at most one customer notice; running the sweep twice, or after a crash, adds nothing."""
    from aftersales.notifications.services import notify

    today = today or timezone.localdate()
    reminders = notices = 0
    due = RmaCase.objects.filter(state=RmaState.AT_VENDOR, next_chase_on__lte=today).order_by("next_chase_on", "id")
    clerks = _clerks()
    for case_id in list(due.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            case = RmaCase.objects.select_for_update(of=("self",)).select_related("vendor").get(pk=case_id)
            if case.state != RmaState.AT_VENDOR or not case.next_chase_on or case.next_chase_on > today:
                continue
            due_on = case.next_chase_on
            _chase, created = RmaChase.objects.get_or_create(
                case=case, kind=ChaseKind.REMINDER, due_on=due_on, defaults={"created_at": timezone.now()})
            step = dt.timedelta(days=CHASE_EVERY_DAYS[case.kind])
            following = due_on + step
            while following <= today:
                following += step
            core.save_changes(case, actor=None, verb="chase_due", values={"next_chase_on": following})
            reminders += int(created)
            vendor = case.vendor.name if case.vendor_id else ""
            notify(event_key=f"rma-chase:{case.pk}:{due_on.isoformat()}", recipients=clerks,
                   subject=lambda c=case: _("Chase the vendor for %(n)s") % {"n": c.number},
                   body=lambda c=case, v=vendor: _(
                       "%(n)s (%(item)s) has been at %(vendor)s since %(since)s. Ask for news and note it.") % {
                       "n": c.number, "item": c.item_description, "vendor": v, "since": c.first_shipped_on},
                   url=reverse("rma:detail", args=[case.pk]))
    limit = today - dt.timedelta(days=CUSTOMER_NOTICE_AFTER_DAYS)
    late = RmaCase.objects.filter(state=RmaState.AT_VENDOR, first_shipped_on__lt=limit,
                                  customer_notice__isnull=True).select_related("customer")
    for case in list(late[:500]):
        with transaction.atomic():
            language, message = notice_message(case)
            _notice, created = CustomerNotice.objects.get_or_create(
                case=case, defaults={"language": language, "message": message, "created_at": timezone.now()})
            if created:
                notices += 1
                audit.record(actor=None, instance=case, action="event", verb="customer_notice_due")
    return {"reminders": reminders, "notices": notices}


@transaction.atomic
def notice_mark_sent(*, actor: Any, notice: CustomerNotice, note: str = "") -> CustomerNotice:
    """An agent told the customer (phone, SMS, WeChat) and marks the task done."""
    require(actor, REGISTER_RMA)
    notice = CustomerNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.sent_at is not None:
        raise NoticeAlreadySent()
    notice.sent_at, notice.sent_by, notice.sent_note = timezone.now(), actor, note.strip()[:200]
    notice.save(update_fields=["sent_at", "sent_by", "sent_note"])
    audit.record(actor=actor, instance=notice.case, action="event", verb="customer_notified", reason=note)
    return notice
