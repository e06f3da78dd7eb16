"""Service-level rules of return for repair (C7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from aftersales.core.errors import InvalidTransition, PermissionDenied
from aftersales.core.testing import PNG_1PX, make_customer, make_equipment, make_user
from aftersales.inventory.models import StockBalance, StockMove
from aftersales.notifications.models import OutboxMessage
from aftersales.rma import error_codes as E
from aftersales.rma import selectors, services
from aftersales.rma.models import CustomerNotice, RmaCase, RmaChase, RmaLeftover

from .factories import make_case, make_part, make_rma_shelf, make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return make_user("rma_clerk", "rma_clerk")


def _shipped(clerk, kind="warranty", leftovers=None, shipped_on=None):
    case = make_case(actor=clerk, kind=kind)
    services.rma_test(actor=clerk, case=case, result="product_fault", notes="主板烧毁")
    services.rma_hand_over(actor=clerk, case=case)
    services.rma_ship(actor=clerk, case=case, vendor=make_vendor(), carrier="顺丰", tracking_number="SF123",
                      shipped_on=shipped_on or timezone.localdate(), leftovers=leftovers or [])
    return case


def test_register_numbers_and_takes_serial_from_the_unit(clerk):
    case = make_case(actor=clerk)
    assert case.number.startswith(f"RMA-{timezone.localdate().year}-")
    assert case.serial == case.equipment.serial
    assert case.state == "registered"
    assert case.province_id == case.equipment.site.province_id


def test_register_refuses_missing_serial_and_foreign_equipment(clerk):
    customer = make_customer("别的客户")
    with pytest.raises(E.SerialRequired):
        services.rma_register(actor=clerk, customer=customer, serial=" ", item_description="板", fault="坏",
                              kind="warranty", brought_by="客户")
    with pytest.raises(E.NotOfCustomer):
        services.rma_register(actor=clerk, customer=customer, equipment=make_equipment(), serial="X",
                              item_description="板", fault="坏", kind="warranty", brought_by="客户")
    with pytest.raises(E.KindInvalid):
        services.rma_register(actor=clerk, customer=customer, serial="X", item_description="板", fault="坏",
                              kind="gift", brought_by="客户")
    assert RmaCase.objects.count() == 0


def test_register_needs_the_permission():
    with pytest.raises(PermissionDenied):
        make_case(actor=make_user("finance"))


def test_full_journey_with_leftovers_and_signed_return(clerk):
    shelf = make_rma_shelf()
    part = make_part()
    case = _shipped(clerk, leftovers=[{"part": part, "quantity": "2"}, {"description": "外壳螺丝一袋", "quantity": 1}])
    balance = StockBalance.objects.get(part=part, location=shelf)
    assert balance.on_hand == Decimal("2")
    assert StockMove.objects.get(part=part, kind="return").reference == case.number
    assert case.next_chase_on == timezone.localdate() + dt.timedelta(days=7)
    services.rma_receive(actor=clerk, case=case, received_on=timezone.localdate(), vendor_report="更换主板")
    services.rma_retest(actor=clerk, case=case, result="repaired")
    with pytest.raises(E.AlreadyRepaired):
        services.rma_ship(actor=clerk, case=case, vendor=case.vendor, carrier="顺丰", tracking_number="2",
                          shipped_on=timezone.localdate())
    services.rma_return(actor=clerk, case=case, signer_name="王经理", signature_data_url=PNG_1PX)
    case.refresh_from_db()
    assert case.state == "returned" and case.signature and case.closed_at
    balance.refresh_from_db()
    assert balance.on_hand == 0
    assert StockMove.objects.get(part=part, kind="issue").reference == case.number
    assert RmaLeftover.objects.filter(case=case, released_at__isnull=True).count() == 0


def test_out_of_order_actions_are_refused(clerk):
    case = make_case(actor=clerk)
    with pytest.raises(InvalidTransition):
        services.rma_receive(actor=clerk, case=case, received_on=timezone.localdate())
    with pytest.raises(InvalidTransition):
        services.rma_ship(actor=clerk, case=case, vendor=make_vendor(), carrier="顺丰", tracking_number="1",
                          shipped_on=timezone.localdate())
    case.refresh_from_db()
    assert case.state == "registered"


def test_misuse_needs_the_customers_decision(clerk):
    case = make_case(actor=clerk)
    with pytest.raises(E.MisuseDecisionRequired):
        services.rma_test(actor=clerk, case=case, result="misuse")
    services.rma_test(actor=clerk, case=case, result="misuse", misuse_decision="paid_repair", notes="进水")
    case.refresh_from_db()
    assert case.kind == "paid" and case.state == "tested"


def test_misuse_returned_as_is_cannot_go_to_the_vendor_but_goes_back(clerk):
    case = make_case(actor=clerk)
    services.rma_test(actor=clerk, case=case, result="misuse", misuse_decision="return_as_is")
    with pytest.raises(E.NotForVendor):
        services.rma_hand_over(actor=clerk, case=case)
    services.rma_return(actor=clerk, case=case, signer_name="客户", signature_data_url=PNG_1PX)
    assert case.state == "returned"


def test_product_fault_cannot_skip_the_vendor(clerk):
    case = make_case(actor=clerk)
    services.rma_test(actor=clerk, case=case, result="product_fault")
    with pytest.raises(InvalidTransition):
        services.rma_return(actor=clerk, case=case, signer_name="客户", signature_data_url=PNG_1PX)


def test_ship_refuses_bad_vendor_missing_tracking_and_leaves_nothing(clerk):
    make_rma_shelf()
    part = make_part()
    case = make_case(actor=clerk)
    services.rma_test(actor=clerk, case=case, result="product_fault")
    services.rma_hand_over(actor=clerk, case=case)
    with pytest.raises(E.VendorInvalid):
        services.rma_ship(actor=clerk, case=case, vendor=make_vendor(repairs=False), carrier="顺丰",
                          tracking_number="1", shipped_on=timezone.localdate())
    with pytest.raises(E.ShipmentIncomplete):
        services.rma_ship(actor=clerk, case=case, vendor=make_vendor(), carrier="顺丰", tracking_number="",
                          shipped_on=timezone.localdate())
    with pytest.raises(E.DateInvalid):
        services.rma_ship(actor=clerk, case=case, vendor=make_vendor(), carrier="顺丰", tracking_number="1",
                          shipped_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(E.LeftoverInvalid):
        services.rma_ship(actor=clerk, case=case, vendor=make_vendor(), carrier="顺丰", tracking_number="1",
                          shipped_on=timezone.localdate(), leftovers=[{"part": part, "quantity": "-1"}])
    case.refresh_from_db()
    assert case.state == "with_clerk" and not StockMove.objects.exists() and not RmaLeftover.objects.exists()


def test_leftover_parts_need_an_rma_shelf(clerk):
    case = make_case(actor=clerk)
    services.rma_test(actor=clerk, case=case, result="product_fault")
    services.rma_hand_over(actor=clerk, case=case)
    with pytest.raises(E.RmaShelfMissing):
        services.rma_ship(actor=clerk, case=case, vendor=make_vendor(), carrier="顺丰", tracking_number="1",
                          shipped_on=timezone.localdate(), leftovers=[{"part": make_part(), "quantity": 1}])


def test_scrap_records_the_choice_and_disposes_of_the_leftovers(clerk):
    shelf = make_rma_shelf()
    part = make_part()
    case = _shipped(clerk, leftovers=[{"part": part, "quantity": 1}])
    services.rma_receive(actor=clerk, case=case, received_on=timezone.localdate())
    services.rma_retest(actor=clerk, case=case, result="failed")
    with pytest.raises(E.ScrapChoiceRequired):
        services.rma_scrap(actor=clerk, case=case, choice="")
    services.rma_scrap(actor=clerk, case=case, choice="company_disposes", notes="厂家判定报废")
    case.refresh_from_db()
    assert case.state == "scrapped" and case.scrap_choice == "company_disposes"
    assert StockMove.objects.filter(kind="scrap", reference=case.number).count() == 1
    assert StockBalance.objects.get(part=part, location=shelf).on_hand == 0


def test_failed_retest_may_go_back_to_the_vendor(clerk):
    case = _shipped(clerk, kind="exchange")
    services.rma_receive(actor=clerk, case=case, received_on=timezone.localdate())
    services.rma_retest(actor=clerk, case=case, result="failed")
    services.rma_ship(actor=clerk, case=case, vendor=case.vendor, carrier="德邦", tracking_number="DB9",
                      shipped_on=timezone.localdate())
    case.refresh_from_db()
    assert case.state == "at_vendor" and case.received_on is None


def test_handling_needs_the_clerk(clerk):
    case = make_case(actor=clerk)
    with pytest.raises(PermissionDenied):
        services.rma_test(actor=make_user("agent"), case=case, result="product_fault")


def test_reminder_sweep_every_two_days_for_exchanges_weekly_for_warranty_and_idempotent(clerk):
    today = timezone.localdate()
    exchange = _shipped(clerk, kind="exchange")
    warranty = _shipped(clerk, kind="warranty")
    assert services.rma_reminder_sweep(today=today + dt.timedelta(days=1)) == {"reminders": 0, "notices": 0}
    result = services.rma_reminder_sweep(today=today + dt.timedelta(days=2))
    assert result["reminders"] == 1
    assert services.rma_reminder_sweep(today=today + dt.timedelta(days=2))["reminders"] == 0
    assert RmaChase.objects.filter(case=exchange).count() == 1
    assert not RmaChase.objects.filter(case=warranty).exists()
    exchange.refresh_from_db()
    assert exchange.next_chase_on == today + dt.timedelta(days=4)
    assert OutboxMessage.objects.filter(recipient=clerk, key__startswith=f"rma-chase:{exchange.pk}:").count() == 1
    services.rma_reminder_sweep(today=today + dt.timedelta(days=7))
    assert RmaChase.objects.filter(case=warranty).count() == 1
    # Missed days (no worker) give one reminder, and the next falls after today.
    warranty.refresh_from_db()
    assert warranty.next_chase_on == today + dt.timedelta(days=14)


def test_chase_records_the_note_on_the_open_reminder(clerk):
    today = timezone.localdate()
    with time_machine.travel(timezone.now() - dt.timedelta(days=3)):
        case = _shipped(clerk, kind="exchange")
    services.rma_reminder_sweep(today=today)
    chase = services.rma_chase(actor=clerk, case=case, note="厂家称下周三发回")
    assert chase.kind == "reminder" and chase.note and chase.chased_by == clerk
    case.refresh_from_db()
    assert case.next_chase_on == today + dt.timedelta(days=2)
    with pytest.raises(E.NoteRequired):
        services.rma_chase(actor=clerk, case=case, note=" ")
    services.rma_receive(actor=clerk, case=case, received_on=today)
    with pytest.raises(E.NotAtVendor):
        services.rma_chase(actor=clerk, case=case, note="x")


def test_customer_notice_after_14_days_once_in_the_customers_language(clerk):
    today = timezone.localdate()
    with time_machine.travel(timezone.now() - dt.timedelta(days=20)):
        case = _shipped(clerk)
    case.customer.language = "en"
    case.customer.save()
    services.rma_reminder_sweep(today=today)
    services.rma_reminder_sweep(today=today)
    notice = CustomerNotice.objects.get(case=case)
    assert notice.language == "en" and case.number in notice.message and "manufacturer" in notice.message
    agent = make_user("agent")
    assert list(selectors.open_notices(agent)) == [notice]
    services.notice_mark_sent(actor=agent, notice=notice, note="电话告知")
    assert list(selectors.open_notices(agent)) == []
    with pytest.raises(E.NoticeAlreadySent):
        services.notice_mark_sent(actor=agent, notice=notice)


def test_no_notice_within_14_days(clerk):
    with time_machine.travel(timezone.now() - dt.timedelta(days=14)):
        _shipped(clerk)
    assert services.rma_reminder_sweep()["notices"] == 0


def test_vendor_stats_and_ageing(clerk):
    today = timezone.localdate()
    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        slow = _shipped(clerk)
        fast = _shipped(clerk)
    vendor = slow.vendor
    fast.vendor = vendor
    fast.save()
    services.rma_receive(actor=clerk, case=fast, received_on=today - dt.timedelta(days=20))
    services.rma_receive(actor=clerk, case=slow, received_on=today)
    _shipped(clerk)  # another vendor, still away
    stats = {row["vendor_id"]: row for row in selectors.vendor_stats(clerk)}
    row = stats[vendor.pk]
    assert (row["shipped"], row["returned"], row["over_14"]) == (2, 2, 1)
    assert row["median_days"] == 20 and row["average_days"] == 20.0
    cases = selectors.annotate_ageing(list(selectors.case_list(clerk, state="")))
    assert {c.age_bucket for c in cases} == {"15–30", "0–7"}


def test_scoping_engineer_and_lead(clerk):
    from aftersales.core.testing import make_assigned_work_order, region_city

    engineer = make_user("engineer", region=region_city())
    work_order = make_assigned_work_order(engineer=engineer)
    mine = make_case(actor=clerk, work_order=work_order)
    other = make_case(actor=clerk)
    assert list(selectors.cases_for(engineer)) == [mine]
    lead = make_user("lead", region=mine.equipment.site.province)
    assert mine in selectors.cases_for(lead) and other in selectors.cases_for(lead)
    lead2 = make_user("lead", region=region_city("430100", "长沙市", "430000", "湖南省").province)
    assert not selectors.cases_for(lead2).exists()
    assert selectors.cases_for(make_user("finance")).count() == 0
