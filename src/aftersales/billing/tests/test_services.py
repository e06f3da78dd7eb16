"""Billing rules, each proven at the service level: charges, coverage, the quote gate, payment by finance only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.billing import services
from aftersales.billing.models import Bill, ChargeLine, Payment, Quote, RegionTravelClass, TravelFee
from aftersales.core.errors import DomainError, InvalidTransition, PermissionDenied
from aftersales.core.models import AuditEntry
from aftersales.core.testing import make_site, make_user, region_city

from .factories import approve_by_phone, complete, make_account, make_part, make_work_order

pytestmark = pytest.mark.django_db


def codes(exc_info) -> str:
    return exc_info.value.code


# -- hours rule and rates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "hours"), [(0, "1.00"), (10, "1.00"), (60, "1.00"), (61, "1.50"), (90, "1.50"),
                                                (91, "2.00"), (150, "2.50"), (151.5, "3.00")])
def test_hours_on_site_round_up_to_the_half_hour_with_one_hour_minimum(minutes, hours):
    start = timezone.now()
    assert services.billable_hours(start, start + dt.timedelta(minutes=minutes)) == Decimal(hours)


def test_default_rates_are_installed_by_the_migration():
    assert services.labour_rate(1, "CNY") == Decimal("80.00")
    assert services.labour_rate(5, "CNY") == Decimal("180.00")
    assert services.travel_fee(3, "CNY") == Decimal("300.00")


def test_region_class_default_rule_and_explicit_mapping():
    from aftersales.accounts.models import ServiceCenter

    wuhan = region_city()
    ServiceCenter.objects.create(code="wh", name="武汉服务中心", city=wuhan)
    yichang = region_city("420500", "宜昌市", "420000", "湖北省")
    changsha = region_city("430100", "长沙市", "430000", "湖南省")
    expected = {wuhan: 1, yichang: 2, changsha: 3}
    for city, region_class in expected.items():
        wo = make_work_order(site=make_site(city=city))
        assert services.region_class_of(wo) == region_class
    RegionTravelClass.objects.create(region=changsha.parent, region_class=2, note="长沙按省内计")
    assert services.region_class_of(make_work_order(site=make_site(city=changsha))) == 2


# -- computing a bill ---------------------------------------------------------------------------------------------

def test_class_a_bill_labour_parts_travel_and_total_is_the_sum_of_lines():
    engineer = make_user("engineer", region=region_city(), grade=3)
    wo = make_work_order(engineer=engineer)
    approve_by_phone(wo)
    part = make_part(price="125.50")
    complete(wo, minutes=95, catalogue=[(part, Decimal("2"))])
    bill = services.bill_for_work_order(actor=make_user("agent"), work_order=wo)
    lines = {line.kind: line for line in bill.lines.all()}
    assert bill.state == "draft" and bill.service_class == "A" and bill.currency == "CNY"
    assert lines["labour"].quantity == Decimal("2.00") and lines["labour"].unit_price == Decimal("120.00")
    assert lines["labour"].amount == Decimal("240.00")
    assert lines["parts"].amount == Decimal("251.00") and lines["parts"].part == part
    assert lines["travel"].amount == Decimal("50.00")
    assert bill.total == Decimal("541.00") == sum(line.amount for line in bill.lines.all())
    assert AuditEntry.objects.filter(object_id=bill.pk, action="create").exists()


def test_class_b_lines_covered_by_the_contract_are_shown_at_zero():
    from aftersales.contracts.models import Contract

    agent = make_user("agent")
    wo = make_work_order(service_class="C")
    contract = Contract.objects.create(number="HT-1", customer=wo.request.customer, title="维保",
                                       start_date=timezone.localdate(), end_date=timezone.localdate(),
                                       covers_labour=True, covers_parts=False, covers_travel=True)
    from aftersales.fieldservice.models import WorkOrder

    WorkOrder.objects.filter(pk=wo.pk).update(service_class="B", contract=contract)
    wo.refresh_from_db()
    complete(wo, catalogue=[(make_part(price="80"), Decimal("1"))])
    bill = services.bill_for_work_order(actor=agent, work_order=wo)
    lines = {line.kind: line for line in bill.lines.all()}
    assert lines["labour"].covered and lines["labour"].amount == 0 and lines["labour"].unit_price > 0
    assert lines["travel"].covered and lines["travel"].amount == 0
    assert not lines["parts"].covered and lines["parts"].amount == Decimal("80.00")
    assert bill.total == Decimal("80.00")


def test_a_fully_covered_bill_is_settled_when_issued_and_a_charged_one_is_not():
    from aftersales.contracts.models import Contract
    from aftersales.fieldservice.models import WorkOrder

    agent = make_user("agent")
    bills = {}
    for covers_parts in (True, False):
        wo = make_work_order(service_class="C")
        contract = Contract.objects.create(number=f"HT-{covers_parts}", customer=wo.request.customer, title="维保",
                                           start_date=timezone.localdate(), end_date=timezone.localdate(),
                                           covers_labour=True, covers_parts=covers_parts, covers_travel=True)
        WorkOrder.objects.filter(pk=wo.pk).update(service_class="B", contract=contract)
        wo.refresh_from_db()
        complete(wo, catalogue=[(make_part(number=f"P-{covers_parts}", price="80"), Decimal("1"))])
        bills[covers_parts] = services.bill_issue(actor=agent, bill=services.bill_for_work_order(actor=agent,
                                                                                                 work_order=wo))
    covered, charged = bills[True], bills[False]
    covered.refresh_from_db()
    charged.refresh_from_db()
    assert (covered.total, covered.payment_status) == (Decimal("0.00"), "waived")
    assert covered.waive_reason and covered.settled_by is None  # by rule, not by a person
    assert (charged.total, charged.payment_status) == (Decimal("80.00"), "unpaid")


@pytest.mark.parametrize("service_class", ["C", "D"])
def test_no_bill_for_class_c_or_d(service_class):
    wo = complete(make_work_order(service_class=service_class))
    with pytest.raises(DomainError) as exc:
        services.bill_for_work_order(actor=make_user("agent"), work_order=wo)
    assert codes(exc) == "no_charge_for_class"
    assert not Bill.objects.exists()
    with pytest.raises(DomainError) as exc:
        services.quote_create(actor=make_user("agent"), work_order=make_work_order(service_class=service_class))
    assert codes(exc) == "no_charge_for_class" and not Quote.objects.exists()


def test_bill_refused_before_completion_and_twice():
    wo = make_work_order()
    agent = make_user("agent")
    with pytest.raises(DomainError) as exc:
        services.bill_for_work_order(actor=agent, work_order=wo)
    assert codes(exc) == "work_not_completed"
    approve_by_phone(wo)
    complete(wo)
    services.bill_for_work_order(actor=agent, work_order=wo)
    with pytest.raises(DomainError) as exc:
        services.bill_for_work_order(actor=agent, work_order=wo)
    assert codes(exc) == "already_billed" and Bill.objects.count() == 1


def test_another_engineer_cannot_bill_and_finance_cannot_edit_charges():
    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo)
    with pytest.raises(PermissionDenied):
        services.bill_for_work_order(actor=make_user("engineer", region=region_city()), work_order=wo)
    with pytest.raises(PermissionDenied):
        services.bill_for_work_order(actor=make_user("finance"), work_order=wo)
    assert services.bill_for_work_order(actor=wo.engineer, work_order=wo).state == "draft"


def test_hand_typed_part_waits_for_a_price_before_issue():
    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo, parts=[{"description": "非标铜管", "quantity": "3", "unit": "m"}])
    agent = make_user("agent")
    bill = services.bill_for_work_order(actor=agent, work_order=wo)
    pending = bill.lines.get(kind="parts")
    assert pending.price_pending and pending.amount == 0
    with pytest.raises(DomainError) as exc:
        services.bill_issue(actor=agent, bill=bill)
    assert codes(exc) == "part_price_required"
    bill.refresh_from_db()
    assert bill.state == "draft"
    lines = [{"kind": r.kind, "description": r.description, "quantity": r.quantity, "unit_price": r.unit_price,
              "covered": r.covered, "part": r.part} for r in bill.lines.all()]
    for line in lines:
        if line["kind"] == "parts":
            line["unit_price"] = "35.20"
    services.bill_lines_replace(actor=agent, bill=bill, lines=lines)
    assert bill.lines.get(kind="parts").amount == Decimal("105.60")
    services.bill_issue(actor=agent, bill=bill)
    bill.refresh_from_db()
    assert bill.state == "issued" and bill.total == sum(r.amount for r in bill.lines.all())
    with pytest.raises(DomainError) as exc:
        services.bill_lines_replace(actor=agent, bill=bill, lines=lines)
    assert codes(exc) == "bill_not_draft"


@pytest.mark.parametrize("bad", [
    {"kind": "labour", "description": "x", "quantity": "-1", "unit_price": "10"},
    {"kind": "labour", "description": "x", "quantity": "0", "unit_price": "10"},
    {"kind": "labour", "description": "", "quantity": "1", "unit_price": "10"},
    {"kind": "labour", "description": "x", "quantity": "1", "unit_price": "-10"},
    {"kind": "bogus", "description": "x", "quantity": "1", "unit_price": "10"},
    {"kind": "labour", "description": "x", "quantity": "1", "unit_price": "abc"},
    {"kind": "labour", "description": "x", "quantity": "1", "unit_price": 1.5},
])
def test_bad_lines_are_refused_and_nothing_saved(bad):
    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo)
    agent = make_user("agent")
    bill = services.bill_for_work_order(actor=agent, work_order=wo)
    before = list(bill.lines.values_list("description", "amount"))
    with pytest.raises(DomainError) as exc:
        services.bill_lines_replace(actor=agent, bill=bill, lines=[bad])
    assert exc.value.status == 422
    bill.refresh_from_db()
    assert list(bill.lines.values_list("description", "amount")) == before and bill.version == 1


def test_bill_create_keeps_working_for_refunds():
    from aftersales.core.testing import make_customer

    bill = services.bill_create(actor=make_user("agent"), customer=make_customer(), reference="RT-1", lines=[
        {"kind": "refund", "description": "退货退款", "quantity": 1, "unit_price": "-1999.00"}])
    assert bill.state == "issued" and bill.total == Decimal("-1999.00") and bill.payment_status == "unpaid"


# -- quote gate -------------------------------------------------------------------------------------------------

def test_class_a_work_cannot_be_recorded_before_the_quote_is_approved():
    from aftersales.fieldservice import services as fs

    wo = make_work_order()
    engineer = wo.engineer
    visit = fs.visit_arrive(actor=engineer, work_order=wo)
    fs.visit_record(actor=engineer, visit=visit, values={"diagnosis": "压缩机异响"})  # diagnosing is allowed
    for values, parts in (({"actions_taken": "更换"}, None), ({"outcome": "fixed"}, None),
                          ({}, [{"description": "密封圈", "quantity": "1"}])):
        with pytest.raises(DomainError) as exc:
            fs.visit_record(actor=engineer, visit=visit, values=values, parts=parts)
        assert codes(exc) == "quote_not_approved"
    visit.refresh_from_db()
    assert not visit.actions_taken and not visit.outcome and not visit.parts.exists()
    quote = services.quote_create(actor=engineer, work_order=wo, hours="1.5")
    with pytest.raises(DomainError):
        fs.visit_record(actor=engineer, visit=visit, values={"outcome": "fixed"})  # awaiting approval is not enough
    services.quote_approve(actor=engineer, quote=quote, method="signature", approver_name="李工",
                           signature_data_url=_png())
    fs.visit_record(actor=engineer, visit=visit, values={"actions_taken": "更换", "outcome": "fixed"})


def test_class_c_and_unclassified_work_is_not_gated():
    from aftersales.fieldservice import services as fs
    from aftersales.fieldservice.models import WorkOrder

    for service_class in ("C", ""):
        wo = make_work_order(service_class="C")
        WorkOrder.objects.filter(pk=wo.pk).update(service_class=service_class)
        wo.refresh_from_db()
        visit = fs.visit_arrive(actor=wo.engineer, work_order=wo)
        fs.visit_record(actor=wo.engineer, visit=visit, values={"outcome": "fixed", "actions_taken": "x"})


def _png() -> str:
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (255, 255, 255)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_quote_estimate_and_approval_records():
    wo = make_work_order()
    agent = make_user("agent")
    quote = services.quote_create(actor=agent, work_order=wo, hours=2)
    kinds = {line.kind: line for line in quote.lines.all()}
    assert kinds["labour"].amount == Decimal("240.00") and kinds["travel"].amount == Decimal("50.00")
    assert quote.total == Decimal("290.00") and quote.state == "draft"
    for kwargs, code in (({"method": "phone", "approver_name": "张经理"}, "phone_approval_note_required"),
                         ({"method": "phone", "approver_name": " ", "note": "x"}, "approver_required"),
                         ({"method": "fax", "approver_name": "张", "note": "x"}, "approval_method_invalid"),
                         ({"method": "signature", "approver_name": "张", "signature_data_url": "data:x"},
                          "signature_invalid")):
        with pytest.raises(DomainError) as exc:
            services.quote_approve(actor=agent, quote=quote, **kwargs)
        assert codes(exc) == code
        quote.refresh_from_db()
        assert quote.state == "draft" and quote.approved_at is None
    services.quote_approve(actor=agent, quote=quote, method="phone", approver_name="张经理", approver_phone="13800000000",
                           note="同意按报价维修")
    quote.refresh_from_db()
    assert quote.state == "approved" and quote.recorded_by == agent and quote.approved_at is not None
    with pytest.raises(DomainError) as exc:
        services.quote_approve(actor=agent, quote=quote, method="phone", approver_name="x", note="y")
    assert codes(exc) == "quote_not_open"


def test_a_new_quote_withdraws_the_open_one():
    wo = make_work_order()
    agent = make_user("agent")
    first = services.quote_create(actor=agent, work_order=wo)
    second = services.quote_create(actor=agent, work_order=wo, lines=[
        {"kind": "labour", "description": "预计 3 小时", "quantity": 3, "unit_price": "120"}])
    first.refresh_from_db()
    assert first.state == "withdrawn" and second.state == "draft" and second.total == Decimal("360.00")


def test_engineer_quotes_only_his_own_work_order():
    wo = make_work_order()
    with pytest.raises(PermissionDenied):
        services.quote_create(actor=make_user("engineer", region=region_city()), work_order=wo)
    assert not Quote.objects.exists()


# -- payment: finance only ---------------------------------------------------------------------------------------

def _issued_bill():
    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo)
    agent = make_user("agent")
    bill = services.bill_for_work_order(actor=agent, work_order=wo)
    return services.bill_issue(actor=agent, bill=bill)


@pytest.mark.parametrize("role", ["manager", "admin", "engineer", "agent", "dispatcher", "lead"])
def test_only_finance_changes_payment_status(role):
    bill = _issued_bill()
    account = make_account()
    user = bill.work_order.engineer if role == "engineer" else make_user(role)
    with pytest.raises(PermissionDenied):
        services.bill_pay(actor=user, bill=bill, account=account, method="bank_transfer", amount=bill.total,
                          reference="TX1", received_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.bill_waive(actor=user, bill=bill, reason="老客户")
    bill.refresh_from_db()
    assert bill.payment_status == "unpaid" and not Payment.objects.exists()


def test_finance_records_a_payment_into_a_designated_account():
    bill = _issued_bill()
    finance = make_user("finance")
    payment = services.bill_pay(actor=finance, bill=bill, account=make_account("qr"), method="qr",
                                amount=str(bill.total), reference="WX4200001234", received_on=timezone.localdate())
    bill.refresh_from_db()
    assert bill.payment_status == "paid" and bill.paid_at and bill.settled_by == finance
    assert payment.recorded_by == finance and payment.amount == bill.total
    entry = AuditEntry.objects.filter(object_id=bill.pk, verb="pay").get()
    assert entry.actor == finance
    with pytest.raises(InvalidTransition):
        services.bill_waive(actor=finance, bill=bill, reason="x")


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"amount": "1.00"}, "amount_mismatch"),
    ({"reference": " "}, "reference_required"),
    ({"method": "cash"}, "payment_method_invalid"),
    ({"method": "pos"}, "account_invalid"),  # a POS payment into a bank account
    ({"inactive": True}, "account_invalid"),
    ({"received_on": "future"}, "received_date_invalid"),
])
def test_bad_payments_are_refused_and_nothing_saved(kwargs, code):
    bill = _issued_bill()
    account = make_account("bank", active=not kwargs.pop("inactive", False))
    args = {"account": account, "method": "cash_deposit", "amount": bill.total, "reference": "存款单 0012",
            "received_on": timezone.localdate()}
    args.update(kwargs)
    if args["received_on"] == "future":
        args["received_on"] = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        services.bill_pay(actor=make_user("finance"), bill=bill, **args)
    assert codes(exc) == code
    bill.refresh_from_db()
    assert bill.payment_status == "unpaid" and not Payment.objects.exists()


def test_cash_is_recorded_as_a_deposit_to_a_bank_account():
    bill = _issued_bill()
    services.bill_pay(actor=make_user("finance"), bill=bill, account=make_account("bank"), method="cash_deposit",
                      amount=bill.total, reference="存款回单 20260301-07", received_on=timezone.localdate())
    assert Payment.objects.get().method == "cash_deposit"


def test_waive_needs_a_reason_and_an_issued_bill():
    finance = make_user("finance")
    bill = _issued_bill()
    with pytest.raises(DomainError) as exc:
        services.bill_waive(actor=finance, bill=bill, reason="  ")
    assert codes(exc) == "waive_reason_required"
    services.bill_waive(actor=finance, bill=bill, reason="首次故障，经理批准免收")
    bill.refresh_from_db()
    assert bill.payment_status == "waived" and bill.waive_reason.startswith("首次")
    assert AuditEntry.objects.filter(object_id=bill.pk, verb="waive").exists()

    wo = make_work_order()
    approve_by_phone(wo)
    complete(wo)
    draft = services.bill_for_work_order(actor=make_user("agent"), work_order=wo)
    with pytest.raises(DomainError) as exc:
        services.bill_waive(actor=finance, bill=draft, reason="x")
    assert codes(exc) == "bill_not_issued"


def test_default_rates_are_installed_on_first_use_when_none_exist():
    from aftersales.billing.models import LabourRate

    LabourRate.objects.all().delete()
    TravelFee.objects.all().delete()
    assert services.labour_rate(3, "CNY") == Decimal("120.00") and services.travel_fee(2, "CNY") == Decimal("150.00")


def test_travel_fee_missing_is_a_clear_error():
    TravelFee.objects.exclude(region_class=3).delete()
    wo = make_work_order()
    with pytest.raises(DomainError) as exc:
        services.quote_create(actor=make_user("agent"), work_order=wo)
    assert codes(exc) == "rate_missing" and not Quote.objects.exists()
    assert not ChargeLine.objects.exists()
