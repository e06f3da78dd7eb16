"""Demo billing of the Wuhan after-sales centre: designated accounts, a travel-class exception, quotes approved
before paid (class A) work, and bills of the completed paid and contract jobs — most paid, some unpaid, one waived.

`setup` runs before the historical jobs. Paid jobs need the customer's approved quote before the engineer records
the work, so right after a class A work order is assigned, a quote is
made and approved (by phone through an agent, or signed on the engineer's screen) at that moment — except for jobs
the engineer is on right now, whose quote waits for the customer on the engineer's phone. The builder calls
`before_work` from `DemoBuilder._assign`.
`after` bills the completed class A and B jobs through `billing.services` and lets finance record payments.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from aftersales.contracts.choices import ServiceClass
from aftersales.core.models import Region

from . import services
from .models import Bill, CompanyAccount, RegionTravelClass

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

ACCOUNTS = [
    ("bank", "对公账户（招商银行武汉光谷支行）", "招商银行武汉光谷支行", "1279 0888 0010 888", "武汉售后服务中心"),
    ("bank", "对公账户（工商银行武汉东湖支行）", "中国工商银行武汉东湖支行", "3202 0010 0920 0123 456", "武汉售后服务中心"),
    ("qr", "公司收款码（微信/支付宝）", "", "WX-AS-027-0001", "武汉售后服务中心"),
    ("pos", "服务中心前台 POS 机", "银联商务", "POS-027-88001", "武汉售后服务中心"),
]
PHONE_NOTES = ["电话确认报价，同意先修后付", "客户设备科长电话同意，要求开具收据", "已口头同意，配件按实结算",
               "客户同意报价，要求当天修复"]
WAIVE_REASON = "设备刚出保修期 12 天即故障，经服务经理批准本次费用免收（客户关系维护）"
PART_PRICES = {"滤": "85.00", "密封": "36.00", "皮带": "120.00", "继电器": "65.00", "保险": "12.00", "轴承": "260.00",
               "传感器": "380.00", "电容": "45.00", "接触器": "210.00", "电池": "680.00", "风扇": "320.00"}


def setup(builder: Any) -> None:
    for kind, name, bank, number, holder in ACCOUNTS:
        CompanyAccount.objects.get_or_create(account_number=number, defaults={
            "kind": kind, "name": name, "bank_name": bank, "holder": holder})
    ezhou = Region.objects.filter(code="420700").first()  # 鄂州: across the river, billed as the same city
    if ezhou is not None:
        RegionTravelClass.objects.get_or_create(region=ezhou, defaults={
            "region_class": 1, "note": "鄂州距光谷 40 公里，按同城计上门费"})


def before_work(builder: Any, work_order: Any, engineer: Any, *, approve: bool = True) -> None:
    """A paid job: the quote (estimated hours at the engineer's rate, plus travel), approved now by phone or by
    the customer's signature on the engineer's screen."""
    if work_order.service_class != ServiceClass.PAID:
        return
    rng = random.Random(work_order.pk)
    agent = builder.users.get("agent") or builder.users["manager"]
    by_phone = rng.random() < 0.5
    maker = agent if by_phone else engineer
    quote = services.quote_create(actor=maker, work_order=work_order, hours=rng.choice(["1", "1.5", "2", "3"]),
                                  note=rng.choice(["", "配件另按目录价计", "如需更换压缩机另行报价"]))
    if not approve:
        return
    request = work_order.request
    approver = request.contact_name or "客户负责人"
    if by_phone:
        services.quote_approve(actor=agent, quote=quote, method="phone", approver_name=approver,
                               approver_phone=request.contact_phone, note=rng.choice(PHONE_NOTES))
    else:
        from aftersales.core.demo.signature import scribble_data_url

        services.quote_approve(actor=engineer, quote=quote, method="signature", approver_name=approver,
                               signature_data_url=scribble_data_url(work_order.pk + 7000))


def _price(description: str, rng: random.Random) -> Decimal:
    for key, price in PART_PRICES.items():
        if key in description:
            return Decimal(price)
    return Decimal(rng.choice(["48.00", "95.00", "150.00", "220.00"]))


def after(builder: Any) -> None:
    """Bill the completed paid and contract jobs; finance records most payments, one bill is waived."""
    from aftersales.fieldservice.choices import WorkOrderState
    from aftersales.fieldservice.models import WorkOrder

    finance = builder.users.get("finance")
    clerk = builder.users.get("agent") or builder.users["manager"]
    jobs = list(WorkOrder.objects.filter(state=WorkOrderState.COMPLETED,
                                         service_class__in=[ServiceClass.PAID, ServiceClass.CONTRACT])
                .select_related("request", "request__customer", "request__site", "engineer", "contract")
                .order_by("completed_at"))
    bills: list[tuple[Bill, dt.datetime]] = []
    schedule = []
    for wo in jobs:
        contract = wo.contract
        if contract is not None and contract.covers_labour and contract.covers_parts and contract.covers_travel:
            continue  # everything covered: nothing to bill
        schedule.append((wo.completed_at + random.Random(wo.pk).uniform(1, 20) * HOUR, wo))
    for when, wo in sorted(schedule, key=lambda item: item[0]):  # bill numbers follow time
        rng = random.Random(wo.pk + 1)
        builder.at(when)
        bill = services.bill_for_work_order(actor=clerk, work_order=wo)
        lines = list(bill.lines.all())
        if any(line.price_pending for line in lines):
            specs = [{"kind": r.kind, "description": r.description, "quantity": r.quantity, "part": r.part,
                      "covered": r.covered, "unit_price": _price(r.description, rng) if r.price_pending
                      else r.unit_price} for r in lines]
            services.bill_lines_replace(actor=clerk, bill=bill, lines=specs)
        if bill.total == 0 and wo.service_class == ServiceClass.CONTRACT:
            services.bill_issue(actor=clerk, bill=bill)  # a statement of what the contract covered
            continue
        if wo.completed_at > builder.now - 2 * DAY and rng.random() < 0.5:
            continue  # the latest jobs: bill still a draft for the office to check
        services.bill_issue(actor=clerk, bill=bill)
        bills.append((bill, wo.completed_at))
    if finance is None:
        return
    settlements = []
    waived = False
    for bill, completed in bills:
        rng = random.Random(bill.pk)
        if bill.service_class == ServiceClass.PAID and not waived and bill.total > 0:
            waived = True
            settlements.append((completed + 3 * DAY, bill, "waive", rng))
            continue
        paid_at = completed + rng.uniform(1, 12) * DAY
        if paid_at < builder.now - DAY and rng.random() < 0.8:
            settlements.append((paid_at, bill, "pay", rng))
    accounts = {a.kind: list(CompanyAccount.objects.filter(kind=a.kind)) for a in CompanyAccount.objects.all()}
    for when, bill, action, rng in sorted(settlements, key=lambda s: s[0]):
        builder.at(min(when, builder.now - HOUR))
        bill.refresh_from_db()
        if action == "waive":
            services.bill_waive(actor=finance, bill=bill, reason=WAIVE_REASON)
            continue
        method = rng.choice(["bank_transfer", "bank_transfer", "qr", "pos", "cash_deposit"])
        kind = {"bank_transfer": "bank", "cash_deposit": "bank", "qr": "qr", "pos": "pos"}[method]
        account = rng.choice(accounts[kind])
        received = builder.today if when.date() > builder.today else when.date()
        reference = {"bank_transfer": f"网银流水 {rng.randrange(10**11, 10**12)}",
                     "cash_deposit": f"现金存款回单 {received:%Y%m%d}-{rng.randrange(10, 99)}",
                     "qr": f"微信支付单号 42000{rng.randrange(10**12, 10**13)}",
                     "pos": f"POS 凭证号 {rng.randrange(100000, 999999)}"}[method]
        services.bill_pay(actor=finance, bill=bill, account=account, method=method, amount=bill.total,
                          reference=reference, received_on=max(received, bill.created_at.date()),
                          note="现金由客户交至前台，财务当日存入对公账户" if method == "cash_deposit" else "")
